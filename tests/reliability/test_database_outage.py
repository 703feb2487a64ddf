"""The database goes away, or a lock cannot be had: a calm 503 in the visitor's language, the
citizen's draft kept, and the portal back by itself when the database is (DESIGN §8, issue 8).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from portal.dossiers.models import Dossier
from portal.eforms.definitions import get_form_definition
from portal.extensions import db
from tests.conftest import login_citizen, login_officer
from tests.dossiers.helpers import current_draft, step_form
from tests.reliability.conftest import is_postgresql


@contextmanager
def database_down(app: Flask) -> Iterator[None]:
    """Every new connection is refused and the pooled ones are dropped, as when the server
    stops; leaving the block brings it back."""
    with app.app_context():
        engine = db.engine

    def refuse(*_args: object) -> None:
        raise engine.dialect.loaded_dbapi.OperationalError("connection refused: the database server is down")

    event.listen(engine, "do_connect", refuse)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "do_connect", refuse)


def _first_step_saved(app: Flask, client, citizen_id: str, other_id: str) -> Dossier:
    client.get("/procedures/1.004194/apply")
    draft = current_draft(app, citizen_id)
    first = get_form_definition("1.004194").steps[0]
    response = client.post(f"/apply/{draft.public_id}/steps/{first.key}", data=step_form(first, draft, other_id))
    assert response.status_code == 302
    return draft


def test_an_outage_is_a_503_the_draft_is_kept_and_the_portal_comes_back(fresh_app, citizen_id, caplog):
    app = fresh_app("outage")
    citizen = app.test_client()
    login_citizen(citizen, citizen_id)
    with app.app_context():
        from portal.registry import get_registry

        other_id = get_registry().get_person(citizen_id).spouse_id
    draft = _first_step_saved(app, citizen, citizen_id, other_id)
    second = get_form_definition("1.004194").steps[1]
    visitor = app.test_client()
    visitor.post("/language", data={"lang": "en", "next": "/"})

    with database_down(app):
        page = citizen.get("/my/dossiers")
        assert page.status_code == 503 and page.headers["Retry-After"] == "30"
        html = page.get_data(as_text=True)
        assert "Dịch vụ tạm thời gián đoạn" in html and "vẫn được giữ nguyên" in html
        assert "Traceback" not in html and "OperationalError" not in html and "connection refused" not in html
        saving = citizen.post(f"/apply/{draft.public_id}/steps/{second.key}", data=step_form(second, draft, other_id))
        assert saving.status_code == 503
        api = citizen.get("/api/v1/procedures")
        assert api.status_code == 503 and api.is_json and api.get_json()["status"] == 503
        english = visitor.get("/procedures")
        assert english.status_code == 503 and "The service is briefly unavailable" in english.get_data(as_text=True)

    # Back: the same browser is still signed in, and the first step it saved is still there.
    assert citizen.get("/my/dossiers").status_code == 200
    kept = current_draft(app, citizen_id)
    assert kept.public_id == draft.public_id and kept.completed_steps == [get_form_definition("1.004194").steps[0].key]
    assert "connection refused" in caplog.text  # the operators see why


def test_a_failed_commit_is_a_503_and_keeps_nothing_of_the_request(fresh_app, citizen_id):
    app = fresh_app("commit")
    client = app.test_client()
    login_citizen(client, citizen_id)
    with app.app_context():
        before = db.session.execute(select(Dossier.id)).all()

    def fail(_session: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    event.listen(Session, "before_commit", fail)
    try:
        response = client.get("/procedures/1.004222/apply")  # creates a draft, then commits
    finally:
        event.remove(Session, "before_commit", fail)
    assert response.status_code == 503
    with app.app_context():
        assert db.session.execute(select(Dossier.id)).all() == before


def test_a_lock_held_too_long_is_a_503_not_a_hang(fresh_app):
    """Another transaction holds the lock the sign-in needs (the officer's row on PostgreSQL,
    the whole database on SQLite): after DATABASE_LOCK_TIMEOUT the visitor gets a 503."""
    app = fresh_app("locks", DATABASE_LOCK_TIMEOUT=0.3)
    with app.app_context():
        engine = db.engine
    holder = engine.connect()
    transaction = holder.begin()
    if is_postgresql(app):
        holder.execute(text("SELECT id FROM users WHERE username = 'intake1' FOR UPDATE"))
    else:
        holder.execute(text("UPDATE users SET failed_logins = failed_logins WHERE username = 'intake1'"))
    try:
        response = login_officer(app.test_client(), "intake1")
    finally:
        transaction.rollback()
        holder.close()
    assert response.status_code == 503
    assert login_officer(app.test_client(), "intake1").status_code == 302


def test_connections_killed_by_the_server_are_replaced_without_an_error(postgresql_only, fresh_app):
    """A PostgreSQL restart or failover closes every open connection: the pool sees it when it
    hands one out (the server's farewell waits on the socket) and reconnects, so not even the
    first request after it fails."""
    app = fresh_app("restart")
    clients = [app.test_client() for _ in range(3)]
    threads = [threading.Thread(target=c.get, args=("/procedures",)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with app.app_context():
        database = db.engine.url.database
    admin = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": database},
        ).scalars().all()
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:pids AS int[])) AS pid"), {"pids": killed})
        # pg_terminate_backend only signals: the connections are closed (as after a restart) once
        # their backends have gone, which a loaded machine may take a moment to get to.
        deadline = time.monotonic() + 10
        while conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(CAST(:pids AS int[]))"),
                           {"pids": killed}).scalar_one() and time.monotonic() < deadline:
            time.sleep(0.02)
    admin.dispose()
    assert len(killed) >= 1
    assert [c.get("/procedures").status_code for c in clients] == [200, 200, 200]
