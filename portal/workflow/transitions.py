"""Transitions of a dossier: who may do what, from which state, and what it leaves behind.

1. ``apply_transition`` looks the action up in ``TRANSITIONS``, checks the actor's role, the
   agency, the current state, the required note and the action's own guard — anything else is
   refused with a ``TransitionRefused`` whose message tells the user why, and nothing changes;
2. sets the new status — this module is the only writer of ``Dossier.status``;
3. applies the clock effect (START, PAUSE, RESUME, RESTART, EXTEND, STOP, CLOSE);
4. appends a ``DossierEvent`` and queues the notification and, when the national status code or
   the appointment changed, the message to the national portal — in the same transaction.

Each transition names its effects (``Transition.effects``): what the state change guarantees
whatever triggers it — a view, the demo seed, a test. "Accept" starts the clock and stores the
binding appointment of slip 01; "approve" closes the clock and issues the signed result
(:mod:`portal.workflow.results`); "ship" leaves a valid postal tracking number. The effects and
the event run inside a savepoint: a refusal raised by an effect (a signature that fails, a
tracking number that is not one) leaves the dossier exactly as it was.

Slips are rendered on demand from the dossier and its events (:mod:`portal.workflow.slips`), so
a slip that fails to render never blocks a transition and can always be made again.
Legal frame: Nghị định 118/2025/NĐ-CP and Thông tư 03/2025/TT-VPCP (one-stop mechanism,
slips 01–07); status codes of the national portal (DESIGN §2).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal.auth.models import User
from portal.deadlines import VN_TZ, ClockEventKind
from portal.dossiers.models import Dossier, DossierEvent
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.notifications.national import queue_status_change
from portal.notifications.operations import queue_dossier_notification
from portal.payments.operations import refund_paid_fees
from portal.timeutil import from_db, to_db
from portal.dossiers.postal import is_valid_tracking_number, new_tracking_number
from portal.registry.client import RegistryUnavailable
from portal.workflow import clock, linked
from portal.workflow.limits import extension_working_days, is_supplement_late, latest_extension, supplement_limit
from portal.paperwork import UnknownResultForm
from portal.workflow.result_draft import missing_choices
from portal.workflow.results import RegisterDown, SigningFailed, issue_signed_result, verify_url
from portal.dossiers.states import OPEN_STATES, WITHDRAWABLE, Status, national_code, status_label

S = Status
K = ClockEventKind


class TransitionRefused(Exception):
    """The action is not allowed now; ``str(exc)`` tells the user why."""


Guard = Callable[[Dossier, User | None, dict[str, Any]], str | None]


@dataclass
class Change:
    """A transition being applied. Effects read it, change the dossier, and may set where the
    dossier goes (``target``) or the note the citizen reads (``public_note``)."""

    action: str
    dossier: Dossier
    actor: User | None
    now: datetime
    note: str
    params: dict[str, Any]
    target: Status
    public_note: str


Effect = Callable[[Change], None]


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
    effects: tuple[Effect, ...] = field(default_factory=tuple)  # what the state change guarantees
    # The clock-ledger entries the effects may append (some only while the clock runs): stated
    # here so that rows written outside ``apply_transition`` (the demo history) can be checked.
    clock: frozenset[ClockEventKind] = frozenset()


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
    """A new appointment after the current one, within the procedure's allowed extension
    (:mod:`portal.workflow.limits`): compared, never computed from, so any date is cheap."""
    new_due = params.get("new_due_at")
    if new_due is None:
        return str(_l("Give the new appointment."))
    if dossier.due_at is not None and new_due <= from_db(dossier.due_at):
        return str(_l("The new appointment must be later than the current one."))
    latest = latest_extension(dossier)
    if latest is not None and new_due > latest:
        return str(_l(
            "The new appointment may be at most %(days)d working days after the current one: by %(latest)s.",
            days=extension_working_days(dossier), latest=latest.strftime("%H:%M %d/%m/%Y"),
        ))
    return None


def _supplement_time_is_up(dossier: Dossier, actor: User | None, params: dict[str, Any]) -> str | None:
    if not is_supplement_late(dossier, datetime.now(VN_TZ)):
        return str(_l("The citizen still has time to send the supplement."))
    return None


def _has_proposed_extension(dossier: Dossier, actor: User | None, params: dict[str, Any]) -> str | None:
    if dossier.extension_due_at is None:
        return str(_l("No extension has been proposed."))
    return None


def _has_result(dossier: Dossier, actor: User | None, params: dict[str, Any]) -> str | None:
    if not dossier.result_body:
        return str(_l("There is no proposed result to approve."))
    return None


def _result_lines_chosen(dossier: Dossier, actor: User | None, params: dict[str, Any]) -> str | None:
    """Nothing the template leaves without a default (the convictions of a judicial record) is
    signed before the specialist has chosen it on the result draft."""
    try:
        missing = [] if dossier.is_result_refusal else missing_choices(dossier)
    except UnknownResultForm:
        return None
    if missing:
        return str(_l("Choose the content of “%(line)s” on the result draft before approving.", line=missing[0]))
    return None


def _not_waiting(dossier: Dossier, actor: User | None, params: dict[str, Any]) -> str | None:
    """A component of a linked dossier that needs another's result is received when that result
    is signed (``receive_linked``), not before: its clock cannot start on nothing."""
    lead = linked.awaited(dossier)
    if lead is not None:
        return str(_l("This dossier waits for the result of “%(procedure)s” (%(code)s); it is received when that "
                      "result is signed.", procedure=lead.procedure_snapshot["name_vi"], code=lead.code))
    return None


def _replan_moves_later(dossier: Dossier, actor: User | None, params: dict[str, Any]) -> str | None:
    """A re-plan never brings a promise earlier (nor leaves it where it is): ``planned_due_at``
    is the appointment under the calendar standing now (``workflow.replan.preview``)."""
    planned = params.get("planned_due_at")
    if planned is None or (dossier.due_at is not None and planned <= from_db(dossier.due_at)):
        return str(_l("The new calendar would not move this appointment later: it keeps its appointment."))
    return None


# --- effects: what each transition guarantees, whoever triggers it ------------------------------

def _start_clock(change: Change) -> None:
    """The clock starts at acceptance and the due time it gives is the binding appointment of
    slip 01 (DESIGN §5)."""
    change.dossier.accepted_at = to_db(change.now)
    clock.record(change.dossier, ClockEventKind.START, change.now, change.actor)


def _pause_for_supplement(change: Change) -> None:
    """The clock pauses (once accepted) and the citizen gets the procedure's time limit to
    supplement (:mod:`portal.workflow.limits`), printed on slip 02."""
    dossier = change.dossier
    dossier.supplement_items = list(change.params["items"])
    dossier.supplement_due_at = to_db(supplement_limit(dossier, change.now))
    dossier.supplement_reminded_at = None
    dossier.supplement_return_status = dossier.status
    dossier.has_new_supplement = False
    if dossier.clock and not dossier.is_clock_paused:
        clock.record(dossier, ClockEventKind.PAUSE, change.now, change.actor, reason="supplement")


def _resume_after_supplement(change: Change) -> None:
    """Back where the request was made; the clock resumes, or restarts under policy ``restart``."""
    dossier = change.dossier
    dossier.has_new_supplement = True
    dossier.count_attachments()
    if dossier.clock and dossier.is_clock_paused:
        restart = dossier.procedure_snapshot["supplement_policy"] == "restart"
        kind = ClockEventKind.RESTART if restart else ClockEventKind.RESUME
        clock.record(dossier, kind, change.now, change.actor, reason="supplement")
    change.target = Status(dossier.supplement_return_status or S.SUBMITTED)


def _replan(change: Change) -> None:
    """The appointment follows the calendar standing now (the administrator's decision, after a
    change to the calendar); the clock's ledger is unchanged."""
    change.dossier.calendar_as_of = to_db(change.now)
    clock.refresh(change.dossier)


