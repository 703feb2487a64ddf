"""What anyone holding a linked dossier's group code may see of it (issue 21).

The group code has the shape of a dossier code (:mod:`portal.tracking.service` checks it); when
no dossier has the code, the linked dossier with it is shown: its procedure, where it stands as
a whole, and for each component its own dossier code, agency, status and national status code,
its appointment and what it waits for; then one timeline of the components' public events. The
applicant's name is masked as for a dossier (the same rule shows it in full).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.dossiers.models import Dossier, DossierGroup, GroupComponent
from portal.dossiers.states import national_code, status_label
from portal.extensions import db, reading_only
from portal.textutil import mask_name
from portal.timeutil import from_db
from portal.workflow.linked import (
    ComponentView,
    component_views,
    group_state,
    group_state_label,
    procedure_name,
    public_note,
    timeline_order,
    waiting_note,
)
from portal.workflow.transitions import TRANSITIONS


def find_group(code: str) -> DossierGroup | None:
    reading_only()
    return db.session.execute(
        select(DossierGroup).where(DossierGroup.code == code).options(
            selectinload(DossierGroup.components).selectinload(GroupComponent.dossier).selectinload(Dossier.events),
            selectinload(DossierGroup.components).selectinload(GroupComponent.waits_for),
        )
    ).scalar_one_or_none()


@dataclass(frozen=True)
class TrackedComponent:
    code: str
    procedure_code: str
    procedure: str
    agency: str
    status: str
    status_label: str
    status_code: int | None
    due_at: datetime | None
    is_due_estimated: bool
    is_waiting: bool
    waiting_note: str  # instead of an appointment while it waits: when its time starts
    waits_for: str | None
    explanation: str


@dataclass(frozen=True)
class GroupTimelineEntry:
    at: datetime
    code: str
    procedure: str
    status: str
    status_code: int | None
    note: str


@dataclass(frozen=True)
class GroupView:
    code: str
    procedure_code: str
    procedure: str
    state: str
    state_label: str
    submitted_at: datetime | None
    applicant: str
    is_detailed: bool
    components: tuple[TrackedComponent, ...]
    timeline: tuple[GroupTimelineEntry, ...]


def _component(c: ComponentView, lang: str) -> TrackedComponent:
    waiting = waiting_note(c.dossier, lang)
    return TrackedComponent(
        code=c.dossier.code or "", procedure_code=c.dossier.procedure_snapshot["code"],
        procedure=procedure_name(c.dossier, lang), agency=c.dossier.agency.name(lang), status=c.dossier.status,
        status_label=status_label(c.dossier.status), status_code=national_code(c.dossier.status),
        # No appointment for a component that ended without a result (nothing is due any more),
        # nor for one whose time has not started (no date can be promised yet).
        due_at=None if c.ended_without_result or waiting else from_db(c.dossier.due_at or c.dossier.estimated_due_at),
        is_due_estimated=c.dossier.due_at is None, is_waiting=bool(waiting), waiting_note=waiting,
        waits_for=c.waits_for.code if c.is_waiting and c.waits_for is not None else None,
        explanation=c.explanation,
    )


def group_view(group: DossierGroup, *, is_detailed: bool, lang: str) -> GroupView:
    components = tuple(_component(c, lang) for c in component_views(group, lang))
    events = sorted(
        ((e, d) for d in group.dossiers for e in d.events if TRANSITIONS[e.action].is_public),
        key=lambda pair: timeline_order(pair[0]),
    )
    timeline = tuple(
        GroupTimelineEntry(from_db(e.at), d.code or "", procedure_name(d, lang), status_label(e.to_status),
                           national_code(e.to_status), public_note(e, d, lang))
        for e, d in events
    )
    snapshot = group.procedure_snapshot
    return GroupView(
        code=group.code, procedure_code=snapshot["code"], procedure=snapshot["name_en" if lang == "en" else "name_vi"],
        state=group_state(group), state_label=group_state_label(group), submitted_at=from_db(group.submitted_at),
        applicant=group.applicant_name if is_detailed else mask_name(group.applicant_name), is_detailed=is_detailed,
        components=components, timeline=timeline,
    )


def group_json(view: GroupView) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "code": view.code,
        "procedure_code": view.procedure_code,
        "procedure": view.procedure,
        "status": view.state,
        "status_label": view.state_label,
        "submitted_at": iso(view.submitted_at),
        "applicant": view.applicant,
        "components": [
            {
                "code": c.code, "procedure_code": c.procedure_code, "procedure": c.procedure, "agency": c.agency,
                "status": c.status, "status_label": c.status_label, "status_code": c.status_code,
                "due_at": iso(c.due_at), "is_due_estimated": c.is_due_estimated, "is_waiting": c.is_waiting,
                "waits_for": c.waits_for,
                "note": c.explanation,
            }
            for c in view.components
        ],
        "timeline": [
            {"at": iso(t.at), "code": t.code, "procedure": t.procedure, "status": t.status,
             "status_code": t.status_code, "note": t.note}
            for t in view.timeline
        ],
    }
