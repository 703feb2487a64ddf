"""Synchronising dossiers with the national public-service portal (issue 21).

1. :func:`~portal.workflow.transitions.apply_transition` calls :func:`queue_status_change`
   whenever a transition changes the dossier's national status code (1–10) or its appointment:
   one :class:`~portal.notifications.models.NationalSyncMessage`, in the transaction of the
   change and numbered after the dossier's last one. A rolled-back change leaves no message; a
   committed one always has it.
2. ``flask national-sync deliver`` (:mod:`portal.notifications.cli`) runs :func:`deliver_batch`.
   It takes one message at a time: the first unsent message of a dossier whose earlier ones are
   all sent, if its next attempt is due. On PostgreSQL the select is ``FOR UPDATE SKIP LOCKED``
   and the row stays locked while it is sent, so parallel workers never send a message twice
   nor two messages of one dossier side by side. On SQLite (one worker) the claim is committed
   before sending, with the next attempt pushed past the time a send may take, so the portal's
   write lock is not held during the send.
3. The message is posted to ``NATIONAL_PORTAL_URL`` + ``/status-updates``: canonical JSON,
   signed with HMAC-SHA256 under ``NATIONAL_PORTAL_SECRET`` (:mod:`portal.national_portal.protocol`).
4. A 2xx answer marks it sent. Anything else — an error status, no answer within
   ``NATIONAL_PORTAL_TIMEOUT``, no connection — is recorded (attempts, last error and when) and
   the message is tried again after ``NATIONAL_SYNC_RETRY_SECONDS``, doubling each time up to
   ``NATIONAL_SYNC_MAX_RETRY_SECONDS``. It is never given up, its dossier's later messages wait
   behind it, and the batch stops there: the receiver is probably down.

At least once, made exactly once by the receiver: a message whose answer was lost (a timeout
after the receiver recorded it, a crash before our commit) is sent again with the same body and
key, and the receiver keeps one copy per dossier code and sequence.
This is a worker, not a request: it owns its transactions and commits per message.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from flask import current_app
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import aliased

from portal.dossiers.models import Dossier
from portal.dossiers.states import national_code
from portal.extensions import db
from portal.national_portal.protocol import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    STATUS_UPDATES_PATH,
    encode,
    idempotency_key,
    sign,
)
from portal.notifications.models import NationalSyncMessage
from portal.timeutil import from_db, to_db, utcnow

Message = NationalSyncMessage
# How a message is posted: (url, body, headers, timeout) → (HTTP status, start of the answer).
Post = Callable[[str, bytes, dict[str, str], float], tuple[int, str]]
# A claimed message's next attempt waits this long past the timeout (SQLite's single worker).
CLAIM_MARGIN = timedelta(seconds=60)


def _iso(value: datetime | None) -> str | None:
    """A stored time (naive UTC) as ISO 8601 in Vietnam time."""
    return from_db(value).isoformat(timespec="seconds") if value else None


def status_message(dossier: Dossier, sequence: int, *, action: str, changed_at: datetime,
                   previous_code: int | None, verification_url: str | None) -> dict[str, Any]:
    """The message the national portal receives for the dossier as it is now (README: the format)."""
    snapshot = dossier.procedure_snapshot
    return {
        "dossier_code": dossier.code,
        "sequence": sequence,
        "status_code": national_code(dossier.status),
        "previous_status_code": previous_code,
        "status": dossier.status,
        "action": action,
        "changed_at": _iso(to_db(changed_at)),
        "agency": {"code": dossier.agency.code, "name": dossier.agency.name_vi},
        "procedure": {"code": snapshot["code"], "name": snapshot["name_vi"], "version": dossier.procedure_version},
        "channel": dossier.channel,
        "result_delivery": dossier.delivery,
        "submitted_at": _iso(dossier.submitted_at),
        "accepted_at": _iso(dossier.accepted_at),
        "due_at": _iso(dossier.due_at),
        "legal_due_at": _iso(dossier.legal_due_at),
        "completed_at": _iso(dossier.completed_at),
        "returned_at": _iso(dossier.returned_at),
        "result_verification_url": verification_url,
    }


def queue_status_change(dossier: Dossier, *, action: str, changed_at: datetime, previous_code: int | None,
                        verification_url: str | None = None) -> NationalSyncMessage:
    """Add the dossier's next message to the outbox, in the caller's transaction.

    Two changes of one dossier cannot both commit (``Dossier.version``), so the next number is
    the last one plus one; the unique (dossier, sequence) pair guards it all the same."""
    last = db.session.execute(select(func.max(Message.sequence)).where(Message.dossier_id == dossier.id)).scalar()
    sequence = (last or 0) + 1
    payload = status_message(dossier, sequence, action=action, changed_at=changed_at,
                             previous_code=previous_code, verification_url=verification_url)
    row = Message(dossier_id=dossier.id, dossier_code=dossier.code, sequence=sequence,
                  status_code=payload["status_code"], payload=payload)
    db.session.add(row)
    return row


# --- delivery --------------------------------------------------------------------------------

@dataclass
class SyncReport:
    sent: int = 0
    failed: int = 0  # attempts that failed; each message is tried again later
    waiting: int = 0  # unsent messages left after the batch
    last_error: str | None = None

    def summary(self) -> str:
        line = f"Sent {self.sent}, failed {self.failed} (tried again later), waiting {self.waiting}"
        return line + (f"; last error: {self.last_error}." if self.last_error else ".")


@dataclass(frozen=True)
class Claim:
    """What sending a claimed message needs, read before it is sent."""

    message_id: int
    dossier_code: str
    sequence: int
    payload: dict[str, Any]
    attempts: int


def retry_delay(attempts: int, base: float, cap: float) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2 × base, 4 × base … at most ``cap``."""
    return timedelta(seconds=min(base * 2 ** min(max(attempts, 1) - 1, 30), cap))


