"""What a gateway callback leads to, after the payment is recorded.

1. :func:`portal.payments.operations.record_outcome` records the outcome first.
2. The step the payment was for follows in a savepoint: submitting the draft, or resuming a
   dossier that waited for a requested fee. Whatever that step does (refused, changed
   meanwhile, crashed), the payment stays recorded and is committed with the request.
3. A success that can no longer serve — the fee was paid already, or the dossier was withdrawn,
   stopped or not accepted meanwhile — is kept with its refund due, and the payer is told so.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import current_app

from portal.auth.models import User
from portal.dossiers.models import Dossier
from portal.dossiers.states import Status
from portal.extensions import db
from portal.payments.models import REQUESTED, SUBMISSION, Payment, Refund
from portal.payments.operations import record_outcome, refund_due
from portal.submission.operations import submit_dossier
from portal.workflow.transitions import apply_transition

# A dossier in one of these states takes no more fees: a payment arriving now is refunded.
_ENDED = {Status.WITHDRAWN.value: "withdrawn", Status.STOPPED.value: "stopped", Status.NOT_ACCEPTED.value: "not_accepted"}


@dataclass(frozen=True)
class Settlement:
    """What a gateway callback led to, for the page the payer lands on."""

    payment: Payment
    dossier: Dossier
    is_first_success: bool
    step: str | None  # "submit" a draft, or "record_payment" of a fee requested during processing
    is_step_done: bool
    refund: Refund | None  # due because the success could not serve


def settle_callback(fields: Mapping[str, str], payer: User | None) -> Settlement:
    """Record a verified callback, then take the step it pays for (raises ``PaymentError``)."""
    outcome = record_outcome(fields)
    payment = outcome.payment
    dossier = payment.dossier
    actor = dossier.applicant or payer  # a counter dossier has no account: the signed-in payer
    step, is_step_done, refund = None, False, outcome.duplicate_refund
    if outcome.is_first_success and refund is None:
        if dossier.status in _ENDED:
            refund = refund_due(payment, _ENDED[dossier.status])
        elif payment.purpose == SUBMISSION and dossier.is_draft:
            step = "submit"
            is_step_done = _then(payment, lambda: submit_dossier(dossier, actor, payment_status="paid"))
        elif payment.purpose == REQUESTED:
            step = "record_payment"
            if dossier.status == Status.PAYMENT_REQUESTED.value:
                is_step_done = _then(
                    payment, lambda: apply_transition(dossier, "record_payment", actor, public_note=payment.reference)
                )
            if not is_step_done and dossier.status != Status.PAYMENT_REQUESTED.value:
                # The dossier moved on meanwhile: ended (withdrawn, stopped), or the fee was recorded
                # at the counter. Either way this payment is paid back.
                refund = refund_due(payment, _ENDED.get(dossier.status, "duplicate"))
    return Settlement(payment, dossier, outcome.is_first_success, step, is_step_done, refund)


def _then(payment: Payment, step: Callable[[], object]) -> bool:
    """Run the step after a recorded payment in a savepoint; its failure never undoes the payment."""
    try:
        with db.session.begin_nested():
            step()
    except Exception as exc:  # noqa: BLE001 - any failure: the payment is kept, the step is not
        current_app.logger.warning("Payment %s is recorded; the step after it failed: %r", payment.reference, exc)
        return False
    return True