def _assign(change: Change) -> None:
    change.dossier.assigned_to_id = change.params["assignee"].id


def _keep_proposal(change: Change) -> None:
    change.dossier.result_body = change.note
    change.dossier.is_result_refusal = bool(change.params.get("is_refusal"))


def _issue_signed_result(change: Change) -> None:
    """No dossier is approved without its signed result stored: a signature that fails refuses
    the approval. A linked birth registration registers the child first: its extract prints
    the child's personal ID."""
    dossier = change.dossier
    try:
        linked.register_newborn(dossier)
        dossier.result_document = issue_signed_result(dossier, change.actor, change.now)
    except (RegisterDown, RegistryUnavailable) as exc:
        raise TransitionRefused(str(_l("The population register does not answer; try again in a moment."))) from exc
    except SigningFailed as exc:
        raise TransitionRefused(str(_l(
            "The result could not be signed with the agency's certificate, so nothing was changed. "
            "Try again; if it keeps failing, tell the administrator."
        ))) from exc
    dossier.completed_at = to_db(change.now)
    clock.record(dossier, ClockEventKind.CLOSE, change.now, change.actor)


def _pause_for_payment(change: Change) -> None:
    dossier = change.dossier
    dossier.payment_status = "requested"
    dossier.fee_amount = int(change.params.get("amount") or dossier.fee_amount)
    clock.record(dossier, ClockEventKind.PAUSE, change.now, change.actor, reason="payment")


