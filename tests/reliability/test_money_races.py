"""Money under races (issue 15), with real commits and real threads: the gateway's ledger and the
portal's records always reconcile (``flask payments reconcile`` exits 0), each success is either
applied to the dossier or has its refund due, and no request answers 5xx.

On PostgreSQL the requests overlap for real; SQLite serialises writers (BEGIN IMMEDIATE), where
the same scenarios check the outcome of each order the requests can come in.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from portal.auth.models import User
from portal.deadlines import VN_TZ
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.payments.models import Payment
from tests.conftest import Officer, login_citizen
from tests.dossiers.helpers import apply_until_check

HIDDEN = re.compile(r'type="hidden" name="(\w+)" value="([^"]*)"')


@pytest.fixture()
def portal(fresh_app, tmp_path) -> Flask:
    return fresh_app("money", GATEWAY_DATABASE_URL=f"sqlite:///{tmp_path}/gateway.sqlite3")


def citizen_client(app: Flask, citizen_id: str) -> FlaskClient:
    client = app.test_client()
    login_citizen(client, citizen_id)
    return client


def gateway_page(client: FlaskClient, start) -> dict[str, str]:
    """The hidden fields of the gateway's page the portal sent the payer to."""
    assert "/mock-gateway/pay" in start.headers["Location"], start.headers.get("Location")
    return dict(HIDDEN.findall(client.get(start.headers["Location"]).get_data(as_text=True)))


def pay_on_gateway(client: FlaskClient, fields: dict[str, str]) -> str:
    """Press "Pay" on the gateway: the gateway records the transaction in its ledger and returns
    the address it sends the payer back to (not followed yet)."""
    response = client.post("/mock-gateway/pay", data={**fields, "outcome": "success"})
    assert response.status_code == 302
    return response.headers["Location"]


def at_once(*calls: Callable[[], object]) -> list[int]:
    """Run the calls in threads released together; returns their HTTP statuses."""
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = []
    lock = threading.Lock()

    def run(call: Callable[[], object]) -> None:
        barrier.wait()
        status = call().status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(statuses) == len(calls)
    return statuses


def reconcile(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["payments", "reconcile", "--date", datetime.now(VN_TZ).date().isoformat()])
    return result.exit_code, result.output


def money_of(app: Flask, dossier_id: int) -> tuple[Dossier, list[tuple[str, str | None]]]:
    """The dossier, and each of its payments' status with its refund's reason."""
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        db.session.expunge(dossier)
        rows = [(p.status, p.refund.reason if p.refund else None)
                for p in db.session.execute(select(Payment).where(Payment.dossier_id == dossier_id).order_by(Payment.id)).scalars()]
        return dossier, rows


def assert_settled(app: Flask, dossier_id: int, statuses: list[int]) -> tuple[Dossier, list]:
    assert all(status < 500 for status in statuses), statuses
    code, output = reconcile(app)
    assert code == 0, output
    assert "missing in the portal: 0" in output and "missing at the gateway: 0" in output
    return money_of(app, dossier_id)


def draft_at_check(app: Flask, client: FlaskClient, citizen_id: str, spouse_id: str) -> Dossier:
    return apply_until_check(app, client, "1.004194", citizen_id, spouse_id)


