"""A linked dossier as its citizen sees it (issue 21): one page for the group, with every
component's status, appointment and result, what each waits for, what one component's end means
for the others, and one timeline of all their public events."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.dossiers.models import Dossier, DossierEvent, DossierGroup, GroupComponent
from portal.dossiers.states import status_label
from portal.extensions import db
from portal.i18n import current_lang
from portal.workflow.linked import (
    component_views,
    group_state,
    group_state_label,
    procedure_name,
    public_note,
    timeline_order,
    waiting_note,
)
from portal.workflow.transitions import TRANSITIONS


def my_groups(personal_id: str) -> list[DossierGroup]:
    """The citizen's linked dossiers, newest first, with their components."""
    return list(db.session.execute(
        select(DossierGroup).where(DossierGroup.applicant_personal_id == personal_id)
        .options(selectinload(DossierGroup.components).selectinload(GroupComponent.dossier))
        .order_by(DossierGroup.submitted_at.desc(), DossierGroup.id.desc())
    ).scalars())


@dataclass(frozen=True)
class GroupEvent:
    """One line of the group's timeline: a public event of one of its components."""

    at: datetime
    procedure: str
    code: str
    status: str
    note: str


def timeline(group: DossierGroup, lang: str) -> list[GroupEvent]:
    """Every component's public events, in the order they happened."""
    events: list[tuple[DossierEvent, Dossier]] = [
        (event, dossier) for dossier in group.dossiers for event in dossier.events
        if TRANSITIONS[event.action].is_public and (event.public_note or event.from_status != event.to_status)
    ]
    events.sort(key=lambda pair: timeline_order(pair[0]))
    return [GroupEvent(e.at, procedure_name(d, lang), d.code or "", status_label(e.to_status), public_note(e, d, lang))
            for e, d in events]


def render_group(group: DossierGroup, template: str = "dossiers/group_detail.html"):
    lang = current_lang()
    return render_template(
        template, group=group, components=component_views(group, lang), state=group_state(group),
        state_label=group_state_label(group), timeline=timeline(group, lang), status_label=status_label,
        procedure_name=procedure_name, waiting_note=waiting_note,
    )
