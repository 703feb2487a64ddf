"""The gateway's own ledger: approved transactions and refunds, in the gateway's database.

Separate from the portal's database on purpose: what the gateway recorded stays recorded
whatever the portal does with its own transaction, which is what reconciliation checks.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
)

from portal.extensions import standalone_engine

metadata = MetaData()
transactions = Table(
    "gateway_transactions", metadata,
    Column("transaction", String(40), primary_key=True),
    Column("reference", String(40), nullable=False, index=True),  # the merchant's (portal's) reference
    Column("amount", Integer, nullable=False),
    Column("approved_at", DateTime, nullable=False, index=True),  # naive UTC
)
refunds = Table(
    "gateway_refunds", metadata,
    Column("refund", String(40), primary_key=True),
    Column("transaction", ForeignKey("gateway_transactions.transaction"), nullable=False, index=True),
    Column("refund_reference", String(40), nullable=False, unique=True),  # the merchant's: one refund once
    Column("amount", Integer, nullable=False),
    Column("refunded_at", DateTime, nullable=False, index=True),
)
VN_OFFSET = timedelta(hours=7)  # the gateway's business day is Vietnam's



class RefundRefused(ValueError):
    """The gateway refuses a refund; ``code``: ``unknown_transaction`` or ``exceeds_payment``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Entry:
    """One line of the gateway's ledger for a day: a payment (+) or a refund (−)."""

    kind: str  # "payment" | "refund"
    id: str  # the gateway's transaction or refund id
    reference: str  # the merchant's payment or refund reference
    transaction: str
    amount: int
    at: datetime


def engine(url: str) -> Engine:
    return standalone_engine(url, metadata)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def approve(url: str, reference: str, amount: int) -> str:
    """Record an approved payment; returns the gateway's transaction id."""
    transaction = f"MOCK{secrets.token_hex(5).upper()}"
    with engine(url).begin() as conn:
        conn.execute(insert(transactions).values(transaction=transaction, reference=reference, amount=amount,
                                                 approved_at=_now()))
    return transaction


def refund(url: str, transaction: str, amount: int, refund_reference: str) -> str:
    """Refund part or all of a transaction, once per ``refund_reference``; never more than was
    paid. Returns the gateway's refund id (the same one when the same refund is asked again)."""
    with engine(url).begin() as conn:
        done = conn.execute(select(refunds.c.refund).where(refunds.c.refund_reference == refund_reference)).scalar()
        if done is not None:
            return done
        paid = conn.execute(select(transactions.c.amount).where(transactions.c.transaction == transaction)).scalar()
        if paid is None:
            raise RefundRefused("unknown_transaction")
        refunded = conn.execute(
            select(func.coalesce(func.sum(refunds.c.amount), 0)).where(refunds.c.transaction == transaction)
        ).scalar_one()
        if amount <= 0 or refunded + amount > paid:
            raise RefundRefused("exceeds_payment")
        refund_id = f"RF{secrets.token_hex(5).upper()}"
        conn.execute(insert(refunds).values(refund=refund_id, transaction=transaction, refund_reference=refund_reference,
                                            amount=amount, refunded_at=_now()))
    return refund_id


def day(url: str, business_day: date) -> list[Entry]:
    """Every payment and refund of a Vietnam business day, in time order."""
    start = datetime.combine(business_day, time()) - VN_OFFSET
    end = start + timedelta(days=1)
    with engine(url).connect() as conn:
        paid = conn.execute(select(transactions).where(transactions.c.approved_at >= start,
                                                       transactions.c.approved_at < end))
        entries = [Entry("payment", r.transaction, r.reference, r.transaction, r.amount, r.approved_at) for r in paid]
        back = conn.execute(select(refunds).where(refunds.c.refunded_at >= start, refunds.c.refunded_at < end))
        entries += [Entry("refund", r.refund, r.refund_reference, r.transaction, r.amount, r.refunded_at) for r in back]
    return sorted(entries, key=lambda e: (e.at, e.id))


def clear(url: str) -> None:
    """Empty the ledger (tests only: a fresh gateway)."""
    with engine(url).begin() as conn:
        conn.execute(refunds.delete())
        conn.execute(transactions.delete())
