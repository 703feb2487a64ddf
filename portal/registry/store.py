"""Where the register lives: engines, schema, and bulk loading.

The register may be SQLite (the demo, the tests) or PostgreSQL. One engine per URL is kept for
the life of the process so that every client of the same register shares its pool.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import AddConstraint, ForeignKeyConstraint

from portal.registry.models import RegistryBase

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


class RegisterIntegrityError(RuntimeError):
    """A bulk load left links to people or households that do not exist."""


def get_engine(url: str) -> Engine:
    """The process-wide engine for ``url``."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _create_engine(url)
        return engine


def _create_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() != "sqlite":
        # No pre-ping: it would add a round trip to every lookup. A connection that died with
        # its server fails one lookup (RegistryUnavailable) and the pool is then renewed.
        return create_engine(url)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets the mock register service read while a generation writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        # Lookups in a 1M-person register stay in the page cache instead of read() calls.
        cursor.execute("PRAGMA mmap_size=536870912")
        cursor.close()

    return engine


def is_sqlite(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "sqlite"


def ensure_database(url: str) -> None:
    """Create the SQLite file's folder, or the PostgreSQL database, when missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).scalar()
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    finally:
        admin.dispose()


def create_schema(engine: Engine) -> None:
    RegistryBase.metadata.create_all(engine)


def drop_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        drop_tables(conn)
        conn.commit()


def drop_tables(conn: Connection) -> None:
    """Drop the register's tables on ``conn`` (PostgreSQL: inside its transaction)."""
    if is_sqlite(conn):
        # SQLite's DROP TABLE deletes the rows first and would trip over the links between the
        # two tables; outside a transaction (legacy pysqlite mode) the pragma takes effect.
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            RegistryBase.metadata.drop_all(conn)
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    else:
        RegistryBase.metadata.drop_all(conn)


def _foreign_keys() -> list[ForeignKeyConstraint]:
    return [
        constraint
        for table in RegistryBase.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, ForeignKeyConstraint)
    ]


@contextmanager
def bulk_load(conn: Connection) -> Iterator[None]:
    """Insert many rows without a foreign-key check per row, then check every link at once.

    Enter with the tables created. The block inserts; on leaving, the links are verified
    (SQLite: ``PRAGMA foreign_key_check``; PostgreSQL: the constraints, dropped on entry, are
    added back, which validates them in one pass), the transaction is committed and the
    statistics refreshed. On an error everything since the last commit is rolled back.
    """
    sqlite = is_sqlite(conn)
    if sqlite:
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    else:
        for constraint in _foreign_keys():
            # By name: SQLAlchemy's DropConstraint would stop CREATE TABLE rendering it (< 2.1).
            conn.exec_driver_sql(
                f"ALTER TABLE {constraint.table.name} DROP CONSTRAINT {constraint.name}"
            )
    try:
        yield
        _verify_links(conn)
        for table in RegistryBase.metadata.sorted_tables:
            conn.exec_driver_sql(f"ANALYZE {table.name}")
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.commit()


def _verify_links(conn: Connection) -> None:
    if is_sqlite(conn):
        for table in RegistryBase.metadata.sorted_tables:
            broken = conn.exec_driver_sql(f"PRAGMA foreign_key_check({table.name})").fetchmany(3)
            if broken:
                raise RegisterIntegrityError(
                    f"{table.name} links to missing rows (table, rowid, target, link): {broken}"
                )
        return
    for constraint in _foreign_keys():
        try:
            # isolate_from_table=False: the model's CREATE TABLE must keep rendering it.
            conn.execute(AddConstraint(constraint, isolate_from_table=False))
        except IntegrityError as exc:
            raise RegisterIntegrityError(
                f"{constraint.table.name} links to missing rows: {exc.orig}"
            ) from exc


def database_size(engine: Engine) -> int | None:
    """Bytes used by the register's database, when the backend can tell."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        return sum(
            os.path.getsize(path)
            for path in (url.database, f"{url.database}-wal")
            if os.path.exists(path)
        )
    if url.get_backend_name() == "postgresql":
        with engine.connect() as conn:
            return conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
    return None