def _resume_after_payment(change: Change) -> None:
    # The citizen pays through the gateway; an officer records a payment made at the counter.
    actor = change.actor
    change.dossier.payment_status = "counter" if actor is not None and actor.is_officer else "paid"
    clock.record(change.dossier, ClockEventKind.RESUME, change.now, actor, reason="payment")


def _keep_extension(change: Change) -> None:
    change.dossier.extension_due_at = to_db(change.params["new_due_at"])
    change.dossier.extension_reason = change.note


def _extend(change: Change) -> None:
    dossier = change.dossier
    clock.record(dossier, ClockEventKind.EXTEND, change.now, change.actor,
                 reason=dossier.extension_reason or change.note, due_at=from_db(dossier.extension_due_at))
    dossier.extension_due_at = None


def _stop_clock(change: Change) -> None:
    dossier = change.dossier
    if dossier.clock and Status(dossier.status) in OPEN_STATES:
        clock.record(dossier, ClockEventKind.STOP, change.now, change.actor, reason=change.action)


def _mark_returned(change: Change) -> None:
    change.dossier.returned_at = to_db(change.now)


def _give_tracking_number(change: Change) -> None:
    """The envelope always carries a valid tracking number: the one typed, or a new one."""
    number = str(change.params.get("tracking_number") or "").strip().upper() or new_tracking_number()
    if not is_valid_tracking_number(number):
        raise TransitionRefused(str(_l("This is not a valid postal tracking number (like EB123456785VN).")))
    change.dossier.postal_tracking_number = number
    if not change.public_note:
        change.public_note = str(_l("Tracking number %(number)s", number=number))


def _forget_tracking_number(change: Change) -> None:
    change.dossier.postal_tracking_number = None


def _close_unsupplemented(change: Change) -> None:
    """The supplement's time limit passed without it: a dossier not yet accepted is not
    accepted (slip 03), an accepted one is stopped (slip 05) — Mẫu 03 and 05 of Thông tư
    03/2025/TT-VPCP, annex I; the citizen is told why. Where the limit comes from, and what the
    law says and does not: :mod:`portal.workflow.limits`."""
    dossier = change.dossier
    accepted = dossier.supplement_return_status not in (None, S.SUBMITTED.value)
    change.target = S.STOPPED if accepted else S.NOT_ACCEPTED
    if not change.public_note:
        change.public_note = str(_l(
            "The documents asked for in the supplement request (slip 02) were not sent by %(limit)s, "
            "the time limit it gave, so the dossier is closed as not supplemented.",
            limit=from_db(dossier.supplement_due_at).strftime("%H:%M %d/%m/%Y"),
        ))


