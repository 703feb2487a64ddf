"""Submitting a linked dossier (*hồ sơ liên thông*, Nghị định 63/2024/NĐ-CP; issue 21).

1. The citizen fills in the linked procedure's one e-form like any other draft (``open_draft``,
   the steps, the delivery, the check page): each fact once, the parents and the child prefilled
   from the register where it knows them.
2. :func:`submit_linked` checks the draft is complete, takes one group code from the daily
   sequence of the agency that receives the group, and builds one component dossier per
   component procedure, at that procedure's agency: its answers from the linked e-form
   (:mod:`portal.eforms.linked`), the documents it needs among those attached, the rules of its
   procedure (fee-exempt where the catalog names the exemption), its own dossier code and
   declaration; each is then submitted through the workflow. A component that needs another's
   result records it (``GroupComponent.waits_for``) and waits in its agency's intake queue
   (:mod:`portal.workflow.linked`); its estimated appointment counts from the awaited one's.
3. The draft is deleted: the group and its components are the dossier now. All of it runs in a
   savepoint, so a refusal leaves the draft as it was.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from portal.auth.models import User
from portal.catalog.service import Component, components_of
from portal.dossiers.codes import next_dossier_code
from portal.dossiers.models import Attachment, Dossier, DossierGroup, GroupComponent
from portal.eforms.definitions import get_form_definition
from portal.eforms.linked import ComponentAnswers, get_linked_form
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.submission.operations import (
    DossierIncomplete,
    _submit,
    estimate,
    missing_for_submission,
    now_local,
    procedure_snapshot,
)
from portal.timeutil import from_db, to_db
from portal.workflow.transitions import TransitionRefused


def is_linked(dossier: Dossier) -> bool:
    """Whether the draft is of a linked procedure (submitted as a group)."""
    return bool(dossier.procedure.components)


def submit_linked(draft: Dossier, actor: User | None) -> DossierGroup:
    """Submit a linked draft as one group of component dossiers — all or nothing."""
    problems = missing_for_submission(draft)
    if problems:
        raise DossierIncomplete(problems)
    draft_id = draft.id
    try:
        with db.session.begin_nested():
            group = _submit_group(draft, actor)
    except StaleDataError:
        if db.session.get(Dossier, draft_id, populate_existing=True) is not None:
            raise  # changed, not submitted, meanwhile: the 409 page shows it as it is now
        # A double click or another tab submitted it first (the draft is gone): nothing to do.
        raise TransitionRefused(str(_l("This dossier has been submitted already."))) from None
    return group


def _snapshot(component: Component) -> dict[str, Any]:
    """The component procedure's rules; a fee the linked procedure exempts is nothing to pay."""
    snapshot = procedure_snapshot(component.procedure)
    if component.fee_exemption_vi:
        snapshot.update(fee_counter=0, fee_online=0, fee_exemption_vi=component.fee_exemption_vi,
                        fee_exemption_en=component.fee_exemption_en)
    return snapshot


def _component_dossier(draft: Dossier, component: Component, answers: ComponentAnswers) -> Dossier:
    procedure = component.procedure
    values, provenance = answers.answers(draft.answers, draft.provenance)
    dossier = Dossier(
        procedure=procedure,
        procedure_version=procedure.version,
        procedure_snapshot=_snapshot(component),
        agency_id=procedure.agency_id,
        applicant_user_id=draft.applicant_user_id,
        applicant_personal_id=draft.applicant_personal_id,
        applicant_name=draft.applicant_name,
        created_by_id=draft.created_by_id,
        channel=draft.channel,
        delivery=draft.delivery,
        delivery_address=draft.delivery_address,
        status=draft.status,
        answers=values,
        provenance=provenance,
        locked={key: value for key, value in values.items() if provenance.get(key) == "registry"},
        completed_steps=[step.key for step in get_form_definition(procedure.code).steps],
        is_registry_unverified=draft.is_registry_unverified,
    )
    db.session.add(dossier)
    needed = {d["key"] for d in procedure.required_documents}
    for attachment in draft.attachments:
        if attachment.document_key in needed:
            db.session.add(Attachment(dossier=dossier, document_key=attachment.document_key,
                                      document=attachment.document, source=attachment.source))
    db.session.flush()
    return dossier


def _submit_group(draft: Dossier, actor: User | None) -> DossierGroup:
    received_at = now_local()
    procedure = draft.procedure
    linked = get_linked_form(procedure.code)
    snapshot = procedure_snapshot(procedure)
    group = DossierGroup(
        code=next_dossier_code(draft.agency, received_at.date()),
        procedure=procedure,
        procedure_snapshot={key: snapshot[key] for key in ("code", "version", "name_vi", "name_en")},
        applicant_user_id=draft.applicant_user_id,
        applicant_personal_id=draft.applicant_personal_id,
        applicant_name=draft.applicant_name,
        channel=draft.channel,
        submitted_at=to_db(received_at),
    )
    db.session.add(group)
    made: dict[str, Dossier] = {}
    for position, component in enumerate(components_of(procedure)):
        code = component.procedure.code
        dossier = _component_dossier(draft, component, linked.component(code))
        lead = made.get(component.waits_for or "")
        group.components.append(GroupComponent(dossier=dossier, position=position, waits_for=lead))
        # At the counter the receiving agency's officer submits its own component; the others
        # reach their agencies by the linked transfer (the system).
        by_officer_elsewhere = actor is not None and actor.is_officer and actor.agency_id != dossier.agency_id
        _submit(dossier, None if by_officer_elsewhere else actor, "none")
        if lead is not None and lead.estimated_due_at is not None:
            # Its clock starts when the awaited result is signed: estimated from that one's appointment.
            due = estimate(dossier, from_db(lead.estimated_due_at), dossier.delivery, "vi")
            dossier.estimated_due_at, dossier.estimated_legal_due_at = to_db(due.due_at), to_db(due.legal_due_at)
        made[code] = dossier
    db.session.delete(draft)
    db.session.flush()
    return group
