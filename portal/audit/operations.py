"""Writing and checking the audit trail.

1. :func:`record` appends an entry: under a lock on the chain it reads the head (the newest
   entry's position and hash), links the new entry to it, hashes the entry and moves the head.
   It flushes and never commits: the entry lands in the same transaction as the change it
   describes, or not at all.
2. :func:`verify_chain` walks the entries in order and recomputes every hash: a changed row, a
   deleted row (a gap in the positions) and deleted newest rows (the head points past the last
   entry) are reported.

Limit: the chain proves that nobody changed the trail *without recomputing it*. Someone who can
write to the database and knows this algorithm could rewrite every hash after the row they
changed, and the head with them. Keeping the head hash outside the database (``flask audit
verify`` prints it; write it into the operations log) closes that gap for everything before it.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from portal.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from portal.extensions import db
from portal.timeutil import utcnow

if TYPE_CHECKING:
    from portal.auth.models import User

HEAD_ID = 1
# Key of the PostgreSQL advisory lock that serialises writers of the chain ("audit" in ASCII).
CHAIN_LOCK_KEY = 0x6175646974


class AuditTrailBroken(RuntimeError):
    """The head of the chain is missing while entries exist: the trail was tampered with."""


def N_(message: str) -> str:  # noqa: N802 - the marker Babel's extractor knows
    """Mark a message for translation where it is written; it is translated where it is shown."""
    return message


_SPAN_ONE = N_("Entry %(first)d")
_SPAN_MANY = N_("Entries %(first)d–%(last)d")
_PROBLEMS = {
    "changed": N_("%(span)s: changed after it was written (its hash does not match)"),
    "missing": N_("%(span)s: missing (deleted)"),
    "unlinked": N_("%(span)s: does not link to the entry before it"),
    "head": N_("%(span)s: does not match the head of the chain"),
}


@dataclass(frozen=True)
class Problem:
    """Something wrong in the chain.

    ``kind``: ``changed`` (an entry's content no longer matches its hash), ``missing`` (entries
    ``first_id``–``last_id`` were deleted), ``unlinked`` (an entry does not point at the one
    before it: replaced or reordered), ``head`` (the head does not match the last entry).
    """

    kind: str
    first_id: int
    last_id: int

    def describe(self, translate: Callable[[str], str] = str) -> str:
        """In English for the command line; pass ``gettext`` for a page."""
        which = _SPAN_ONE if self.first_id == self.last_id else _SPAN_MANY
        span = translate(which) % {"first": self.first_id, "last": self.last_id}
        return translate(_PROBLEMS[self.kind]) % {"span": span}


def actor_label(actor: User | None) -> str:
    """How the actor is named in the trail: ``admin (admin)``; never a personal ID."""
    if actor is None:
        return "system"
    if actor.is_officer:
        return f"{actor.username} ({actor.role})"
    return f"citizen #{actor.id}"


def _plain(value: Any) -> Any:
    """Details as JSON keeps them, so the hash computed now is the one recomputed later."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"audit details cannot hold {type(value).__name__}")


def compute_hash(entry: AuditEntry) -> str:
    """SHA-256 over a canonical JSON of the entry's fields and the previous entry's hash."""
    canonical = json.dumps(
        {
            "id": entry.id,
            "at": entry.at.isoformat(timespec="microseconds"),
            "actor_id": entry.actor_id,
            "actor_label": entry.actor_label,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "details": entry.details,
            "prev_hash": entry.prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    """One writer of the chain at a time, until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock (it also covers the very first entry, when
    there is no head row to lock yet). SQLite: every transaction is BEGIN IMMEDIATE already
    (:func:`portal.extensions.configure_sqlite`), so writers are serialised.
    """
    if session.connection().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def _head(session: Session) -> AuditHead:
    head = session.execute(
        select(AuditHead).where(AuditHead.id == HEAD_ID).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is not None:
        return head
    if count_entries(session):
        raise AuditTrailBroken("the audit chain head is missing; run `flask --app portal audit verify`")
    head = AuditHead(id=HEAD_ID, last_entry_id=0, last_hash=GENESIS_HASH)
    session.add(head)
    return head


def record(
    actor: User | None,
    action: str,
    obj_type: str,
    obj_id: object,
    details: dict[str, Any],
    session: Session | None = None,
) -> AuditEntry:
    """Append an entry for ``action`` (``procedure.update``) on an object; flushes, never commits.

    ``details`` holds what changed (``{"before": {...}, "after": {...}}``), never a password.
    ``session`` defaults to the request's.
    """
    session = session or db.session
    _lock_chain(session)
    head = _head(session)
    entry = AuditEntry(
        id=head.last_entry_id + 1,
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label(actor),
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        details=_plain(details),
        prev_hash=head.last_hash,
    )
    entry.hash = compute_hash(entry)
    head.last_entry_id, head.last_hash = entry.id, entry.hash
    session.add(entry)
    session.flush()
    return entry


def count_entries(session: Session | None = None) -> int:
    return (session or db.session).execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def verify_chain(session: Session | None = None) -> list[Problem]:
    """Every problem in the chain, oldest first; an empty list means the trail is intact."""
    session = session or db.session
    problems: list[Problem] = []
    expected_id, prev_hash = 1, GENESIS_HASH
    entries = session.execute(
        select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=500, populate_existing=True)
    ).scalars()
    for entry in entries:
        if entry.id != expected_id:
            problems.append(Problem("missing", expected_id, entry.id - 1))
        elif entry.prev_hash != prev_hash:
            problems.append(Problem("unlinked", entry.id, entry.id))
        if compute_hash(entry) != entry.hash:
            problems.append(Problem("changed", entry.id, entry.id))
        expected_id, prev_hash = entry.id + 1, entry.hash
    last_id = expected_id - 1
    head = session.get(AuditHead, HEAD_ID, populate_existing=True)
    if head is None:
        if last_id:
            problems.append(Problem("head", last_id, last_id))
    elif head.last_entry_id > last_id:
        problems.append(Problem("missing", last_id + 1, head.last_entry_id))
    elif head.last_entry_id < last_id or head.last_hash != prev_hash:
        problems.append(Problem("head", last_id, last_id))
    return problems