def _follow_linked(change: Change) -> None:
    """A component of a linked dossier that ends passes it on to the components waiting for it
    (:mod:`portal.workflow.linked`): a signed result releases them — a birth registration adds
    the child to the population register first — and their agencies receive them, their clock
    starting now; an end without a result stops them with its reason."""
    dossier = change.dossier
    if dossier.linked is None:
        return
    if change.target is S.RESULT_READY and not dossier.is_result_refusal:
        try:
            released = linked.release_waiting(dossier, change.now)
        except RegistryUnavailable as exc:
            raise TransitionRefused(str(_l("The population register does not answer; try again in a moment."))) from exc
        for waiting in released:
            apply_transition(waiting, "receive_linked", None, now=change.now, public_note=linked.received_note(dossier))
        return
    reason = linked.ending_reason(dossier, change.public_note or change.note)
    for component in linked.waiting_on(dossier):
        apply_transition(component.dossier, "stop_linked", None, now=change.now,
                         public_note=linked.stop_note(dossier, reason))


_ENDING_REASONS = {S.NOT_ACCEPTED: "not_accepted", S.WITHDRAWN: "withdrawn", S.STOPPED: "stopped"}


def _refund_paid_fees(change: Change) -> None:
    """A dossier that ends without a result owes back every fee paid on it (hoàn phí)."""
    refund_paid_fees(change.dossier, _ENDING_REASONS[change.target])


