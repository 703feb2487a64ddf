"""Delivering the outbox: claim a due row, send it, record the outcome — at most once.

1. :func:`deliver_batch` first gives up on rows a worker left ``sending`` for longer than
   ``NOTIFICATION_SENDING_TIMEOUT`` (it stopped mid-send: the message may have gone out).
2. It then takes due rows one at a time. Claiming is one short transaction: select the oldest
   ``pending`` row whose ``next_attempt_at`` has come, mark it ``sending`` with the claim time,
   count the attempt, commit. On PostgreSQL the select is ``FOR UPDATE SKIP LOCKED``, so
   several workers run side by side and each skips the rows another is claiming; on SQLite
   every transaction is ``BEGIN IMMEDIATE`` (:func:`portal.extensions.configure_sqlite`), so
   claims queue for the write lock and the next one already sees the row as ``sending``.
3. The message is rendered (:mod:`portal.notifications.messages`) and handed to the channel's
   sender (:mod:`portal.notifications.senders`) outside any transaction.
4. The outcome is committed on its own: ``sent``; or, after a failure that certainly sent
   nothing and while attempts remain (``NOTIFICATION_MAX_ATTEMPTS``), back to ``pending`` with
   an exponential delay (1, 2, 4 … minutes, at most 60); otherwise ``failed`` with the reason.

At most once, not at least once: the issue's promise is that a citizen never gets the same
message twice. Sending and committing cannot be one atomic step, so a crash can always fall
between them; the claim committed *before* sending means such a crash leaves the row
``sending``, which no worker ever sends again (step 1 marks it ``failed``, visible to the
citizen and to operators), instead of ``pending``, which would be sent a second time.
For the same reason only failures known to have sent nothing are retried.

This is a worker, not a request: it owns its transactions and commits per message, so a
crash mid-batch loses no outcome already recorded.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from portal.extensions import db
from portal.notifications.messages import render_message
from portal.notifications.models import FAILED, PENDING, SENDING, SENT, Notification
from portal.notifications.senders import DeliveryFailed, OutgoingMessage, Sender, build_senders
from portal.timeutil import utcnow

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY_MINUTES = 60
INTERRUPTED = "interrupted while sending; it may have arrived, so it is not sent again"


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    interrupted: int = 0

    @property
    def handled(self) -> int:
        """Messages taken from the outbox in this batch."""
        return self.sent + self.failed + self.retried

    def summary(self) -> str:
        line = f"Sent {self.sent}, retry later {self.retried}, failed {self.failed}"
        if self.interrupted:
            line += f", given up after an interrupted send {self.interrupted}"
        return line + "."


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4, 8 … minutes, capped."""
    return timedelta(minutes=min(2 ** min(max(attempts, 1) - 1, 6), MAX_RETRY_DELAY_MINUTES))


def deliver_batch(limit: int = 50, now: datetime | None = None, senders: dict[str, Sender] | None = None) -> DeliveryReport:
    """Send up to ``limit`` due notifications; ``now`` is naive UTC (default: the clock)."""
    now = now or utcnow()
    senders = build_senders() if senders is None else senders
    max_attempts = int(current_app.config.get("NOTIFICATION_MAX_ATTEMPTS", 6))
    report = DeliveryReport(interrupted=give_up_interrupted(now))
    for _ in range(limit):
        row = claim_next(now)
        if row is None:
            break
        outcome = deliver_one(row, senders.get(row.channel), now, max_attempts)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def give_up_interrupted(now: datetime) -> int:
    """Mark ``failed`` the rows left ``sending`` past the timeout; returns how many."""
    timeout = timedelta(seconds=float(current_app.config.get("NOTIFICATION_SENDING_TIMEOUT", 600)))
    result = db.session.execute(
        update(Notification)
        .where(Notification.status == SENDING, Notification.claimed_at < now - timeout)
        .values(status=FAILED, last_error=INTERRUPTED)
    )
    db.session.commit()
    return result.rowcount


@dataclass(frozen=True)
class Claim:
    """What sending a claimed row needs, read before the claim's commit: nothing touches the
    database while the message is on its way (no transaction stays open, and on SQLite no
    write lock is held, during a slow mail server)."""

    notification_id: int
    channel: str
    recipient: str
    template: str
    locale: str
    context: dict[str, Any]
    attempts: int


def claim_next(now: datetime) -> Claim | None:
    """The oldest due ``pending`` row, marked ``sending`` and committed, or ``None``."""
    row = db.session.execute(
        select(Notification)
        .where(Notification.status == PENDING, Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # SQLite has no row locks: the clause is left out there
    ).scalar_one_or_none()
    claim = None
    if row is not None:
        row.status = SENDING
        row.claimed_at = now
        row.attempts += 1
        claim = Claim(row.id, row.channel, row.recipient, row.template, row.locale, dict(row.context), row.attempts)
    db.session.commit()
    return claim


def deliver_one(claim: Claim, sender: Sender | None, now: datetime, max_attempts: int) -> str:
    """Render and send a claimed row and commit the outcome: ``sent``, ``retried`` or ``failed``."""
    try:
        rendered = render_message(claim.template, claim.locale, claim.context, claim.channel)
    except Exception as exc:  # a broken template or context must not stop the worker
        logger.exception("Notification %s cannot be rendered", claim.notification_id)
        return _record(claim, FAILED, last_error=f"cannot render the message: {exc}")
    text = {"subject": rendered.subject, "body": rendered.body}
    if sender is None:
        return _record(claim, FAILED, last_error=f"no sender for the channel {claim.channel!r}", **text)
    try:
        sender.send(OutgoingMessage(claim.notification_id, claim.recipient, rendered.subject, rendered.body))
    except DeliveryFailed as exc:
        logger.warning("Notification %s not delivered (attempt %s): %s", claim.notification_id, claim.attempts, exc)
        if exc.retry and claim.attempts < max_attempts:
            return _record(claim, PENDING, outcome="retried", last_error=str(exc),
                           next_attempt_at=now + retry_delay(claim.attempts), **text)
        return _record(claim, FAILED, last_error=str(exc), **text)
    except Exception as exc:  # the message may have gone out: never try it again
        logger.exception("Notification %s: delivery outcome unknown", claim.notification_id)
        return _record(claim, FAILED, last_error=f"outcome unknown, not sent again: {exc}", **text)
    return _record(claim, SENT, sent_at=now, last_error=None, **text)


def _record(claim: Claim, status: str, outcome: str | None = None, **values: Any) -> str:
    if values.get("last_error"):
        values["last_error"] = values["last_error"][:500]
    db.session.execute(
        update(Notification).where(Notification.id == claim.notification_id).values(status=status, **values)
    )
    db.session.commit()
    return outcome or status
