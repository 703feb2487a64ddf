"""Dossier codes: ``{agency code}-{yyMMdd}-{NNNN}``, the sequence reset daily per agency (DESIGN §2).

The next number comes from one upsert on a counter row; on PostgreSQL the row lock serialises
concurrent submissions, so two dossiers never get the same code.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.catalog.models import Agency
from portal.dossiers.models import DossierCodeCounter
from portal.extensions import db


def next_counter_value(session: Session, table: Table, **key: Any) -> int:
    """The next value of the counter row ``key`` of ``table`` (a ``last_value`` column), taken in
    one locked upsert: concurrent transactions each get their own number, without gaps."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(table)
        .values(**key, last_value=1)
        .on_conflict_do_update(index_elements=[table.c[name] for name in key], set_={"last_value": table.c.last_value + 1})
        .returning(table.c.last_value)
    )
    return session.execute(stmt).scalar_one()


def next_dossier_code(agency: Agency, day: date, session: Session | None = None) -> str:
    number = next_counter_value(session or db.session, DossierCodeCounter.__table__, agency_id=agency.id, day=day)
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"
