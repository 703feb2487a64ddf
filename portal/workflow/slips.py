"""Issuing the slips of a dossier (Thông tư 03/2025/TT-VPCP, annex I) from what it records.

Every slip is built from the dossier, its events and its clock, so it can be rendered again at
any time — a slip that failed to render is simply asked for again.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.deadlines import VN_TZ
from portal.dossiers.display import display_value, document_name, track_url
from portal.dossiers.models import Dossier, DossierEvent
from portal.extensions import db
from portal.i18n import gettext as _
from portal.paperwork import Handoff, RegisterRow, Slip01, Slip02, Slip03, Slip04, Slip05, Slip06, Slip07, SlipDocument
from portal.dossiers.states import Status, status_label
from portal.timeutil import from_db, to_db
from portal.workflow.clock import deadline
from portal.workflow.linked import waiting_note


def _last_event(dossier: Dossier, action: str) -> DossierEvent | None:
    return next((e for e in reversed(dossier.events) if e.action == action), None)


def _ending_event(dossier: Dossier, action: str, status: Status) -> DossierEvent | None:
    """The event that ended the dossier in ``status``: ``action``, or a closing for want of the
    supplement asked for, or the stop of a linked component whose awaited result never came
    (issue 21), which end in the same state and issue the same slip."""
    return next(
        (e for e in reversed(dossier.events)
         if e.action == action or (e.action in ("close_unsupplemented", "stop_linked") and e.to_status == status.value)),
        None,
    )


def _common(dossier: Dossier, lang: str) -> dict:
    return {
        "dossier_code": dossier.code,
        "agency_name": dossier.agency.name(lang),
        "procedure_name": dossier.procedure_snapshot["name_en" if lang == "en" else "name_vi"],
        "applicant_name": dossier.applicant_name,
        "tracking_url": track_url(dossier.code),
    }


def _actor_name(event: DossierEvent | None) -> str:
    if event is None or event.actor is None:
        return _("Online public service system")
    return event.actor.full_name


def build_slip01(dossier: Dossier, lang: str):

    definition = dossier.form_definition
    address = next(
        (display_value(f, dossier.answers[f.key], lang) for f in definition.fields if f.type == "address" and f.key in dossier.answers),
        "",
    )
    grouped: dict[str, int] = {}
    for attachment in dossier.attachments:
        grouped[attachment.document_key] = grouped.get(attachment.document_key, 0) + 1
    documents = tuple(
        SlipDocument(name=document_name(dossier.procedure_snapshot, key, lang), copies=n, form=_("Electronic copy"))
        for key, n in grouped.items()
    )
    delivery_address = dossier.delivery_address
    accepted = _last_event(dossier, "accept")
    return Slip01(
        dossier_code=dossier.code,
        agency_name=dossier.agency.name(lang),
        agency_address=dossier.agency.address,
        procedure_code=dossier.procedure_snapshot["code"],
        procedure_name=dossier.procedure_snapshot["name_en" if lang == "en" else "name_vi"],
        applicant_name=dossier.applicant_name,
        applicant_personal_id=dossier.applicant_personal_id,
        applicant_address=address,
        applicant_phone=dossier.answers.get("phone"),
        channel=dossier.channel,
        received_at=from_db(dossier.submitted_at),
        appointment_at=from_db(dossier.due_at or dossier.estimated_due_at),
        is_appointment_estimated=dossier.due_at is None,
        waiting_note=waiting_note(dossier, lang),
        legal_due_at=from_db(dossier.legal_due_at or dossier.estimated_legal_due_at),
        discount_pct=dossier.procedure_snapshot["discount_pct"]
        if dossier.channel == "online" and dossier.delivery == "online"
        else 0,
        documents=documents,
        delivery=dossier.delivery,
        delivery_address=", ".join(
            p for p in (delivery_address.get("street"), delivery_address.get("ward_name"), delivery_address.get("province_name")) if p
        ) if delivery_address else None,
        fee_amount=dossier.fee_amount,
        fee_status={"paid": _("paid online"), "later": _("to be paid"), "counter": _("paid at the counter")}.get(dossier.payment_status, ""),
        officer_name=(accepted.actor.full_name if accepted and accepted.actor else None)
        or (dossier.created_by.full_name if dossier.channel == "counter" and dossier.created_by else None),
        tracking_url=track_url(dossier.code),
    )


def build_slip(dossier: Dossier, number: str, lang: str):
    """The slip ``number`` ("01"–"06") of this dossier, or None when it was never issued."""

    if number == "01":
        return build_slip01(dossier, lang)
    received = from_db(dossier.submitted_at)
    if number == "02":
        event = _last_event(dossier, "request_supplement")
        if event is None:
            return None
        return Slip02(**_common(dossier, lang), received_at=received,
                      items=tuple(document_name(dossier.procedure_snapshot, k, lang) for k in dossier.supplement_items),
                      reason=event.public_note, officer_name=_actor_name(event), issued_at=from_db(event.at),
                      supplement_due_at=from_db(dossier.supplement_due_at))
    if number == "03":
        event = _ending_event(dossier, "refuse", Status.NOT_ACCEPTED)
        if event is None:
            return None
        return Slip03(**_common(dossier, lang), received_at=received, reasons=event.public_note,
                      officer_name=_actor_name(event), issued_at=from_db(event.at))
    if number == "04":
        event = _last_event(dossier, "approve_extension")
        result = deadline(dossier)
        if event is None or result is None:
            return None
        extension = next((c for c in reversed(dossier.clock) if c.kind == "extend"), None)
        return Slip04(**_common(dossier, lang), received_at=received, previous_due_at=result.pre_extension_due_at,
                      new_due_at=result.due_at, reason=extension.reason if extension else event.public_note,
                      leader_name=_actor_name(event), issued_at=from_db(event.at))
    if number == "05":
        event = _ending_event(dossier, "stop", Status.STOPPED)
        if event is None:
            return None
        return Slip05(**_common(dossier, lang), reason=event.public_note, leader_name=_actor_name(event),
                      issued_at=from_db(event.at))
    if number == "06":
        result = deadline(dossier)
        if result is None:
            return None
        handoffs = []
        previous = _("One-stop-shop")
        for event in dossier.events:
            if event.action == "submit":
                continue
            party = f"{_actor_name(event)} ({event.actor_role})"
            handoffs.append(Handoff(from_party=previous, to_party=party, at=from_db(event.at),
                                    note=status_label(event.to_status),
                                    outcome=(dossier.outcome or "") if event.action == "approve" else ""))
            previous = party
        return Slip06(**_common(dossier, lang), received_at=from_db(dossier.accepted_at) or received,
                      due_at=result.pre_extension_due_at, handoffs=tuple(handoffs), result_outcome=dossier.outcome or "")
    return None


def build_register(agency, period_from: date, period_to: date, lang: str):
    """Slip 07: the agency's dossiers received from ``period_from`` to ``period_to`` included."""

    start = to_db(datetime.combine(period_from, time.min, tzinfo=VN_TZ))
    end = to_db(datetime.combine(period_to + timedelta(days=1), time.min, tzinfo=VN_TZ))
    dossiers = db.session.execute(
        select(Dossier)
        .where(Dossier.agency_id == agency.id, Dossier.submitted_at >= start, Dossier.submitted_at < end,
               Dossier.status != Status.DRAFT.value)
        .order_by(Dossier.submitted_at, Dossier.id)
    ).scalars()
    rows = tuple(
        RegisterRow(
            code=d.code,
            procedure_name=d.procedure_snapshot["name_en" if lang == "en" else "name_vi"],
            applicant_name=d.applicant_name,
            received_at=from_db(d.submitted_at),
            due_at=from_db(d.due_at or d.estimated_due_at),
            completed_at=from_db(d.completed_at),
            returned_at=from_db(d.returned_at),
            status_label=status_label(d.status),
            outcome=d.outcome or "",
        )
        for d in dossiers
    )
    return Slip07(agency_name=agency.name(lang), period_from=period_from, period_to=period_to, rows=rows)
