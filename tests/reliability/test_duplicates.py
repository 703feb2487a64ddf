"""Duplicates arrive at the same moment, not one after the other: a double click, two tabs, a
payment gateway that calls back twice. Real threads on a database of their own; every request
gets an answer (no 5xx) and exactly one of everything exists afterwards. (One after the other
is tested in tests/dossiers/test_apply.py.)"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.dossiers.models import Dossier, DossierCodeCounter, DossierEvent
from portal.extensions import db
from portal.notifications.models import Notification
from portal.payments.models import Payment
from portal.registry import get_registry
from tests.conftest import Officer, login_citizen
from tests.dossiers.helpers import apply_until_check

PARALLEL = 6


def at_once(client: FlaskClient, request: Callable[[FlaskClient], object]) -> list[int]:
    """``request`` sent by PARALLEL copies of the same browser (same cookies) at the same time."""
    cookie = client.get_cookie("session").value
    start = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    lock = threading.Lock()

    def one() -> None:
        copy = client.application.test_client()
        copy.set_cookie("session", cookie)
        start.wait()
        status = request(copy).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def signed_in_citizen(app: Flask, citizen_id: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    login_citizen(client, citizen_id)
    with app.app_context():
        other = get_registry().get_person(citizen_id).spouse_id
    return client, other


def count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_a_draft_submitted_six_times_at_once_becomes_one_dossier(fresh_app, citizen_id):
    app = fresh_app("double_submit")
    client, other = signed_in_citizen(app, citizen_id)
    draft = apply_until_check(app, client, "1.001193", citizen_id, other)  # free: no payment step
    statuses = at_once(client, lambda c: c.post(f"/apply/{draft.public_id}/submit", data={"payment": "none"}))
    assert statuses == [302] * PARALLEL
    with app.app_context():
        dossier = db.session.get(Dossier, draft.id)
        assert dossier.status == "submitted" and dossier.code.endswith("-0001")
        assert count(DossierEvent, DossierEvent.dossier_id == draft.id, DossierEvent.action == "submit") == 1
        assert db.session.execute(select(func.sum(DossierCodeCounter.last_value))).scalar_one() == 1
        assert count(Notification, Notification.dossier_id == draft.id) == len({n.channel for n in dossier_notifications(draft.id)})


def dossier_notifications(dossier_id: int) -> list[Notification]:
    return list(db.session.execute(select(Notification).where(Notification.dossier_id == dossier_id)).scalars())


def _paid_callback(client: FlaskClient, response) -> str:
    """The signed return URL the gateway sends the browser to after a successful payment."""
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page))
    return client.post("/mock-gateway/pay", data={**fields, "outcome": "success"}).headers["Location"]


def test_a_payment_callback_arriving_six_times_at_once_submits_once(fresh_app, citizen_id):
    app = fresh_app("double_callback")
    client, other = signed_in_citizen(app, citizen_id)
    draft = apply_until_check(app, client, "1.004194", citizen_id, other)
    callback = _paid_callback(client, client.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"}))
    statuses = at_once(client, lambda c: c.get(callback))
    assert statuses == [302] * PARALLEL
    with app.app_context():
        dossier = db.session.get(Dossier, draft.id)
        assert (dossier.status, dossier.payment_status) == ("submitted", "paid")
        assert count(DossierEvent, DossierEvent.dossier_id == draft.id) == 1
        assert count(Payment, Payment.dossier_id == draft.id, Payment.status == "paid") == 1
        assert db.session.execute(select(func.sum(DossierCodeCounter.last_value))).scalar_one() == 1


def test_a_requested_fee_paid_with_a_callback_arriving_six_times_is_recorded_once(fresh_app, citizen_id):
    app = fresh_app("double_fee")
    client, other = signed_in_citizen(app, citizen_id)
    draft = apply_until_check(app, client, "1.004194", citizen_id, other)
    client.get(_paid_callback(client, client.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"})))
    with app.app_context():
        code = db.session.get(Dossier, draft.id).code
        specialist_id = _user_id("specialist1")
    intake, specialist = Officer(app, "intake1"), Officer(app, "specialist1")
    assert intake.act(code, "accept").status_code == 302
    assert intake.act(code, "assign", assignee=str(specialist_id)).status_code == 302
    assert specialist.act(code, "request_payment", amount="20000", note="Phí cấp bản sao").status_code == 302
    callback = _paid_callback(client, client.post(f"/my/dossiers/{code}/pay"))
    statuses = at_once(client, lambda c: c.get(callback))
    assert statuses == [302] * PARALLEL
    with app.app_context():
        dossier = db.session.get(Dossier, draft.id)
        assert (dossier.status, dossier.payment_status) == ("in_process", "paid")
        assert count(DossierEvent, DossierEvent.dossier_id == draft.id, DossierEvent.action == "record_payment") == 1


def _user_id(username: str) -> int:
    from portal.auth.models import User

    return db.session.execute(select(User.id).where(User.username == username)).scalar_one()
