"""Paying the fee through the mock payment gateway.

1. ``start_payment`` records a pending payment with a fresh reference and builds the signed
   redirect to the gateway.
2. The gateway sends the browser back with the outcome, signed with HMAC-SHA256 over the
   fields in a fixed order (as VNPay-style gateways do).
3. ``complete_payment`` verifies the signature and the amount, and is idempotent: a callback
   replayed or repeated changes nothing after the first. Callbacks for one payment that arrive
   at the same moment wait for each other (the payment's row is locked), so only the first
   sees it pending.
4. ``settle_callback`` records the outcome first, then takes the step the payment was for —
   submitting the draft, or resuming a dossier that waited for the fee — inside a savepoint.
   Whatever that step does (refused, changed meanwhile, crashed), the confirmed payment stays
   recorded and is committed with the request: money the gateway took is never forgotten.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import exists, select

from portal.auth.models import User
from portal.dossiers.models import Dossier
from portal.dossiers.states import Status
from portal.extensions import db
from portal.payments.models import Payment
from portal.submission.operations import submit_dossier
from portal.timeutil import utcnow
from portal.workflow.transitions import apply_transition

SIGNED_FIELDS = ("reference", "amount", "status", "transaction")
OUTCOMES = ("success", "failed", "cancelled")


class PaymentError(ValueError):
    """A callback that cannot be trusted or does not match; ``code`` names the problem."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sign(fields: Mapping[str, str]) -> str:
    message = "&".join(f"{name}={fields.get(name, '')}" for name in SIGNED_FIELDS)
    key = current_app.config["PAYMENT_SECRET"].encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def start_payment(dossier: Dossier) -> Payment:
    payment = Payment(
        reference=f"PAY{datetime.now():%y%m%d}{secrets.token_hex(6).upper()}",
        dossier_id=dossier.id,
        amount=dossier.fee_amount,
        status="pending",
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def verify_callback(fields: Mapping[str, str]) -> Payment:
    """The payment a callback is about, after checking signature, outcome and amount."""
    signature = fields.get("signature", "")
    # As bytes: comparing text refuses non-ASCII input with a TypeError instead of a mismatch.
    if not hmac.compare_digest(signature.encode(), sign(fields).encode()):
        raise PaymentError("signature")
    if fields.get("status") not in OUTCOMES:
        raise PaymentError("status")
    payment = db.session.execute(
        select(Payment).where(Payment.reference == fields.get("reference", "")).with_for_update()
    ).scalar_one_or_none()
    if payment is None:
        raise PaymentError("reference")
    if str(payment.amount) != fields.get("amount"):
        raise PaymentError("amount")
    return payment


def complete_payment(payment: Payment, fields: Mapping[str, str]) -> bool:
    """Record the outcome; returns True only the first time a payment succeeds."""
    if payment.status != "pending":
        return False
    outcome = fields["status"]
    payment.status = {"success": "paid", "failed": "failed", "cancelled": "cancelled"}[outcome]
    payment.gateway_transaction = fields.get("transaction") or None
    payment.completed_at = utcnow()
    db.session.flush()
    return payment.status == "paid"


def has_paid(dossier: Dossier) -> bool:
    """Whether a payment of this dossier's fee went through on the gateway."""
    return bool(db.session.execute(
        select(exists().where(Payment.dossier_id == dossier.id, Payment.status == "paid"))
    ).scalar())


@dataclass(frozen=True)
class Settlement:
    """What a gateway callback led to, for the page the payer lands on."""

    payment: Payment
    dossier: Dossier
    is_first_success: bool
    step: str | None  # "submit" a draft, or "record_payment" of a fee requested during processing
    is_step_done: bool


def settle_callback(fields: Mapping[str, str], payer: User | None) -> Settlement:
    """Record a verified callback, then take the step it pays for (raises ``PaymentError``)."""
    payment = verify_callback(fields)
    is_first_success = complete_payment(payment, fields)
    dossier = payment.dossier
    actor = dossier.applicant or payer  # a counter dossier has no account: the signed-in payer
    step, is_step_done = None, False
    if is_first_success and dossier.is_draft:
        step = "submit"
        is_step_done = _then(payment, lambda: submit_dossier(dossier, actor, payment_status="paid"))
    elif is_first_success and dossier.status == Status.PAYMENT_REQUESTED.value:
        step = "record_payment"
        is_step_done = _then(
            payment, lambda: apply_transition(dossier, "record_payment", actor, public_note=payment.reference)
        )
    return Settlement(payment, dossier, is_first_success, step, is_step_done)


def _then(payment: Payment, step: Callable[[], object]) -> bool:
    """Run the step after a recorded payment in a savepoint; its failure never undoes the payment."""
    try:
        with db.session.begin_nested():
            step()
    except Exception as exc:  # noqa: BLE001 - any failure: the payment is kept, the step is not
        current_app.logger.warning("Payment %s is recorded; the step after it failed: %r", payment.reference, exc)
        return False
    return True