def http_post(session: requests.Session) -> Post:
    def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
        response = session.post(url, data=body, headers=headers, timeout=timeout)
        return response.status_code, response.text[:200]

    return post


def deliver_batch(limit: int = 50, now: datetime | None = None, post: Post | None = None) -> SyncReport:
    """Send up to ``limit`` due messages, in order per dossier; ``now`` is naive UTC (default: the clock)."""
    config = current_app.config
    url = config["NATIONAL_PORTAL_URL"].rstrip("/") + STATUS_UPDATES_PATH
    timeout = float(config["NATIONAL_PORTAL_TIMEOUT"])
    base, cap = float(config["NATIONAL_SYNC_RETRY_SECONDS"]), float(config["NATIONAL_SYNC_MAX_RETRY_SECONDS"])
    holds_row_locks = db.engine.dialect.name != "sqlite"
    report = SyncReport()
    with requests.Session() as session:
        send = post or http_post(session)
        for _ in range(limit):
            claim = claim_next(now or utcnow(), timedelta(seconds=timeout) + CLAIM_MARGIN, commit=not holds_row_locks)
            if claim is None:
                break
            error = send_one(claim, url, config["NATIONAL_PORTAL_SECRET"], timeout, send)
            at = now or utcnow()
            if error is None:
                _record(claim, sent_at=at)
                report.sent += 1
                continue
            _record(claim, last_error=error[:500], last_error_at=at,
                    next_attempt_at=at + retry_delay(claim.attempts, base, cap))
            report.failed, report.last_error = report.failed + 1, error
            break
    report.waiting = db.session.execute(select(func.count()).where(Message.sent_at.is_(None))).scalar_one()
    db.session.commit()
    return report


def claim_next(now: datetime, lease: timedelta, *, commit: bool) -> Claim | None:
    """The due message that heads its dossier's unsent ones, counted as an attempt, or ``None``.

    ``commit``: commit the claim (SQLite) rather than keep the row locked until the outcome."""
    earlier = aliased(Message)
    heads = ~exists().where(earlier.dossier_id == Message.dossier_id, earlier.sent_at.is_(None),
                            earlier.sequence < Message.sequence)
    row = db.session.execute(
        select(Message)
        .where(Message.sent_at.is_(None), Message.next_attempt_at <= now, heads)
        .order_by(Message.next_attempt_at, Message.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # SQLite has no row locks: the clause is left out there
    ).scalar_one_or_none()
    if row is None:
        db.session.commit()
        return None
    row.attempts += 1
    row.last_attempt_at = now
    row.next_attempt_at = now + lease
    claim = Claim(row.id, row.dossier_code, row.sequence, dict(row.payload), row.attempts)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return claim


def send_one(claim: Claim, url: str, secret: str, timeout: float, post: Post) -> str | None:
    """Post one message; ``None`` when the national portal took it, else what went wrong."""
    body = encode(claim.payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign(body, secret),
        IDEMPOTENCY_HEADER: idempotency_key(claim.dossier_code, claim.sequence),
    }
    try:
        status, answer = post(url, body, headers, timeout)
    except requests.Timeout:
        return f"no answer within {timeout:g} s"
    except requests.RequestException as exc:
        return f"cannot reach the national portal: {exc}"
    if 200 <= status < 300:
        return None
    return f"the national portal answered {status}: {answer}".strip()


def _record(claim: Claim, **values: Any) -> None:
    db.session.execute(update(Message).where(Message.id == claim.message_id).values(**values))
    db.session.commit()


# --- the backlog, for the administration -----------------------------------------------------

@dataclass(frozen=True)
class SyncBacklog:
    unsent: int
    oldest_code: str | None
    oldest_at: datetime | None  # naive UTC: when the oldest unsent change was queued
    last_error: str | None
    last_error_at: datetime | None  # naive UTC

    def oldest_age(self, now: datetime) -> timedelta | None:
        return now - self.oldest_at if self.oldest_at else None


def sync_backlog() -> SyncBacklog:
    """How far the national portal is behind: unsent messages, the oldest one, the last error."""
    unsent = db.session.execute(select(func.count()).where(Message.sent_at.is_(None))).scalar_one()
    oldest = db.session.execute(
        select(Message.dossier_code, Message.created_at).where(Message.sent_at.is_(None))
        .order_by(Message.created_at, Message.id).limit(1)
    ).first()
    error = db.session.execute(
        select(Message.last_error, Message.last_error_at).where(Message.last_error_at.is_not(None))
        .order_by(Message.last_error_at.desc()).limit(1)
    ).first()
    return SyncBacklog(
        unsent=unsent,
        oldest_code=oldest[0] if oldest else None,
        oldest_at=oldest[1] if oldest else None,
        last_error=error[0] if error else None,
        last_error_at=error[1] if error else None,
    )