_OFFICER_ACTIVE = frozenset({S.ACCEPTED, S.IN_PROCESS, S.PENDING_APPROVAL})

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        # "system": a component of a linked dossier sent on to its agency (portal.submission.linked).
        Transition("submit", _l("Submit"), frozenset({S.DRAFT}), S.SUBMITTED, frozenset({"citizen", "intake", "system"}),
                   notification="dossier_submitted"),
        Transition("accept", _l("Accept the dossier"), frozenset({S.SUBMITTED}), S.ACCEPTED, frozenset({"intake"}),
                   notification="dossier_accepted", guards=(_not_waiting,),
                   effects=(_start_clock,), clock=frozenset({K.START})),
        Transition("receive_linked", _l("Received through the linked procedure"), frozenset({S.SUBMITTED}),
                   S.ACCEPTED, frozenset({"system"}), requires_note=True, notification="dossier_accepted",
                   effects=(_start_clock,), clock=frozenset({K.START})),
        Transition("refuse", _l("Refuse to accept (slip 03)"), frozenset({S.SUBMITTED}), S.NOT_ACCEPTED,
                   frozenset({"intake"}), requires_note=True, notification="dossier_refused",
                   effects=(_refund_paid_fees, _follow_linked)),
        Transition("request_supplement", _l("Request a supplement (slip 02)"),
                   frozenset({S.SUBMITTED, S.ACCEPTED, S.IN_PROCESS}), S.SUPPLEMENT_REQUESTED,
                   frozenset({"intake", "specialist"}), requires_note=True, notification="supplement_requested",
                   guards=(_not_waiting,), input_guards=(_needs_items,),
                   effects=(_pause_for_supplement,), clock=frozenset({K.PAUSE})),
        Transition("supplement", _l("Send the supplement"), frozenset({S.SUPPLEMENT_REQUESTED}), None,
                   frozenset({"citizen"}), notification="supplement_received",
                   effects=(_resume_after_supplement,), clock=frozenset({K.RESUME, K.RESTART})),
        Transition("assign", _l("Assign to a specialist"), frozenset({S.ACCEPTED, S.IN_PROCESS}), S.IN_PROCESS,
                   frozenset({"intake", "leader"}), input_guards=(_needs_assignee,), is_public=False,
                   effects=(_assign,)),
        Transition("propose_result", _l("Propose the result for approval"), frozenset({S.IN_PROCESS}),
                   S.PENDING_APPROVAL, frozenset({"specialist"}), requires_note=True,
                   guards=(_assigned_specialist,), is_public=False,
                   effects=(_keep_proposal,)),
        Transition("send_back", _l("Send back to the specialist"), frozenset({S.PENDING_APPROVAL}), S.IN_PROCESS,
                   frozenset({"leader"}), requires_note=True, is_public=False),
        Transition("approve", _l("Approve and sign the result"), frozenset({S.PENDING_APPROVAL}), S.RESULT_READY,
                   frozenset({"leader"}), notification="result_ready", guards=(_has_result,),
                   input_guards=(_result_lines_chosen,),
                   effects=(_issue_signed_result, _follow_linked), clock=frozenset({K.CLOSE})),
        Transition("request_payment", _l("Request payment of the fee"), frozenset({S.IN_PROCESS}),
                   S.PAYMENT_REQUESTED, frozenset({"specialist"}), requires_note=True,
                   notification="payment_requested",
                   effects=(_pause_for_payment,), clock=frozenset({K.PAUSE})),
        Transition("record_payment", _l("Record the payment"), frozenset({S.PAYMENT_REQUESTED}), S.IN_PROCESS,
                   frozenset({"citizen", "intake"}), notification="payment_received",
                   effects=(_resume_after_payment,), clock=frozenset({K.RESUME})),
        Transition("propose_extension", _l("Propose an apology and a new appointment"), _OFFICER_ACTIVE, None,
                   frozenset({"specialist"}), requires_note=True, input_guards=(_needs_new_due,), is_public=False,
                   effects=(_keep_extension,)),
        Transition("approve_extension", _l("Approve the apology and new appointment (slip 04)"), _OFFICER_ACTIVE,
                   None, frozenset({"leader"}), notification="extension_approved", guards=(_has_proposed_extension,),
                   effects=(_extend,), clock=frozenset({K.EXTEND})),
        Transition("replan", _l("Re-plan the appointment after a change to the working calendar"), OPEN_STATES,
                   None, frozenset({"admin"}), requires_note=True, notification="appointment_replanned",
                   input_guards=(_replan_moves_later,), effects=(_replan,)),
        Transition("stop", _l("Stop processing (slip 05)"), OPEN_STATES, S.STOPPED, frozenset({"leader"}),
                   requires_note=True, notification="processing_stopped",
                   effects=(_stop_clock, _refund_paid_fees, _follow_linked), clock=frozenset({K.STOP})),
        Transition("stop_linked", _l("Stopped: a linked procedure it needs ended without a result (slip 05)"),
                   frozenset({S.SUBMITTED, *OPEN_STATES}), S.STOPPED, frozenset({"system"}), requires_note=True,
                   notification="processing_stopped",
                   effects=(_stop_clock, _refund_paid_fees), clock=frozenset({K.STOP})),
        Transition("withdraw", _l("Withdraw my dossier"), WITHDRAWABLE, S.WITHDRAWN, frozenset({"citizen"}),
                   notification="dossier_withdrawn",
                   effects=(_stop_clock, _refund_paid_fees, _follow_linked), clock=frozenset({K.STOP})),
        Transition("close_unsupplemented", _l("Close as not supplemented in time"),
                   frozenset({S.SUPPLEMENT_REQUESTED}), None, frozenset({"intake"}),
                   notification="dossier_not_supplemented", guards=(_supplement_time_is_up,),
                   effects=(_close_unsupplemented, _stop_clock, _refund_paid_fees, _follow_linked),
                   clock=frozenset({K.STOP})),
        Transition("return_online", _l("Return the result online"), frozenset({S.RESULT_READY}), S.RETURNED,
                   frozenset({"intake"}), notification="result_returned", guards=(_delivery_is("online"),),
                   effects=(_mark_returned,)),
        Transition("return_counter", _l("Hand the result over at the counter"), frozenset({S.RESULT_READY}),
                   S.RETURNED, frozenset({"intake"}), requires_note=True, notification="result_returned",
                   effects=(_mark_returned,)),
        Transition("ship", _l("Send the result by post"), frozenset({S.RESULT_READY}), S.SHIPPED,
                   frozenset({"intake"}), notification="result_shipped", guards=(_delivery_is("post"),),
                   effects=(_give_tracking_number,)),
        Transition("deliver", _l("Record delivery by the post"), frozenset({S.SHIPPED}), S.RETURNED,
                   frozenset({"intake"}), notification="result_returned",
                   effects=(_mark_returned,)),
        Transition("return_to_sender", _l("Record return to sender"), frozenset({S.SHIPPED}), S.RESULT_READY,
                   frozenset({"intake"}), requires_note=True, notification="result_undelivered",
                   effects=(_forget_tracking_number,)),
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
    if actor is not None and actor.is_officer and role != "admin" and actor.agency_id != dossier.agency_id:
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


