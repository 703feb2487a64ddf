"""Refunds (hoàn phí), receipts, the notification callback and reconciliation (issue 15)."""
from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.deadlines import VN_TZ
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.gateway import ledger
from portal.notifications.models import Notification
from portal.payments.models import Payment, Refund
from portal.stats.scope import parse_scope
from portal.stats.service import RefundFigures, compute_indicators
from tests.backoffice.test_journey import _specialist_id
from tests.dossiers.helpers import apply_until_check

HIDDEN = re.compile(r'type="hidden" name="(\w+)" value="([^"]*)"')


@pytest.fixture()
def gateway(app):
    """A gateway with an empty ledger (its database is not rolled back with the test's)."""
    ledger.clear(app.config["GATEWAY_DATABASE_URL"])
    yield app.config["GATEWAY_DATABASE_URL"]
    ledger.clear(app.config["GATEWAY_DATABASE_URL"])


def pay_now(client, draft) -> str:
    """Submit paying now on the gateway; returns the address the gateway sends the payer back to."""
    start = client.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"})
    fields = dict(HIDDEN.findall(client.get(start.headers["Location"]).get_data(as_text=True)))
    return client.post("/mock-gateway/pay", data={**fields, "outcome": "success"}).headers["Location"]


def paid_dossier(app, citizen, citizen_id, person) -> tuple[str, int]:
    draft = apply_until_check(app, citizen, "1.004194", citizen_id, person.spouse_id)
    citizen.get(pay_now(citizen, draft))
    with app.app_context():
        return db.session.get(Dossier, draft.id).code, draft.id


def reconcile(runner) -> tuple[int, str]:
    result = runner.invoke(args=["payments", "reconcile", "--date", datetime.now(VN_TZ).date().isoformat()])
    return result.exit_code, result.output


