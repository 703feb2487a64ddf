"""Paying a fee through the payment gateway, and paying it back (DESIGN §3: fee and payment).

1. ``start_payment`` opens one payment per fee: pressing "pay" again resumes the pending one
   instead of opening a second, so two tabs lead to the same gateway payment.
2. The gateway's outcome arrives twice — the payer's browser on the return page and a
   server-to-server notification — signed with HMAC-SHA256 (:mod:`portal.gateway.protocol`).
   ``record_outcome`` verifies it and records it **first**, idempotently: callbacks for one
   payment wait for each other (the payment's row is locked) and only the first changes it.
3. A success for a fee that was already paid (two tabs, a notification retried with another
   transaction) is kept, and its refund is due at once (``duplicate``).
4. ``refund_paid_fees`` makes a refund due for every fee paid on a dossier that ends without a
   result (not accepted, withdrawn, stopped) — the workflow calls it on those transitions.
   ``confirm_refund`` pays it back through the gateway, once, never more than was paid, and
   records who did it in the audit log; the citizen is notified.
"""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import exists, select

from portal.audit.operations import record
from portal.auth.models import User
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.gateway.protocol import OUTCOMES, is_signed
from portal.notifications.operations import queue_dossier_notification
from portal.payments.gateway import GatewayRefused, GatewayUnavailable, get_gateway
from portal.payments.models import REQUESTED, SUBMISSION, Payment, Refund
from portal.timeutil import utcnow


class PaymentError(ValueError):
    """A callback that cannot be trusted or does not match; ``code`` names the problem."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class RefundFailed(RuntimeError):
    """The gateway did not refund; ``code``: ``unavailable`` or the gateway's refusal."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def purpose_of(dossier: Dossier) -> str:
    return SUBMISSION if dossier.is_draft else REQUESTED


def _new_reference(prefix: str) -> str:
    return f"{prefix}{datetime.now():%y%m%d}{secrets.token_hex(6).upper()}"


def start_payment(dossier: Dossier) -> Payment:
    """The payment of the fee now due on ``dossier``: the pending one if the citizen started it
    before (another tab, the back button), else a new one."""
    purpose = purpose_of(dossier)
    pending = db.session.execute(
        select(Payment).where(Payment.dossier_id == dossier.id, Payment.purpose == purpose,
                              Payment.status == "pending", Payment.amount == dossier.fee_amount)
        .order_by(Payment.id.desc()).limit(1)
    ).scalar_one_or_none()
    if pending is not None:
        return pending
    payment = Payment(reference=_new_reference("PAY"), dossier_id=dossier.id, purpose=purpose,
                      amount=dossier.fee_amount, status="pending")
    db.session.add(payment)
    db.session.flush()
    return payment


def has_paid(dossier: Dossier, purpose: str = SUBMISSION) -> bool:
    """Whether a payment of this fee went through on the gateway."""
    return bool(db.session.execute(
        select(exists().where(Payment.dossier_id == dossier.id, Payment.purpose == purpose, Payment.status == "paid"))
    ).scalar())


def verify_callback(fields: Mapping[str, str]) -> Payment:
    """The payment a callback is about, after checking signature, outcome and amount; its row
    is locked for the rest of the transaction."""
    if not is_signed(fields, current_app.config["PAYMENT_SECRET"]):
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


def _mark(payment: Payment, status: str, transaction: str | None) -> None:
    payment.status, payment.gateway_transaction, payment.completed_at = status, transaction, utcnow()


@dataclass(frozen=True)
class Outcome:
    """A recorded callback: the payment it made paid (``is_first_success``: this callback is the
    first to say so), and the refund made due when the fee had been paid already."""

    payment: Payment
    is_first_success: bool
    duplicate_refund: Refund | None


def record_outcome(fields: Mapping[str, str]) -> Outcome:
    """Verify and record a gateway callback (raises ``PaymentError``); nothing else happens here,
    so the caller can run what follows in a savepoint and the record stays whatever it does.

    Idempotent per gateway transaction: a replayed callback changes nothing. A success with a
    transaction the portal has not seen always becomes a paid payment — on a payment that was
    pending, failed or cancelled, or, when that one is paid already (two tabs paying the same
    page), as a second payment of the same fee whose refund is due at once.
    """
    payment = verify_callback(fields)
    transaction = fields.get("transaction") or None
    if fields["status"] != "success":
        if payment.status == "pending":
            _mark(payment, "failed" if fields["status"] == "failed" else "cancelled", None)
            db.session.flush()
        return Outcome(payment, False, None)
    known = db.session.execute(select(Payment).where(Payment.gateway_transaction == transaction)).scalar_one_or_none()
    if known is not None or transaction is None:
        return Outcome(known or payment, False, None)
    if payment.status == "paid":
        payment = Payment(reference=_new_reference("PAY"), dossier_id=payment.dossier_id, purpose=payment.purpose,
                          amount=payment.amount)
        db.session.add(payment)
    _mark(payment, "paid", transaction)
    db.session.flush()
    duplicate = refund_due(payment, "duplicate") if _paid_before(payment) else None
    return Outcome(payment, True, duplicate)


def _paid_before(payment: Payment) -> bool:
    return bool(db.session.execute(select(exists().where(
        Payment.dossier_id == payment.dossier_id, Payment.purpose == payment.purpose,
        Payment.status == "paid", Payment.id != payment.id,
    ))).scalar())


def refund_due(payment: Payment, reason: str) -> Refund:
    """The refund of the whole of ``payment``, made due once (a second call returns the first)."""
    if payment.refund is not None:
        return payment.refund
    refund = Refund(reference=_new_reference("RF"), payment=payment, dossier_id=payment.dossier_id,
                    amount=payment.amount, reason=reason, status="due")
    db.session.add(refund)
    db.session.flush()
    return refund


def refund_paid_fees(dossier: Dossier, reason: str) -> list[Refund]:
    """A refund is due for every fee paid on a dossier that ends without a result."""
    paid = db.session.execute(
        select(Payment).where(Payment.dossier_id == dossier.id, Payment.status == "paid").order_by(Payment.id)
    ).scalars()
    return [refund_due(payment, reason) for payment in paid]


def confirm_refund(refund: Refund, officer: User) -> Refund:
    """Pay the refund back through the gateway (idempotent: the refund's reference is the
    gateway's key), mark it refunded, audit it and tell the citizen. Raises ``RefundFailed``
    with nothing changed when the gateway does not refund."""
    if refund.status == "refunded":
        return refund
    payment = refund.payment
    if refund.amount > payment.amount or payment.gateway_transaction is None:
        raise RefundFailed("exceeds_payment")
    try:
        gateway_refund = get_gateway().refund(payment.gateway_transaction, refund.amount, refund.reference)
    except GatewayUnavailable as exc:
        raise RefundFailed("unavailable") from exc
    except GatewayRefused as exc:
        raise RefundFailed(exc.code) from exc
    refund.status, refund.gateway_refund = "refunded", gateway_refund
    refund.refunded_at, refund.refunded_by_id = utcnow(), officer.id
    record(officer, "refund.confirm", "refund", refund.id, {
        "dossier": refund.dossier.code, "payment": payment.reference, "amount": refund.amount,
        "reason": refund.reason, "gateway_refund": gateway_refund,
    })
    queue_dossier_notification(refund.dossier, "fee_refunded", amount=f"{refund.amount:,}".replace(",", "."))
    db.session.flush()
    return refund
