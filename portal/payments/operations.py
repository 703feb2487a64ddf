"""Paying the fee through the mock payment gateway.

1. ``start_payment`` records a pending payment with a fresh reference and builds the signed
   redirect to the gateway.
2. The gateway sends the browser back with the outcome, signed with HMAC-SHA256 over the
   fields in a fixed order (as VNPay-style gateways do).
3. ``complete_payment`` verifies the signature and the amount, and is idempotent: a callback
   replayed or repeated changes nothing after the first. Callbacks for one payment that arrive
   at the same moment wait for each other (the payment's row is locked), so only the first
   sees it pending.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.payments.models import Payment
from portal.timeutil import utcnow

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
