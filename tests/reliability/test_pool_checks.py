"""A pooled connection is tested before use when it may be broken, not on every request (issue 19):
``pool_pre_ping`` cost one more round trip on every request that read the database."""
from __future__ import annotations

from unittest import mock

from portal.extensions import db


def _pings_while(app, client, path: str, times: int) -> int:
    with app.app_context():
        dialect = db.engine.dialect
    with mock.patch.object(dialect, "do_ping", wraps=dialect.do_ping) as ping:
        for _ in range(times):
            assert client.get(path).status_code == 200
    return ping.call_count


def test_a_connection_in_use_moments_ago_is_not_tested_again(fresh_app):
    app = fresh_app("ping-busy", DATABASE_PING_AFTER_IDLE=60.0)
    client = app.test_client()
    assert client.get("/procedures").status_code == 200  # the pool holds a connection now
    assert _pings_while(app, client, "/procedures", 5) == 0


def test_a_connection_idle_too_long_is_tested_before_use(fresh_app):
    app = fresh_app("ping-idle", DATABASE_PING_AFTER_IDLE=0.0)
    client = app.test_client()
    assert client.get("/procedures").status_code == 200
    assert _pings_while(app, client, "/procedures", 3) == 3


def test_a_pooled_connection_closed_underneath_is_replaced(postgresql_only, fresh_app):
    """A connection whose socket is gone (closed by the driver after a fatal error) cannot even
    be asked whether data waits: it is replaced like one the server closed."""
    app = fresh_app("ping-closed", DATABASE_PING_AFTER_IDLE=60.0)
    client = app.test_client()
    assert client.get("/procedures").status_code == 200
    with app.app_context():
        pooled = db.engine.pool._pool.queue  # noqa: SLF001 — the connections waiting in the pool
        assert pooled
        for record in pooled:
            record.dbapi_connection.close()
    assert client.get("/procedures").status_code == 200