def check_step(action: str, from_status: str, to_status: str, role: str) -> str | None:
    """Why a step recorded without ``apply_transition`` (the demo history writes its events in
    bulk) is one the table does not allow, or None. Only the table is checked: the action, the
    roles, where it may start and where it leads; the guards read a dossier, which a step lacks."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return f"unknown action {action!r}"
    if role not in transition.roles:
        return f"{action} is not for the role {role!r}"
    if from_status not in transition.sources:
        return f"{action} cannot start from {from_status!r}"
    targets: frozenset[str]
    if transition.target is not None:
        targets = frozenset({transition.target})
    elif action == "supplement":  # back where the request was made (``_resume_after_supplement``)
        targets = TRANSITIONS["request_supplement"].sources
    elif action == "close_unsupplemented":  # ``_close_unsupplemented``
        targets = frozenset({S.NOT_ACCEPTED, S.STOPPED})
    else:
        targets = frozenset({from_status})
    if to_status not in targets:
        return f"{action} from {from_status!r} cannot lead to {to_status!r}"
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
    """Take action ``name`` on ``dossier``: refused (``TransitionRefused``) with nothing changed,
    or done with its effects, its event and its notification."""
    reason = refusal_reason(dossier, name, actor, public_note or internal_note, params)
    if reason:
        raise TransitionRefused(reason)
    transition = TRANSITIONS[name]
    previous = Status(dossier.status)
    previous_due = dossier.due_at
    change = Change(
        action=name, dossier=dossier, actor=actor, now=now or datetime.now(VN_TZ), note=public_note or internal_note,
        params=params, target=transition.target or previous, public_note=public_note,
    )
    with db.session.begin_nested():
        for effect in transition.effects:
            effect(change)
        shown = change.public_note if transition.is_public else ""
        event = DossierEvent(
            dossier=dossier,
            action=name,
            actor_id=actor.id if actor else None,
            actor_role=actor_role(actor),
            from_status=previous.value,
            to_status=change.target.value,
            public_note=shown,
            internal_note=internal_note if transition.is_public else (internal_note or public_note),
            at=to_db(change.now),
        )
        dossier.status = change.target.value
        db.session.add(event)
        if transition.notification:
            queue_dossier_notification(dossier, transition.notification, note=shown)
        _tell_the_national_portal(change, previous, previous_due)
        db.session.flush()
    return event


def _tell_the_national_portal(change: Change, previous: Status, previous_due: datetime | None) -> None:
    """The national portal hears of each change of the national status code (1–10) and of the
    appointment, through its outbox (:mod:`portal.notifications.national`)."""
    dossier, before = change.dossier, national_code(previous)
    if national_code(change.target) == before and dossier.due_at == previous_due:
        return
    token = dossier.result_token if dossier.result_document is not None else None
    queue_status_change(dossier, action=change.action, changed_at=change.now, previous_code=before,
                        verification_url=verify_url(token) if token else None)
