"""The outboxes: rows written in the same transaction as the change they report — the citizen's
notifications, and the status changes the national portal is told of (``NationalSyncMessage``).

A notification's life (``status``): ``pending`` until a delivery worker claims it, ``sending`` while
that worker hands it to the mail server or SMS gateway, then ``sent``, back to ``pending``
with a later ``next_attempt_at`` after a failure that certainly sent nothing, or ``failed``
for good (see :mod:`portal.notifications.delivery`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import utcnow

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"

CHANNELS = ("email", "sms")
UNSENT = "sent_at IS NULL"


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


class NationalSyncMessage(db.Model):
    """A change of a dossier's national status on its way to the national public-service portal
    (*Cổng Dịch vụ công quốc gia*), written in the transaction of the change.

    ``sequence`` numbers a dossier's messages 1, 2, 3… in the order of its changes; ``payload`` is
    the message as sent (:mod:`portal.notifications.national`). A row is unsent until ``sent_at``
    is set; it is never given up: a dossier's later messages wait behind it.
    """

    __tablename__ = "national_sync_messages"
    __table_args__ = (
        UniqueConstraint("dossier_id", "sequence"),
        # The backlog: the few unsent rows among the many sent ones.
        Index("ix_national_sync_messages_unsent", "next_attempt_at",
              postgresql_where=text(UNSENT), sqlite_where=text(UNSENT)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"))
    dossier_code: Mapped[str] = mapped_column(String(40))
    sequence: Mapped[int]
    status_code: Mapped[int]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the next attempt may be made; while a worker sends, when its claim runs out.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime | None]
    # The last failure is kept after a later success: operators see what went wrong, and when.
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_error_at: Mapped[datetime | None] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]
