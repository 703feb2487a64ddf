"""The audit trail (*nhật ký thao tác*): who changed which setting, when, from what to what.

Append-only and hash-chained: each entry stores the hash of the entry before it and its own
hash over its content, so a changed or deleted row breaks the chain (checked by
:func:`portal.audit.operations.verify_chain`).
``AuditHead`` keeps the position and hash of the last entry, so deleting the newest entries is
detected too. The ORM refuses to update or delete an entry (:func:`_refuse_changes`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from portal.extensions import db
from portal.timeutil import utcnow

# The ``prev_hash`` of the first entry.
GENESIS_HASH = "0" * 64


class AuditTrailIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit entry through the ORM."""


class AuditEntry(db.Model):
    """One audited change. ``id`` is the entry's position in the chain: 1, 2, 3… without gaps
    (assigned under a lock by :func:`portal.audit.operations.record`, not by a sequence, whose
    gaps after rollbacks would hide a deletion)."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_label: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(80))
    # {"before": {field: value}, "after": {field: value}} for the fields that changed.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(db.Model):
    """The one row that records the newest entry of the chain (``id`` is always 1)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_entry_id: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditTrailIsAppendOnly(f"audit entry {obj.id} cannot be changed or deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditEntry for mapper in state.all_mappers
    ):
        raise AuditTrailIsAppendOnly("audit entries cannot be changed or deleted")
