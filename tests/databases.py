"""Extra databases beside the test database, for tests that need one of their own (a world
committed for real, a backup restored into an empty database)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def database_beside(main_url: str, name: str, tmp_dir: Path) -> str:
    """An empty database called ``name``: a SQLite file in ``tmp_dir``, or on PostgreSQL a
    database next to the test one (dropped and created again)."""
    url = make_url(main_url)
    if url.get_backend_name() != "postgresql":
        return f"sqlite:///{tmp_dir / f'{name}.sqlite3'}"
    target = url.set(database=f"{url.database or 'test'}_{name}")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return target.render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop a PostgreSQL database made by :func:`database_beside` (SQLite files go with their
    temporary folder)."""
    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        return
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()
