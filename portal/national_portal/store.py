"""What the mock national portal received, in its own database.

One row per dossier code and sequence number: a message sent again (the sender timed out
before our answer) is recognised and not recorded twice; the same key with another body is a
conflict the sender must hear about. ``arrival`` numbers the rows in the order they came, so a
lookup shows both the order of the changes (``sequence``) and the order of arrival.
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from portal.extensions import standalone_engine

RECORDED = "recorded"
DUPLICATE = "duplicate"
CONFLICT = "conflict"

metadata = MetaData()
received = Table(
    "national_received", metadata,
    Column("arrival", Integer, primary_key=True, autoincrement=True),
    Column("dossier_code", String(40), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("body_sha256", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("received_at", DateTime, nullable=False),  # naive UTC
    UniqueConstraint("dossier_code", "sequence", name="uq_national_received_code_sequence"),
)



def engine(url: str) -> Engine:
    return standalone_engine(url, metadata)


def record(url: str, message: dict[str, Any], body: bytes) -> str:
    """Keep ``message`` once: ``recorded``, ``duplicate`` (same key, same body) or ``conflict``."""
    digest = hashlib.sha256(body).hexdigest()
    row = {
        "dossier_code": str(message["dossier_code"]),
        "sequence": int(message["sequence"]),
        "status_code": int(message["status_code"]),
        "body_sha256": digest,
        "body": body.decode(),
        "received_at": datetime.now(UTC).replace(tzinfo=None),
    }
    try:
        with engine(url).begin() as conn:
            conn.execute(insert(received).values(**row))
        return RECORDED
    except IntegrityError:
        with engine(url).connect() as conn:
            stored = conn.execute(
                select(received.c.body_sha256)
                .where(received.c.dossier_code == row["dossier_code"], received.c.sequence == row["sequence"])
            ).scalar_one()
        return DUPLICATE if stored == digest else CONFLICT


def statuses(url: str, dossier_code: str) -> list[dict[str, Any]]:
    """Every status received for ``dossier_code``, in sequence order."""
    with engine(url).connect() as conn:
        rows = conn.execute(
            select(received).where(received.c.dossier_code == dossier_code).order_by(received.c.sequence)
        ).all()
    return [
        {**json.loads(row.body), "arrival": row.arrival, "received_at": row.received_at.isoformat() + "Z"}
        for row in rows
    ]
