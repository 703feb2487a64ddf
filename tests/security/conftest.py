"""The world the security tests attack: real accounts, real dossiers, real sessions.

1. ``app`` is the portal on a database of its own (a SQLite file, or a database beside the
   PostgreSQL test database): the world below is committed for real once, and each test still
   runs inside the transaction the root ``conftest`` rolls back, so what a test's request
   changes never reaches the next test.
2. ``world`` builds, through the portal's own pages: citizen A's submitted dossier (with its
   uploaded document), A's dossier whose signed result was returned online, A's open draft, a
   counter draft and a submitted counter dossier entered by ``intake1`` for A, and a calendar
   exception for the administration. Citizen B owns nothing.
3. ``browser_as(role)`` is a test client already signed in as one of :data:`ROLES`: the session
   cookie of one real sign-in per role, so a test does not pay for a password hash. A test that
   signs out ends its session for good: it asks ``browser_as(role, fresh=True)`` instead.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal import create_app
from portal.auth.models import User
from portal.catalog.models import CalendarException
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.payments.operations import refund_due
from portal.registry import get_registry
from tests.conftest import Officer, login_citizen, login_officer
from tests.databases import database_beside, drop_database
from tests.dossiers.helpers import current_draft, fill_all_steps, submit_online, submitted

ANONYMOUS = "anonymous"
CITIZEN_A, CITIZEN_B = "citizen_a", "citizen_b"
OFFICERS = ("intake1", "specialist1", "leader1", "intake2", "admin")
ROLES = (ANONYMOUS, CITIZEN_A, CITIZEN_B, *OFFICERS)


@dataclass(frozen=True)
class World:
    citizen_a: str  # personal IDs
    citizen_b: str
    submitted: str  # dossier codes
    returned: str
    draft: str  # public ids
    counter_draft: str
    counter: str
    attachment_id: int  # of the submitted dossier
    document_id: int  # in A's document store
    calendar_exception_id: int
    specialist1_id: int
    intake1_id: int
    refund_id: int  # due on the returned dossier (its fee counted as paid twice)
    in_process: str = ""  # a dossier of A assigned to specialist1, its result being drafted


@pytest.fixture(scope="package")
def app(database_urls: tuple[str, str], register: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from portal.demo.seed import seed_reference_data

    folder = tmp_path_factory.mktemp("security")
    url = database_beside(database_urls[0], "security", folder)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "REGISTRY_DATABASE_URL": register,
            "REGISTRY_CLIENT": "sql",
            "PKI_DIR": str(folder / "pki"),
            "UPLOAD_DIR": str(folder / "uploads"),
            "GATEWAY_DATABASE_URL": f"sqlite:///{folder}/gateway.sqlite3",
        }
    )
    with app.app_context():
        db.create_all()
        seed_reference_data()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    drop_database(url)


def _returned_online(app: Flask, code: str) -> None:
    """Accept, assign, propose, approve (signed) and return online, as the officers would."""
    intake, specialist, leader = (Officer(app, name) for name in ("intake1", "specialist1", "leader1"))
    with app.app_context():
        specialist_id = db.session.execute(select(User.id).where(User.username == "specialist1")).scalar_one()
    for officer, action, form in (
        (intake, "accept", {}),
        (intake, "assign", {"assignee": str(specialist_id)}),
        (specialist, "propose_result", {"note": "Đủ điều kiện đăng ký."}),
        (leader, "approve", {}),
        (intake, "return_online", {}),
    ):
        response = officer.act(code, action, **form)
        assert response.status_code == 302, (action, response.status)


def _assigned(app: Flask, code: str) -> None:
    """Accepted and assigned to specialist1: the result is being drafted."""
    intake = Officer(app, "intake1")
    with app.app_context():
        specialist_id = db.session.execute(select(User.id).where(User.username == "specialist1")).scalar_one()
    assert intake.act(code, "accept").status_code == 302
    assert intake.act(code, "assign", assignee=str(specialist_id)).status_code == 302


def _counter_dossiers(app: Flask, personal_id: str, other_id: str) -> tuple[str, str]:
    """(public id of a submitted counter dossier, public id of an open counter draft)."""
    client = app.test_client()
    login_officer(client, "intake1")
    client.post("/officer/counter/new", data={"procedure": "1.004194", "personal_id": personal_id})
    dossier = current_draft(app, personal_id, channel="counter")
    fill_all_steps(app, client, dossier, other_id)
    client.post(f"/apply/{dossier.public_id}/delivery", data={"delivery": "counter"})
    assert client.post(f"/apply/{dossier.public_id}/submit").status_code == 302
    client.post("/officer/counter/new", data={"procedure": "1.004222", "personal_id": personal_id})
    return dossier.public_id, current_draft(app, personal_id, channel="counter").public_id


@pytest.fixture(scope="package")
def world(app: Flask, citizen_id: str) -> World:
    with app.app_context():
        person = get_registry().get_person(citizen_id)
    citizen_b = person.spouse_id
    a = app.test_client()
    login_citizen(a, citizen_id)
    submitted_code = submit_online(app, a, "1.004194", citizen_id, citizen_b)
    returned_code = submit_online(app, a, "1.004194", citizen_id, citizen_b)
    _returned_online(app, returned_code)
    in_process_code = submit_online(app, a, "1.004194", citizen_id, citizen_b)
    _assigned(app, in_process_code)
    location = a.get("/procedures/1.004222/apply").headers["Location"]
    draft = re.search(r"/apply/([0-9a-f]{32})/", location).group(1)
    counter, counter_draft = _counter_dossiers(app, citizen_id, citizen_b)
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.code == submitted_code)).scalar_one()
        attachment = dossier.attachments[0]
        exception = CalendarException(day=date(2030, 1, 2), is_working_day=False, legal_reference="Test")
        db.session.add(exception)
        paid = db.session.execute(select(Dossier).where(Dossier.code == returned_code)).scalar_one().payments[0]
        refund = refund_due(paid, "duplicate")
        db.session.commit()
        ids = {u.username: u.id for u in db.session.execute(select(User).where(User.kind == "officer")).scalars()}
        world = World(
            citizen_a=citizen_id,
            citizen_b=citizen_b,
            submitted=submitted_code,
            returned=returned_code,
            draft=draft,
            counter_draft=counter_draft,
            counter=counter,
            attachment_id=attachment.id,
            document_id=attachment.stored_document_id,
            calendar_exception_id=exception.id,
            specialist1_id=ids["specialist1"],
            intake1_id=ids["intake1"],
            refund_id=refund.id,
            in_process=in_process_code,
        )
    assert submitted(app, counter).status == "submitted"
    return world


def sign_in(client: FlaskClient, world: World, role: str) -> FlaskClient:
    if role in (CITIZEN_A, CITIZEN_B):
        login_citizen(client, world.citizen_a if role == CITIZEN_A else world.citizen_b)
    elif role != ANONYMOUS:
        login_officer(client, role)
    return client


@pytest.fixture(scope="package")
def session_cookies(app: Flask, world: World) -> dict[str, str]:
    """The session cookie of one real sign-in per role."""
    return {role: sign_in(app.test_client(), world, role).get_cookie("session").value for role in ROLES[1:]}


@pytest.fixture()
def browser_as(app: Flask, world: World, session_cookies: dict[str, str]) -> Callable[..., FlaskClient]:
    def open_as(role: str, *, fresh: bool = False) -> FlaskClient:
        client = app.test_client()
        if fresh:
            return sign_in(client, world, role)
        if role != ANONYMOUS:
            client.set_cookie("session", session_cookies[role])
        return client

    return open_as