def payment_requested(app: Flask, client: FlaskClient, citizen_id: str, spouse_id: str) -> tuple[str, int]:
    """A dossier submitted (its fee paid), accepted, assigned, and asked for a further fee."""
    draft = draft_at_check(app, client, citizen_id, spouse_id)
    fields = gateway_page(client, client.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"}))
    client.get(pay_on_gateway(client, fields))
    with app.app_context():
        code = db.session.get(Dossier, draft.id).code
    intake, specialist = Officer(app, "intake1"), Officer(app, "specialist1")
    assert intake.act(code, "accept").status_code == 302
    assert intake.act(code, "assign", assignee=specialist_id(app)).status_code == 302
    assert specialist.act(code, "request_payment", amount="50.000", note="Phí thẩm định.").status_code == 302
    return code, draft.id


def specialist_id(app: Flask) -> str:
    with app.app_context():
        return str(db.session.execute(select(User.id).where(User.username == "specialist1")).scalar_one())


def test_two_tabs_paying_the_same_fee(portal, citizen_id, spouse_id):
    client = citizen_client(portal, citizen_id)
    draft = draft_at_check(portal, client, citizen_id, spouse_id)
    first = client.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"})
    second = client.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"})
    assert first.headers["Location"] == second.headers["Location"]  # pressing pay again resumes
    fields = gateway_page(client, first)
    returns = [pay_on_gateway(client, fields), pay_on_gateway(client, fields)]  # paid in both tabs
    statuses = at_once(*(lambda url=url: client.get(url) for url in returns))
    dossier, payments = assert_settled(portal, draft.id, statuses)
    assert dossier.status == "submitted" and dossier.payment_status == "paid"
    assert payments == [("paid", None), ("paid", "duplicate")]
    page = client.get(f"/my/dossiers/{dossier.code}").get_data(as_text=True)
    assert "Chờ hoàn phí" in page or "hoàn trả" in page


def test_the_return_page_and_repeated_notifications_record_one_payment(portal, citizen_id, spouse_id):
    client = citizen_client(portal, citizen_id)
    draft = draft_at_check(portal, client, citizen_id, spouse_id)
    fields = gateway_page(client, client.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"}))
    back = pay_on_gateway(client, fields)
    outcome = dict(pair.split("=", 1) for pair in back.split("?", 1)[1].split("&"))
    notifier = portal.test_client()
    statuses = at_once(lambda: client.get(back), *(lambda: notifier.post("/payments/notify", data=outcome) for _ in range(3)))
    dossier, payments = assert_settled(portal, draft.id, statuses)
    assert dossier.status == "submitted" and payments == [("paid", None)]


def test_the_gateway_return_and_the_officer_recording_the_fee_at_once(portal, citizen_id, spouse_id):
    client = citizen_client(portal, citizen_id)
    code, dossier_id = payment_requested(portal, client, citizen_id, spouse_id)
    fields = gateway_page(client, client.post(f"/my/dossiers/{code}/pay"))
    back = pay_on_gateway(client, fields)
    intake = Officer(portal, "intake1")
    version = re.search(r'name="version" value="(\d+)"', intake.page(code)).group(1)
    statuses = at_once(
        lambda: client.get(back),
        lambda: intake.client.post(f"/officer/dossiers/{code}/actions/record_payment", data={"version": version}),
    )
    dossier, payments = assert_settled(portal, dossier_id, statuses)
    assert dossier.status == "in_process"
    online = payments[-1]
    # Either the online payment resumed the dossier (the officer's form was then stale), or the
    # officer recorded a counter payment first and the online one is paid back.
    assert online in (("paid", None), ("paid", "duplicate"))
    assert (online[1] == "duplicate") == (dossier.payment_status == "counter")


def test_paying_while_withdrawing(portal, citizen_id, spouse_id):
    client = citizen_client(portal, citizen_id)
    code, dossier_id = payment_requested(portal, client, citizen_id, spouse_id)
    back = pay_on_gateway(client, gateway_page(client, client.post(f"/my/dossiers/{code}/pay")))
    statuses = at_once(
        lambda: client.get(back),
        lambda: client.post(f"/my/dossiers/{code}/withdraw", data={"confirm": "yes", "reason": "Không cần nữa."}),
    )
    dossier, payments = assert_settled(portal, dossier_id, statuses)
    assert dossier.status == "withdrawn"
    # Every fee paid on a withdrawn dossier is owed back, whichever request came first.
    assert payments == [("paid", "withdrawn"), ("paid", "withdrawn")]


def test_a_withdrawal_waits_for_a_change_in_progress_and_withdraws(portal, citizen_id, spouse_id):
    """The withdrawal form carries no version: the citizen wants out whatever the dossier became.
    While another transaction holds the dossier (the requested fee's payment resuming it), the
    withdrawal waits, then withdraws the dossier as it is now — not a 409 for a page the citizen
    never saw change."""
    client = citizen_client(portal, citizen_id)
    code, dossier_id = payment_requested(portal, client, citizen_id, spouse_id)
    answer: list = []
    thread = threading.Thread(target=lambda: answer.append(
        client.post(f"/my/dossiers/{code}/withdraw", data={"confirm": "yes", "reason": "Không cần nữa."})))
    with portal.app_context(), db.engine.connect() as other:
        resuming = other.begin()
        try:
            other.execute(text("UPDATE dossiers SET status = 'in_process', version = version + 1 WHERE id = :id"),
                          {"id": dossier_id})
            thread.start()
            thread.join(0.5)
            assert not answer  # waiting for the other transaction (PostgreSQL's row lock, SQLite's write lock)
            resuming.commit()
        finally:
            if resuming.is_active:
                resuming.rollback()
    thread.join(30)
    assert answer[0].status_code == 302, answer[0].get_data(as_text=True)[:300]
    dossier, payments = money_of(portal, dossier_id)
    assert dossier.status == "withdrawn"
    assert payments[0] == ("paid", "withdrawn")


def test_the_draft_changed_while_paying(portal, citizen_id, spouse_id):
    client = citizen_client(portal, citizen_id)
    draft = draft_at_check(portal, client, citizen_id, spouse_id)
    back = pay_on_gateway(client, gateway_page(client, client.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"})))
    other_tab = portal.test_client()
    login_citizen(other_tab, citizen_id)
    statuses = at_once(
        lambda: client.get(back),
        lambda: other_tab.post(f"/apply/{draft.public_id}/delivery", data={"delivery": "online"}),
    )
    dossier, payments = assert_settled(portal, draft.id, statuses)
    assert payments == [("paid", None)]
    if dossier.status == "draft":  # the edit won: the fee is kept and submitting asks for no payment
        again = client.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"})
        assert "/mock-gateway/" not in again.headers["Location"]
        dossier, payments = money_of(portal, draft.id)
    assert dossier.status == "submitted" and dossier.payment_status == "paid" and payments == [("paid", None)]


def test_eight_ratings_at_once_store_one(portal, citizen_id, spouse_id):
    client = citizen_client(portal, citizen_id)
    draft = draft_at_check(portal, client, citizen_id, spouse_id)
    client.get(pay_on_gateway(client, gateway_page(client, client.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"}))))
    with portal.app_context():
        code = db.session.get(Dossier, draft.id).code
    intake, specialist, leader = Officer(portal, "intake1"), Officer(portal, "specialist1"), Officer(portal, "leader1")
    intake.act(code, "accept")
    intake.act(code, "assign", assignee=specialist_id(portal))
    specialist.act(code, "propose_result", note="Đủ điều kiện.")
    leader.act(code, "approve")
    assert intake.act(code, "return_online").status_code == 302
    statuses = at_once(*(lambda n=n: client.post(f"/my/dossiers/{code}/rating", data={"score": str(1 + n % 5)}) for n in range(8)))
    assert all(status < 500 for status in statuses), statuses
    with portal.app_context():
        dossier = db.session.get(Dossier, draft.id)
        assert dossier.rating is not None and dossier.rating_score == dossier.rating.score


@pytest.fixture()
def spouse_id(register, citizen_id) -> str:
    """The citizen's spouse, whom the forms name as the other person."""
    from sqlalchemy.orm import Session

    from portal.registry.models import Person
    from portal.registry.store import get_engine

    with Session(get_engine(register)) as session:
        return session.get(Person, citizen_id).spouse_id
