"""Realistic dossiers in bulk, for benchmarks and load tests (tracking, queues, statistics).

    from bench.dossier_data import ensure_dossiers
    ensure_dossiers("postgresql+psycopg:///bench_dossiers_1000000", 1_000_000)      # seed 1

    python -m bench.dossier_data --database-url postgresql+psycopg:///bench_dossiers_1000000 --count 1000000

:func:`ensure_dossiers` leaves the database holding ``count`` past dossiers of the demo
agencies, with everything the workflow would have written for them — events, clock ledger,
due times and outcomes, attachments and the stored documents behind them, payments, ratings —
made by :class:`portal.demo.history.HistoryGenerator` (see there for how each dossier lives):

1. The database is created when missing (PostgreSQL), the schema when missing (``create_all``;
   a database migrated with ``flask db upgrade`` is fine too), the demo catalog and officers
   are added when missing.
2. A table ``bench_dataset`` remembers the count and seed filled. The same again: nothing is
   done, even if load tests have added dossiers since. Another count or seed: the dossier
   tables are emptied and filled anew. Dossiers without that record (a real database?) are
   never touched: :class:`RuntimeError`.
3. The dossiers are submitted over the 24 months before the first day of the current month, so
   the previous calendar year is always complete; the last weeks hold open dossiers. About half
   go to Công an phường Ba Đình (``intake1``'s agency), and applicants are drawn from a pool of
   made-up people (valid personal IDs; not the register's).
4. PostgreSQL gets the rows by ``COPY`` (about 15 rows per dossier; foreign-key triggers
   skipped when the user may), then ``VACUUM ANALYZE``
   so index-only scans and the planner's estimates are what a settled database would have;
   SQLite gets ``executemany`` in large batches.

Deterministic for a given count, seed and month. 1,000,000 dossiers take a few minutes on one
core, most of it in Python simulating lives; progress goes to stderr.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Connection, Table, func, inspect, select, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.auth.models import User
from portal.catalog.models import Procedure
from portal.catalog.service import upsert_catalog, working_calendar
from portal.deadlines import VN_TZ
from portal.dossiers.models import Dossier
from portal.submission.operations import procedure_snapshot
from portal.extensions import db
from portal.demo.history import (
    TABLES,
    Applicant,
    Batch,
    HistoryGenerator,
    ProcedureSpec,
    Staff,
    first_ids,
    insert_batch,
    reset_sequences,
    write_counters,
)
from portal.registry.ids import make_personal_id
from portal.registry.store import ensure_database
from portal.demo.seed import DEMO_PROCEDURE_WEIGHTS, seed_officers

MONTHS = 24
BATCH = 20_000
MARKER = "bench_dataset"
# Emptied (PostgreSQL: TRUNCATE … CASCADE) before a new data set is written.
DOSSIER_TABLES = ("notifications", "national_sync_messages", "internal_notes", "payments", "ratings",
                  "clock_entries", "dossier_events", "attachments", "dossiers", "stored_documents", "dossier_code_counters")
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE_NAMES = ("Văn", "Thị", "Minh", "Thanh", "Quốc", "Thu", "Hồng", "Đức", "Ngọc", "Hữu")
GIVEN_NAMES = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Long", "Mai", "Nam",
               "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến")


def period(today: date | None = None) -> tuple[datetime, datetime]:
    """The 24 months before the first day of the current month (Vietnam midnights)."""
    today = today or datetime.now(VN_TZ).date()
    first = today.year * 12 + today.month - 1 - MONTHS
    return (datetime(first // 12, first % 12 + 1, 1, tzinfo=VN_TZ),
            datetime(today.year, today.month, 1, tzinfo=VN_TZ))


def applicants(count: int, seed: int) -> list[Applicant]:
    """``count`` made-up adults with well-formed, distinct personal IDs (Hà Nội births)."""
    rng = random.Random(seed)
    people = []
    for serial in range(count):
        sex = "F" if serial % 2 else "M"
        name = f"{rng.choice(FAMILY_NAMES)} {'Thị' if sex == 'F' else rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
        people.append(Applicant(make_personal_id(1, sex, rng.randrange(1950, 2006), 500_000 + serial), name))
    return people


def _marker(conn: Connection) -> tuple[int, int] | None:
    if not inspect(conn).has_table(MARKER):
        return None
    row = conn.execute(text(f"SELECT count, seed FROM {MARKER}")).first()
    return (row[0], row[1]) if row else None


def _empty(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"TRUNCATE {', '.join(DOSSIER_TABLES)} CASCADE"))
    else:
        for name in DOSSIER_TABLES:
            conn.execute(text(f"DELETE FROM {name}"))


def _specs() -> tuple[list[ProcedureSpec], dict[int, Staff]]:
    procedures = [
        ProcedureSpec(p.id, p.agency_id, p.agency.code, p.version, procedure_snapshot(p),
                      DEMO_PROCEDURE_WEIGHTS.get(p.code, 1))
        for p in db.session.execute(select(Procedure).order_by(Procedure.code)).scalars()
    ]
    staff = {}
    for agency_id in {p.agency_id for p in procedures}:
        ids = dict(db.session.execute(
            select(User.role, func.min(User.id)).where(User.agency_id == agency_id).group_by(User.role)).all())
        if {"intake", "specialist", "leader"} <= ids.keys():
            staff[agency_id] = Staff(ids["intake"], ids["specialist"], ids["leader"])
    # an agency without its three officers in the demo (none to process its dossiers) gets none
    return [p for p in procedures if p.agency_id in staff], staff


class _Copier:
    """Writes batches with PostgreSQL ``COPY … FROM STDIN`` through psycopg."""

    def __init__(self, conn: Connection, procedures: list[ProcedureSpec]) -> None:
        self.cursor = conn.connection.driver_connection.cursor()
        if conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
            # The rows are consistent by construction: skipping the foreign-key triggers for
            # this transaction makes COPY several times faster. Without the right, they run.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        # Every dossier of a procedure shares its snapshot (a dict alive all along): dump it once.
        self.snapshots = {id(p.snapshot): json.dumps(p.snapshot, ensure_ascii=False) for p in procedures}

    def _value(self, value: Any, is_json: bool) -> Any:
        if not is_json or value is None:
            return value
        return self.snapshots.get(id(value)) or json.dumps(value, ensure_ascii=False)

    def write(self, batch: Batch) -> None:
        for model in TABLES:
            rows = batch.rows[model.__tablename__]
            if rows:
                self._copy(model.__table__, rows)

    def _copy(self, table: Table, rows: Iterable[dict[str, Any]]) -> None:
        rows = list(rows)
        # The columns the generator fills; a column added since (nullable or with a server
        # default) is left to the database.
        columns = [(c.name, isinstance(c.type, JSON)) for c in table.columns if c.name in rows[0]]
        names = ", ".join(name for name, _ in columns)
        with self.cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([self._value(row[name], is_json) for name, is_json in columns])


def ensure_dossiers(database_url: str, count: int, seed: int = 1) -> None:
    """Leave ``count`` realistic past dossiers (and their rows) in the database; see the module."""
    if make_url(database_url).get_backend_name() == "postgresql":
        ensure_database(database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        upsert_catalog(update_existing=False)
        seed_officers()
        db.session.commit()
        conn = db.session.connection()
        marker = _marker(conn)
        if marker == (count, seed):
            db.session.remove()
            db.engine.dispose()
            return
        if marker is None and conn.execute(select(func.count()).select_from(Dossier)).scalar_one():
            raise RuntimeError(f"{make_url(database_url).render_as_string()} holds dossiers that ensure_dossiers did "
                               "not make; give it a database of its own.")
        _empty(conn)
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS {MARKER} (count INTEGER NOT NULL, seed INTEGER NOT NULL)"))
        conn.execute(text(f"DELETE FROM {MARKER}"))
        _fill(conn, count, seed)
        conn.execute(text(f"INSERT INTO {MARKER} (count, seed) VALUES (:count, :seed)"), {"count": count, "seed": seed})
        db.session.commit()
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
                for name in DOSSIER_TABLES:
                    autocommit.execute(text(f"VACUUM ANALYZE {name}"))
        db.engine.dispose()


def _fill(conn: Connection, count: int, seed: int) -> None:
    procedures, staff = _specs()
    start, end = period()
    generator = HistoryGenerator(
        procedures, staff, applicants(max(1_000, min(count // 8, 200_000)), seed), working_calendar(),
        start=start, end=end, seed=seed, first_ids=first_ids(conn),
    )
    write = _Copier(conn, procedures).write if conn.dialect.name == "postgresql" else (lambda batch: insert_batch(conn, batch))
    started, done = time.perf_counter(), 0
    for batch in generator.batches(count, batch_size=BATCH):
        write(batch)
        done += len(batch)
        rate = done / (time.perf_counter() - started)
        print(f"\r  {done:,} of {count:,} dossiers ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    write_counters(conn, generator)
    reset_sequences(conn)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    ensure_dossiers(args.database_url, args.count, args.seed)
    print(f"{args.count:,} dossiers ready in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