def test_a_dossier_not_accepted_has_its_fee_refunded_through_the_gateway(app, gateway, citizen, citizen_id, person,
                                                                         officers, runner):
    code, dossier_id = paid_dossier(app, citizen, citizen_id, person)
    intake = officers["intake1"]
    assert intake.act(code, "refuse", note="Hồ sơ không thuộc thẩm quyền.").status_code == 302
    page = intake.client.get("/officer/refunds").get_data(as_text=True)
    assert code in page and "Hồ sơ không được tiếp nhận" in page
    with app.app_context():
        refund = db.session.execute(select(Refund).where(Refund.dossier_id == dossier_id)).scalar_one()
        refund_id, amount, paid = refund.id, refund.amount, refund.payment.amount
    assert (refund.status, amount) == ("due", paid)
    assert intake.client.post(f"/officer/refunds/{refund_id}/confirm").status_code == 302
    assert intake.client.post(f"/officer/refunds/{refund_id}/confirm").status_code == 302  # a double click
    refunds = [e for e in ledger.day(gateway, datetime.now(VN_TZ).date()) if e.kind == "refund"]
    assert [(e.amount, e.reference) for e in refunds] == [(amount, refund.reference)]  # paid back once
    with app.app_context():
        refund = db.session.get(Refund, refund_id)
        assert refund.status == "refunded" and refund.refunded_at is not None
        assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "refund.confirm")).scalar_one()
        told = db.session.execute(select(Notification).where(
            Notification.dossier_id == dossier_id, Notification.template == "fee_refunded")).scalars().all()
        assert told
    mine = citizen.get(f"/my/dossiers/{code}").get_data(as_text=True)
    assert "Đã hoàn trả" in mine and refund.reference in mine
    receipt = citizen.get(f"/my/dossiers/{code}/receipts/{refund.reference}.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.data)).pages)
    assert receipt.status_code == 200 and refund.reference in text and code in text
    assert reconcile(runner)[0] == 0
    # The statistics report the refund in the period, the online payment once.
    with app.app_context():
        indicators = compute_indicators(parse_scope({"agency": code.split("-")[0]}))
    assert indicators.refunds == RefundFigures(due=1, due_amount=amount, refunded=1, refunded_amount=amount)
    assert indicators.received["paid_online"] == 1


def test_the_payment_receipt_names_the_gateway_transaction(app, gateway, citizen, citizen_id, person):
    code, dossier_id = paid_dossier(app, citizen, citizen_id, person)
    with app.app_context():
        payment = db.session.execute(select(Payment).where(Payment.dossier_id == dossier_id)).scalar_one()
    receipt = citizen.get(f"/my/dossiers/{code}/receipts/{payment.reference}.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.data)).pages)
    assert payment.gateway_transaction in text and f"{payment.amount:,}".replace(",", ".") in text
    assert citizen.get(f"/my/dossiers/{code}/receipts/PAY-NOT-MINE.pdf").status_code == 404


def test_reconciliation_finds_what_only_one_side_recorded(app, gateway, citizen, citizen_id, person, runner):
    paid_dossier(app, citizen, citizen_id, person)
    code, output = reconcile(runner)
    assert code == 0 and "matched: 1 payments" in output
    ledger.approve(gateway, "PAY-LOST-IN-TRANSIT", 15000)  # the gateway took money the portal never heard of
    code, output = reconcile(runner)
    assert code == 1 and "missing in the portal: 1" in output and "15,000" in output


def test_the_gateway_never_refunds_more_than_was_paid(gateway):
    transaction = ledger.approve(gateway, "PAY1", 10000)
    assert ledger.refund(gateway, transaction, 6000, "RF1")
    with pytest.raises(ledger.RefundRefused):
        ledger.refund(gateway, transaction, 6000, "RF2")


def test_a_notification_is_recorded_once_and_a_forged_one_is_refused(app, gateway, citizen, citizen_id, person):
    draft = apply_until_check(app, citizen, "1.004194", citizen_id, person.spouse_id)
    back = pay_now(citizen, draft)
    outcome = dict(pair.split("=", 1) for pair in back.split("?", 1)[1].split("&"))
    server = app.test_client()
    assert server.post("/payments/notify", data=outcome).get_json() == {"status": "recorded", "payment": "paid"}
    assert server.post("/payments/notify", data=outcome).status_code == 200
    assert server.post("/payments/notify", data={**outcome, "amount": "1"}).status_code == 400
    citizen.get(back)  # the browser comes back after the notification
    with app.app_context():
        dossier = db.session.get(Dossier, draft.id)
        assert dossier.status == "submitted"
        assert [p.status for p in dossier.payments] == ["paid"]


def test_an_unsigned_payment_request_is_refused_by_the_gateway(client):
    assert client.get("/mock-gateway/pay?reference=PAY1&amount=1").status_code == 400


def test_a_requested_fee_paid_after_withdrawal_is_owed_back(app, gateway, citizen, citizen_id, person, officers):
    code, dossier_id = paid_dossier(app, citizen, citizen_id, person)
    officers["intake1"].act(code, "accept")
    officers["intake1"].act(code, "assign", assignee=_specialist_id(app))
    officers["specialist1"].act(code, "request_payment", amount="50.000", note="Phí thẩm định.")
    start = citizen.post(f"/my/dossiers/{code}/pay")
    fields = dict(HIDDEN.findall(citizen.get(start.headers["Location"]).get_data(as_text=True)))
    back = citizen.post("/mock-gateway/pay", data={**fields, "outcome": "success"}).headers["Location"]
    citizen.post(f"/my/dossiers/{code}/withdraw", data={"confirm": "yes"})
    landing = citizen.get(back, follow_redirects=True).get_data(as_text=True)
    assert "sẽ được hoàn trả" in landing
    with app.app_context():
        reasons = [p.refund.reason for p in db.session.get(Dossier, dossier_id).payments]
    assert reasons == ["withdrawn", "withdrawn"]


def test_a_draft_with_a_payment_is_not_deleted(app, gateway, citizen, citizen_id, person):
    draft = apply_until_check(app, citizen, "1.004194", citizen_id, person.spouse_id)
    citizen.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"})  # went to the gateway
    response = citizen.post(f"/apply/{draft.public_id}/discard", follow_redirects=True)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(Dossier, draft.id) is not None
