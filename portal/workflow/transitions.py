"""Transitions of a dossier: who may do what, from which state, and what it leaves behind.

1. ``apply_transition`` looks the action up in ``TRANSITIONS``, checks the actor's role, the
   agency, the current state, the required note and the action's own guard — anything else is
   refused with a ``TransitionRefused`` whose message tells the user why, and nothing changes;
2. sets the new status — this module is the only writer of ``Dossier.status``;
3. applies the clock effect (START, PAUSE, RESUME, RESTART, EXTEND, STOP, CLOSE);
4. appends a ``DossierEvent`` and queues the notification, in the same transaction.

Slips are rendered on demand from the dossier and its events (``portal.backoffice.slips``), so
a slip that fails to render never blocks a transition and can always be made again.
Legal frame: Nghị định 118/2025/NĐ-CP and Thông tư 03/2025/TT-VPCP (one-stop mechanism,
slips 01–07); status codes of the national portal (DESIGN §2).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.deadlines import VN_TZ, ClockEventKind
from portal.dossiers.models import Dossier, DossierEvent
from portal.extensions import db
from portal.notifications.operations import queue_dossier_notification
from portal.timeutil import from_db, to_db
from portal.workflow import clock
from portal.workflow.states import OPEN_STATES, WITHDRAWABLE, Status, status_label

S = Status


class TransitionRefused(Exception):
    """The action is not allowed now; ``str(exc)`` tells the user why."""


Guard = Callable[[Dossier, User | None, dict[str, Any]], str | None]


@dataclass(frozen=True)
class Transition:
    """One action: where it may start, where it leads, who may take it, and its effects."""

    name: str
    label: Any
    sources: frozenset[Status]
    target: Status | None  # None: the status does not change (extension)
    roles: frozenset[str]
    requires_note: bool = False
    notification: str | None = None
    guards: tuple[Guard, ...] = field(default_factory=tuple)  # on the dossier: decide availability
    input_guards: tuple[Guard, ...] = field(default_factory=tuple)  # on what the form gave
    is_public: bool = True  # shown on the citizen's and the public timeline


def _delivery_is(kind: str) -> Guard:
    def guard(dossier: Dossier, actor: User | None, params: dict[str, Any]) -> str | None:
        if dossier.delivery != kind:
            return str(_l("The citizen chose another way to receive the result."))
        return None

    return guard


def _assigned_specialist(dossier: Dossier, actor: User | None, params: dict[str, Any]) -> str | None:
    if actor is not None and dossier.assigned_to_id not in (None, actor.id):
        return str(_l("This dossier is assigned to another specialist."))
    return None


def _needs_assignee(dossier: Dossier, actor: User | None, params: dict[str, Any]) -> str | None:
    assignee = params.get("assignee")
    if assignee is None or assignee.role != "specialist" or assignee.agency_id != dossier.agency_id:
        return str(_l("Choose a specialist of your agency."))
    return None


def _needs_items(dossier: Dossier, actor: User | None, params: dict[str, Any]) -> str | None:
    if not params.get("items"):
        return str(_l("List what the citizen must add (at least one document)."))
    return None


def _needs_new_due(dossier: Dossier, actor: User | None, params: dict[str, Any]) -> str | None:
    new_due = params.get("new_due_at")
    if new_due is None:
        return str(_l("Give the new appointment."))
    if dossier.due_at is not None and new_due <= from_db(dossier.due_at):
        return str(_l("The new appointment must be later than the current one."))
    return None


def _has_proposed_extension(dossier: Dossier, actor: User | None, params: dict[str, Any]) -> str | None:
    if dossier.extension_due_at is None:
        return str(_l("No extension has been proposed."))
    return None


def _has_result(dossier: Dossier, actor: User | None, params: dict[str, Any]) -> str | None:
    if not dossier.result_body:
        return str(_l("There is no proposed result to approve."))
    return None


_OFFICER_ACTIVE = frozenset({S.ACCEPTED, S.IN_PROCESS, S.PENDING_APPROVAL})

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("submit", _l("Submit"), frozenset({S.DRAFT}), S.SUBMITTED, frozenset({"citizen", "intake"}),
                   notification="dossier_submitted"),
        Transition("accept", _l("Accept the dossier"), frozenset({S.SUBMITTED}), S.ACCEPTED, frozenset({"intake"}),
                   notification="dossier_accepted"),
        Transition("refuse", _l("Refuse to accept (slip 03)"), frozenset({S.SUBMITTED}), S.NOT_ACCEPTED,
                   frozenset({"intake"}), requires_note=True, notification="dossier_refused"),
        Transition("request_supplement", _l("Request a supplement (slip 02)"),
                   frozenset({S.SUBMITTED, S.ACCEPTED, S.IN_PROCESS}), S.SUPPLEMENT_REQUESTED,
                   frozenset({"intake", "specialist"}), requires_note=True, notification="supplement_requested",
                   input_guards=(_needs_items,)),
        Transition("supplement", _l("Send the supplement"), frozenset({S.SUPPLEMENT_REQUESTED}), None,
                   frozenset({"citizen"}), notification="supplement_received"),
        Transition("assign", _l("Assign to a specialist"), frozenset({S.ACCEPTED, S.IN_PROCESS}), S.IN_PROCESS,
                   frozenset({"intake", "leader"}), input_guards=(_needs_assignee,), is_public=False),
        Transition("propose_result", _l("Propose the result for approval"), frozenset({S.IN_PROCESS}),
                   S.PENDING_APPROVAL, frozenset({"specialist"}), requires_note=True,
                   guards=(_assigned_specialist,), is_public=False),
        Transition("send_back", _l("Send back to the specialist"), frozenset({S.PENDING_APPROVAL}), S.IN_PROCESS,
                   frozenset({"leader"}), requires_note=True, is_public=False),
        Transition("approve", _l("Approve and sign the result"), frozenset({S.PENDING_APPROVAL}), S.RESULT_READY,
                   frozenset({"leader"}), notification="result_ready", guards=(_has_result,)),
        Transition("request_payment", _l("Request payment of the fee"), frozenset({S.IN_PROCESS}),
                   S.PAYMENT_REQUESTED, frozenset({"specialist"}), requires_note=True,
                   notification="payment_requested"),
        Transition("record_payment", _l("Record the payment"), frozenset({S.PAYMENT_REQUESTED}), S.IN_PROCESS,
                   frozenset({"citizen", "intake"}), notification="payment_received"),
        Transition("propose_extension", _l("Propose an apology and a new appointment"), _OFFICER_ACTIVE, None,
                   frozenset({"specialist"}), requires_note=True, input_guards=(_needs_new_due,), is_public=False),
        Transition("approve_extension", _l("Approve the apology and new appointment (slip 04)"), _OFFICER_ACTIVE,
                   None, frozenset({"leader"}), notification="extension_approved", guards=(_has_proposed_extension,)),
        Transition("stop", _l("Stop processing (slip 05)"), OPEN_STATES, S.STOPPED, frozenset({"leader"}),
                   requires_note=True, notification="processing_stopped"),
        Transition("withdraw", _l("Withdraw my dossier"), WITHDRAWABLE, S.WITHDRAWN, frozenset({"citizen"}),
                   notification="dossier_withdrawn"),
        Transition("return_online", _l("Return the result online"), frozenset({S.RESULT_READY}), S.RETURNED,
                   frozenset({"intake"}), notification="result_returned", guards=(_delivery_is("online"),)),
        Transition("return_counter", _l("Hand the result over at the counter"), frozenset({S.RESULT_READY}),
                   S.RETURNED, frozenset({"intake"}), requires_note=True, notification="result_returned"),
        Transition("ship", _l("Send the result by post"), frozenset({S.RESULT_READY}), S.SHIPPED,
                   frozenset({"intake"}), notification="result_shipped", guards=(_delivery_is("post"),)),
        Transition("deliver", _l("Record delivery by the post"), frozenset({S.SHIPPED}), S.RETURNED,
                   frozenset({"intake"}), notification="result_returned"),
        Transition("return_to_sender", _l("Record return to sender"), frozenset({S.SHIPPED}), S.RESULT_READY,
                   frozenset({"intake"}), requires_note=True, notification="result_undelivered"),
    )
}


def actor_role(actor: User | None) -> str:
    if actor is None:
        return "system"
    return "citizen" if actor.is_citizen else (actor.role or "officer")


def refusal_reason(dossier: Dossier, name: str, actor: User | None, note: str, params: dict[str, Any]) -> str | None:
    """Why ``actor`` may not take action ``name`` now, or None when they may."""
    transition = TRANSITIONS[name]
    role = actor_role(actor)
    if role not in transition.roles:
        return str(_l("Your role cannot do this."))
    if actor is not None and actor.is_officer and actor.agency_id != dossier.agency_id:
        return str(_l("This dossier belongs to another agency."))
    if actor is not None and actor.is_citizen and dossier.applicant_personal_id != actor.personal_id:
        return str(_l("This is not your dossier."))
    if Status(dossier.status) not in transition.sources:
        return str(_l("This cannot be done while the dossier is “%(status)s”.", status=status_label(dossier.status)))
    if transition.requires_note and not note.strip():
        return str(_l("Write the reason or note: the citizen and the record need it."))
    for guard in (*transition.guards, *transition.input_guards):
        message = guard(dossier, actor, params)
        if message:
            return message
    return None


def available_actions(dossier: Dossier, actor: User | None) -> list[Transition]:
    """The actions ``actor`` could take now (notes and parameters are asked on the form)."""
    role = actor_role(actor)
    return [
        t for t in TRANSITIONS.values()
        if t.name != "submit" and role in t.roles and Status(dossier.status) in t.sources
        and not any(guard(dossier, actor, {}) for guard in t.guards)
    ]


def apply_transition(
    dossier: Dossier,
    name: str,
    actor: User | None,
    *,
    public_note: str = "",
    internal_note: str = "",
    now: datetime | None = None,
    **params: Any,
) -> DossierEvent:
    reason = refusal_reason(dossier, name, actor, public_note or internal_note, params)
    if reason:
        raise TransitionRefused(reason)
    transition = TRANSITIONS[name]
    now = now or datetime.now(VN_TZ)
    previous = Status(dossier.status)
    target = _effects(dossier, transition, actor, now, public_note or internal_note, params)
    event = DossierEvent(
        dossier=dossier,
        action=name,
        actor_id=actor.id if actor else None,
        actor_role=actor_role(actor),
        from_status=previous.value,
        to_status=target.value,
        public_note=public_note if transition.is_public else "",
        internal_note=internal_note if transition.is_public else (internal_note or public_note),
        at=to_db(now),
    )
    dossier.status = target.value
    db.session.add(event)
    if transition.notification:
        queue_dossier_notification(dossier, transition.notification, note=public_note if transition.is_public else "")
    db.session.flush()
    return event


def _effects(dossier: Dossier, t: Transition, actor: User | None, now: datetime, note: str, params: dict[str, Any]) -> Status:
    """The clock and record effects of a transition; returns the status it leads to."""
    policy = dossier.procedure_snapshot["supplement_policy"]
    name = t.name
    if name == "accept":
        dossier.accepted_at = to_db(now)
        clock.record(dossier, ClockEventKind.START, now, actor)
    elif name == "request_supplement":
        dossier.supplement_items = list(params["items"])
        dossier.supplement_return_status = dossier.status
        dossier.has_new_supplement = False
        if dossier.clock and not dossier.is_clock_paused:
            clock.record(dossier, ClockEventKind.PAUSE, now, actor, reason="supplement")
    elif name == "supplement":
        dossier.has_new_supplement = True
        dossier.count_attachments()
        if dossier.clock and dossier.is_clock_paused:
            kind = ClockEventKind.RESTART if policy == "restart" else ClockEventKind.RESUME
            clock.record(dossier, kind, now, actor, reason="supplement")
        return Status(dossier.supplement_return_status or S.SUBMITTED)
    elif name == "assign":
        dossier.assigned_to_id = params["assignee"].id
    elif name == "propose_result":
        dossier.result_body = note
        dossier.is_result_refusal = bool(params.get("is_refusal"))
    elif name == "approve":
        dossier.completed_at = to_db(now)
        clock.record(dossier, ClockEventKind.CLOSE, now, actor)
        if params.get("result_document") is not None:
            dossier.result_document = params["result_document"]
    elif name == "request_payment":
        dossier.payment_status = "requested"
        dossier.fee_amount = int(params.get("amount") or dossier.fee_amount)
        clock.record(dossier, ClockEventKind.PAUSE, now, actor, reason="payment")
    elif name == "record_payment":
        # The citizen pays through the gateway; an officer records a payment made at the counter.
        dossier.payment_status = "counter" if actor is not None and actor.is_officer else "paid"
        clock.record(dossier, ClockEventKind.RESUME, now, actor, reason="payment")
    elif name == "propose_extension":
        dossier.extension_due_at = to_db(params["new_due_at"])
        dossier.extension_reason = note
    elif name == "approve_extension":
        clock.record(dossier, ClockEventKind.EXTEND, now, actor, reason=dossier.extension_reason or note,
                     due_at=from_db(dossier.extension_due_at))
        dossier.extension_due_at = None
    elif name in ("stop", "withdraw"):
        if dossier.clock and Status(dossier.status) in OPEN_STATES:
            clock.record(dossier, ClockEventKind.STOP, now, actor, reason=name)
    elif name in ("return_online", "return_counter", "deliver"):
        dossier.returned_at = to_db(now)
    elif name == "ship":
        dossier.postal_tracking_number = params.get("tracking_number")
    elif name == "return_to_sender":
        dossier.postal_tracking_number = None
    return t.target if t.target is not None else Status(dossier.status)
