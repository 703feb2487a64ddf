"""The notification outbox: a row written in the same transaction as the change it reports.

A row's life (``status``): ``pending`` until a delivery worker claims it, ``sending`` while
that worker hands it to the mail server or SMS gateway, then ``sent``, back to ``pending``
with a later ``next_attempt_at`` after a failure that certainly sent nothing, or ``failed``
for good (see :mod:`portal.notifications.delivery`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import utcnow

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"

CHANNELS = ("email", "sms")


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # email | sms
    recipient: Mapped[str] = mapped_column(String(255))
    template: Mapped[str] = mapped_column(String(60))
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When a worker took the row to send it; a row left ``sending`` long after this was
    # interrupted mid-send and is never retried (at most once).
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # The text as rendered for sending: what the citizen received, even if templates change.
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(String(500))
