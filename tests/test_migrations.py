"""The Alembic migrations build exactly the schema the models describe."""
from __future__ import annotations

import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db


def _scratch_url(tmp_path) -> str:
    main = os.environ.get("TEST_DATABASE_URL")
    if not main or make_url(main).get_backend_name() != "postgresql":
        return f"sqlite:///{tmp_path}/migrated.sqlite3"
    url = make_url(main)
    scratch = url.set(database=f"{url.database or 'test'}_migrations")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}"'))
        conn.execute(text(f'CREATE DATABASE "{scratch.database}"'))
    admin.dispose()
    return scratch.render_as_string(hide_password=False)


def test_migrations_match_the_models(tmp_path, register):
    app = create_app({"SQLALCHEMY_DATABASE_URI": _scratch_url(tmp_path), "REGISTRY_DATABASE_URL": register})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            tables = set(inspect(conn).get_table_names())
        db.engine.dispose()
    assert diff == []
    assert {"users", "agencies", "procedures", "procedure_fields", "calendar_exceptions"} <= tables
