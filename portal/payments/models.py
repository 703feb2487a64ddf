"""Fee payments through the (mock) payment gateway."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.timeutil import utcnow


class Payment(db.Model):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    amount: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|paid|failed|cancelled
    gateway_transaction: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    dossier: Mapped[Dossier] = relationship()
