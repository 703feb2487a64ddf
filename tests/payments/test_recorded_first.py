"""A payment the gateway confirmed is recorded first and never undone by what follows it
(issue 14): the submission or the resumption it pays for may fail, the money stays recorded."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.payments.models import Payment
from portal.workflow.transitions import TransitionRefused
from tests.backoffice.test_journey import _specialist_id
from tests.dossiers.helpers import apply_until_check


def pay_on_gateway(client, start_response) -> str:
    """Follow the redirect to the mock gateway, pay, and come back; returns the landing page."""
    gateway = client.get(start_response.headers["Location"]).get_data(as_text=True)
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', gateway))
    back = client.post("/mock-gateway/pay", data={**fields, "outcome": "success"})
    landing = client.get(back.headers["Location"], follow_redirects=True)
    assert landing.status_code == 200
    return landing.get_data(as_text=True)


def payments_of(app, dossier_id: int) -> list[tuple[str, int]]:
    with app.app_context():
        return [(p.status, p.amount) for p in db.session.execute(
            select(Payment).where(Payment.dossier_id == dossier_id).order_by(Payment.id)
        ).scalars()]


def dossier(app, dossier_id: int) -> Dossier:
    with app.app_context():
        found = db.session.get(Dossier, dossier_id)
        db.session.expunge(found)
        return found


def fail_with(error: Exception):
    def step(*_args, **_kwargs):
        raise error

    return step


FAILURES = [RuntimeError("the process crashed"), StaleDataError("changed meanwhile"), TransitionRefused("refused")]


@pytest.mark.parametrize("failure", FAILURES, ids=["crash", "stale", "refused"])
def test_a_failed_submission_after_payment_keeps_the_payment(app, citizen, citizen_id, person, monkeypatch, failure):
    draft = apply_until_check(app, citizen, "1.004194", citizen_id, person.spouse_id)
    start = citizen.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"})
    assert "/mock-gateway/" in start.headers["Location"]
    monkeypatch.setattr("portal.checkout.operations.submit_dossier", fail_with(failure))
    page = pay_on_gateway(citizen, start)
    assert "Khoản thanh toán vẫn được giữ" in page  # the citizen is told the money is kept
    [(status, amount)] = payments_of(app, draft.id)
    assert status == "paid" and amount > 0
    assert dossier(app, draft.id).status == "draft"
    # Submitting again does not send the citizen to the gateway a second time.
    monkeypatch.undo()
    again = citizen.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"})
    assert "/mock-gateway/" not in again.headers["Location"]
    submitted = dossier(app, draft.id)
    assert (submitted.status, submitted.payment_status) == ("submitted", "paid")
    assert [status for status, _amount in payments_of(app, draft.id)] == ["paid"]


def test_a_failed_resumption_after_a_requested_fee_keeps_the_payment(app, make_dossier, officers, citizen, monkeypatch):
    code = make_dossier()
    officers["intake1"].act(code, "accept")
    officers["intake1"].act(code, "assign", assignee=_specialist_id(app))
    officers["specialist1"].act(code, "request_payment", amount="50.000", note="Phí thẩm định.")
    with app.app_context():
        dossier_id = db.session.execute(select(Dossier.id).where(Dossier.code == code)).scalar_one()
    monkeypatch.setattr("portal.checkout.operations.apply_transition", fail_with(RuntimeError("crash")))
    page = pay_on_gateway(citizen, citizen.post(f"/my/dossiers/{code}/pay"))
    assert "Bộ phận Một cửa sẽ ghi nhận" in page
    assert ("paid", 50000) in payments_of(app, dossier_id)
    assert dossier(app, dossier_id).status == "payment_requested"  # the officer records it on the dossier
