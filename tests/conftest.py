"""Shared fixtures.

The suite runs on SQLite by default and on PostgreSQL when ``TEST_DATABASE_URL`` points at one
(``postgresql+psycopg:///test``); the register then lives in its own database next to it
(``TEST_REGISTRY_DATABASE_URL``, default ``…/test_registry``, created when missing).

Each test runs inside a transaction that is rolled back at its end (operations and requests
commit into a savepoint), so the demo catalog and officers seeded once per session stay intact.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from portal import create_app
from portal.extensions import db
from portal.registry import get_registry

REGISTER_SIZE = 300
REGISTER_SEED = 20260701


def _registry_url(main_url: str, tmp_dir: str) -> str:
    explicit = os.environ.get("TEST_REGISTRY_DATABASE_URL")
    if explicit:
        return explicit
    url = make_url(main_url)
    if url.get_backend_name() != "postgresql":
        return f"sqlite:///{tmp_dir}/registry.sqlite3"
    registry = url.set(database=f"{url.database or 'test'}_registry")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": registry.database}
        ).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{registry.database}"'))
    admin.dispose()
    return registry.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    tmp_dir = tmp_path_factory.mktemp("db")
    main_url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir}/portal.sqlite3"
    return main_url, _registry_url(main_url, str(tmp_dir))


@pytest.fixture(scope="session")
def register(database_urls: tuple[str, str]) -> str:
    """A small deterministic register shared by the whole session (read-only in tests)."""
    from portal.registry.generator import generate_register

    registry_url = database_urls[1]
    generate_register(registry_url, count=REGISTER_SIZE, seed=REGISTER_SEED, reset=True)
    return registry_url


@pytest.fixture(scope="session")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The mock payment gateway's own ledger: an outside system, kept apart from the portal's
    database and its per-test rollback (tests that reconcile clear it first)."""
    return f"sqlite:///{tmp_path_factory.mktemp('gateway')}/gateway.sqlite3"


@pytest.fixture(scope="session")
def app(database_urls: tuple[str, str], register: str, gateway_url: str,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from portal.demo.seed import seed_reference_data

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_urls[0],
            "REGISTRY_DATABASE_URL": register,
            "REGISTRY_CLIENT": "sql",
            "PKI_DIR": str(tmp_path_factory.mktemp("pki")),
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
            "GATEWAY_DATABASE_URL": gateway_url,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_reference_data()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


class _ConnectionBoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's session picks an engine per bind key and would bypass the test's
    connection (and its rollback); this one always uses the connection it was given."""

    def get_bind(self, *args: object, **kwargs: object):
        return self.bind

    def connection(self, bind_arguments=None, execution_options=None):  # noqa: ANN001
        """The test's connection is inside its outer transaction: a request's wish to run outside
        one (``portal.extensions.reading_only``) cannot apply, and the statements join it."""
        return super().connection(bind_arguments)


@pytest.fixture(autouse=True)
def _rollback(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run the test in an outer transaction that is rolled back at the end.

    No application context stays pushed during the test: each request gets its own, as in
    production (a shared one would carry ``g`` — the signed-in user, the locale — across
    requests). Tests that read the database directly use the ``ctx`` fixture.
    """
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        # Deferred on SQLite: the outer transaction must not hold the write lock, or a test
        # with its own connections (concurrency) would wait for it.
        connection = db.engine.connect().execution_options(sqlite_begin="DEFERRED")
    outer = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionBoundSession}
    )
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture()
def ctx(app: Flask) -> Iterator[None]:
    """An application context for a test that reads or writes the database itself."""
    with app.app_context():
        yield


@pytest.fixture()
def make_app(database_urls: tuple[str, str], register: str, gateway_url: str) -> Iterator[Callable[..., Flask]]:
    """Build an extra app on the test databases (other settings); its engines are closed after.

    The rate limiter is one object bound to every app: an app built with limits on would
    switch them on for the others too, so its switch and counts are put back afterwards.
    """
    from portal.extensions import limiter

    made: list[Flask] = []
    was_enabled = limiter.enabled

    def build(**config: object) -> Flask:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": database_urls[0], "REGISTRY_DATABASE_URL": register,
             "GATEWAY_DATABASE_URL": gateway_url, **config}
        )
        made.append(app)
        return app

    yield build
    if any(app.config["RATELIMIT_ENABLED"] for app in made):
        limiter.reset()
    limiter.enabled = was_enabled
    for app in made:
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def citizen_id(register: str) -> str:
    """The personal ID of a married adult with parents in the test register."""
    from portal.registry.models import Person
    from portal.registry.store import get_engine

    with Session(get_engine(register)) as session:
        return session.scalars(
            select(Person.personal_id)
            .where(Person.spouse_id.is_not(None), Person.father_id.is_not(None))
            .order_by(Person.personal_id)
            .limit(1)
        ).one()


def login_citizen(client: FlaskClient, personal_id: str, password: str = "vneid-demo"):
    return client.post(
        "/login/citizen", data={"personal_id": personal_id, "password": password}
    )


def login_officer(client: FlaskClient, username: str, password: str = "demo-password"):
    return client.post("/login/officer", data={"username": username, "password": password})


# --- journeys shared by the back-office, tracking and statistics tests ---------------------


class Officer:
    """An officer's browser: signs in, opens dossiers, presses action buttons."""

    def __init__(self, app, username: str) -> None:
        self.client = app.test_client()
        login_officer(self.client, username)

    def page(self, code: str) -> str:
        response = self.client.get(f"/officer/dossiers/{code}")
        assert response.status_code == 200, response.status
        return response.get_data(as_text=True)

    def act(self, code: str, action: str, **form):
        version = re.search(r'name="version" value="(\d+)"', self.page(code))
        data = {"version": version.group(1) if version else "0", **form}
        return self.client.post(f"/officer/dossiers/{code}/actions/{action}", data=data)


@pytest.fixture()
def person(app, citizen_id):
    with app.app_context():
        return get_registry().get_person(citizen_id)


@pytest.fixture()
def citizen(client, citizen_id):
    login_citizen(client, citizen_id)
    return client


@pytest.fixture()
def make_dossier(app, citizen, citizen_id, person):
    """Submit a dossier online as the citizen; returns its code."""

    def make(procedure: str = "1.004194", delivery: str = "online") -> str:
        from tests.dossiers.helpers import submit_online

        return submit_online(app, citizen, procedure, citizen_id, person.spouse_id, delivery)

    return make


@pytest.fixture()
def officers(app):
    return {name: Officer(app, name) for name in ("intake1", "specialist1", "leader1", "intake2")}
