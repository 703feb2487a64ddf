"""Fees paid through the payment gateway, and refunds (*hoàn phí*)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portal.auth.models import User
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.timeutil import utcnow

SUBMISSION, REQUESTED = "submission", "requested"  # what a payment is for
REFUND_REASONS = ("not_accepted", "withdrawn", "stopped", "duplicate")


class Payment(db.Model):
    """One attempt to pay a fee on the gateway: pending until the gateway's outcome arrives."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(12), default=SUBMISSION, server_default=SUBMISSION)
    amount: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|paid|failed|cancelled
    gateway_transaction: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    dossier: Mapped[Dossier] = relationship(backref=backref("payments", order_by="Payment.id"))
    refund: Mapped[Refund | None] = relationship(back_populates="payment", uselist=False)


class Refund(db.Model):
    """Money the agency owes back: the whole of one payment, at most once (``payment_id`` is
    unique), due when the dossier is not accepted, withdrawn, stopped, or the fee was paid twice;
    refunded when the one-stop officer confirms it through the gateway."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="due")  # due|refunded
    gateway_refund: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    refunded_at: Mapped[datetime | None]
    refunded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    payment: Mapped[Payment] = relationship(back_populates="refund")
    dossier: Mapped[Dossier] = relationship(backref=backref("refunds", order_by="Refund.id"))
    refunded_by: Mapped[User | None] = relationship()
