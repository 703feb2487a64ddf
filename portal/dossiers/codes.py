"""Dossier codes: ``{agency code}-{yyMMdd}-{NNNN}``, the sequence reset daily per agency (DESIGN §2).

The next number comes from one upsert on a counter row; on PostgreSQL the row lock serialises
concurrent submissions, so two dossiers never get the same code.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.catalog.models import Agency
from portal.dossiers.models import DossierCodeCounter
from portal.extensions import db


def next_dossier_code(agency: Agency, day: date, session: Session | None = None) -> str:
    session = session or db.session
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = DossierCodeCounter.__table__
    stmt = (
        insert(table)
        .values(agency_id=agency.id, day=day, last_value=1)
        .on_conflict_do_update(
            index_elements=[table.c.agency_id, table.c.day],
            set_={"last_value": table.c.last_value + 1},
        )
        .returning(table.c.last_value)
    )
    number = session.execute(stmt).scalar_one()
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"
