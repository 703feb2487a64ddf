"""Connection pool settings for PostgreSQL come from the environment (README: scale-out)."""
from __future__ import annotations

import os

import pytest

from portal.extensions import db


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="SQLite has no connection pool to size")
def test_pool_size_and_overflow_are_read_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("DATABASE_POOL_SIZE", "7")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "3")
    app = make_app()
    with app.app_context():
        assert (db.engine.pool.size(), db.engine.pool._max_overflow) == (7, 3)
