"""Administrators change a procedure's rules: a new version, an audit entry, clear refusals."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from portal.catalog.models import Procedure
from portal.extensions import db
from tests.admin.helpers import audit_entries, field_error, input_value, last_audit, sign_in

CODE = "1.004194"  # temporary residence: 3 working days, 10 % online, 15,000 / 7,000 VND


def _procedure(app) -> Procedure:
    with app.app_context():
        procedure = db.session.execute(select(Procedure).where(Procedure.code == CODE)).scalar_one()
        db.session.expunge(procedure)
        return procedure


def _form(procedure: Procedure, **changes: Any) -> dict[str, Any]:
    """The form as the page shows it for ``procedure``, with ``changes`` typed over it."""
    data: dict[str, Any] = {
        "processing_value": str(procedure.processing_value),
        "processing_unit": procedure.processing_unit,
        "discount_pct": str(procedure.discount_pct),
        "fee_counter": str(procedure.fee_counter),
        "fee_online": str(procedure.fee_online),
        "supplement_policy": procedure.supplement_policy,
        "result_deliveries": list(procedure.result_deliveries),
    }
    if procedure.allows_pay_later:
        data["allows_pay_later"] = "y"
    if procedure.is_published:
        data["is_published"] = "y"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture()
def admin_client(client):
    sign_in(client, "admin")
    return client


def test_the_list_shows_every_procedure_with_its_rules(admin_client):
    body = admin_client.get("/admin/procedures").get_data(as_text=True)
    assert f'href="/admin/procedures/{CODE}"' in body
    assert "Temporary residence registration" in body
    assert "15,000\u00a0₫" in body and "7,000\u00a0₫" in body  # English groups thousands with commas


def test_changing_rules_makes_a_new_version_and_an_audit_entry(app, admin_client):
    before = _procedure(app)
    response = admin_client.post(
        f"/admin/procedures/{CODE}",
        data=_form(before, discount_pct="20", fee_online="5.000", supplement_policy="restart", result_deliveries=["online", "counter"]),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/procedures"
    after = _procedure(app)
    assert (after.discount_pct, after.fee_online, after.supplement_policy) == (20, 5000, "restart")
    assert after.result_deliveries == ["online", "counter"]
    assert after.version == before.version + 1
    with app.app_context():
        entry = last_audit("procedure.update")
    assert entry["actor_label"] == "admin (admin)"
    assert entry["object_id"] == CODE
    assert entry["details"] == {
        "before": {
            "discount_pct": 10,
            "fee_online": 7000,
            "supplement_policy": "pause",
            "result_deliveries": ["online", "post", "counter"],
            "version": before.version,
        },
        "after": {
            "discount_pct": 20,
            "fee_online": 5000,
            "supplement_policy": "restart",
            "result_deliveries": ["online", "counter"],
            "version": before.version + 1,
        },
    }
    # The public API serves the new rules and version.
    body = admin_client.get(f"/api/v1/procedures/{CODE}").get_json()
    assert body["version"] == before.version + 1
    assert body["online_discount_pct"] == 20


def test_a_new_processing_time_moves_the_deadline(app, admin_client):
    query = {"procedure": CODE, "received_at": "2026-07-01T07:30:00+07:00", "channel": "counter"}
    assert admin_client.get("/api/v1/deadline", query_string=query).get_json()["due_at"] == "2026-07-03T17:00:00+07:00"
    admin_client.post(f"/admin/procedures/{CODE}", data=_form(_procedure(app), processing_value="5"))
    assert admin_client.get("/api/v1/deadline", query_string=query).get_json()["due_at"] == "2026-07-07T17:00:00+07:00"


def test_unpublishing_is_audited_but_is_not_a_new_version(app, admin_client):
    before = _procedure(app)
    response = admin_client.post(f"/admin/procedures/{CODE}", data=_form(before, is_published=None))
    assert response.status_code == 302
    after = _procedure(app)
    assert after.is_published is False
    assert after.version == before.version
    with app.app_context():
        assert last_audit("procedure.update")["details"] == {"before": {"is_published": True}, "after": {"is_published": False}}
    assert admin_client.get(f"/procedures/{CODE}").status_code == 404


def test_saving_without_a_change_writes_nothing(app, admin_client):
    before = _procedure(app)
    response = admin_client.post(f"/admin/procedures/{CODE}", data=_form(before), follow_redirects=True)
    assert "nothing was changed" in response.get_data(as_text=True)
    assert _procedure(app).version == before.version
    with app.app_context():
        assert audit_entries() == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"discount_pct": "25"}, "discount_pct", "The online discount must be from 0 to 20 %."),
        ({"discount_pct": "-1"}, "discount_pct", "The online discount must be from 0 to 20 %."),
        ({"fee_counter": "-5000"}, "fee_counter", "The fee cannot be negative."),
        ({"fee_online": "7 nghìn"}, "fee_online", "Enter the fee in đồng as a whole number, for example 15000."),
        ({"processing_value": "0"}, "processing_value", "Enter a processing time from 1 to 365."),
        ({"processing_value": "ba"}, "processing_value", "Enter the processing time as a whole number, for example 3."),
        ({"processing_unit": "same_day", "processing_value": "2"}, "processing_value", "A same-day procedure has a processing time of 1."),
        ({"result_deliveries": None}, "result_deliveries", "Choose at least one way to return the result."),
        ({"supplement_policy": "forget"}, "supplement_policy", "Choose what happens to the clock after a supplement."),
    ],
)
def test_invalid_rules_are_refused_next_to_the_field_with_what_was_typed(app, admin_client, changes, field, message):
    before = _procedure(app)
    response = admin_client.post(f"/admin/procedures/{CODE}", data=_form(before, **changes))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert field_error(body, field) == message
    assert f'<a href="#{field}">' in body  # the error summary links to the field
    assert "<title>Error:" in body
    for name, typed in changes.items():
        if isinstance(typed, str) and name not in ("processing_unit", "supplement_policy"):
            assert input_value(body, name) == typed
    after = _procedure(app)
    assert (after.version, after.discount_pct, after.fee_counter) == (before.version, before.discount_pct, before.fee_counter)
    with app.app_context():
        assert audit_entries() == []


def test_every_other_field_keeps_its_typed_value_after_an_error(app, admin_client):
    body = admin_client.post(
        f"/admin/procedures/{CODE}", data=_form(_procedure(app), discount_pct="25", fee_counter="12.000", processing_value="4")
    ).get_data(as_text=True)
    assert input_value(body, "fee_counter") == "12.000"
    assert input_value(body, "processing_value") == "4"


def test_an_unknown_procedure_is_404(admin_client):
    assert admin_client.get("/admin/procedures/9.999999").status_code == 404


def test_the_supplement_time_limit_and_the_longest_extension_are_set_per_procedure(app, admin_client):
    before = _procedure(app)
    page = admin_client.get(f"/admin/procedures/{CODE}").get_data(as_text=True)
    assert input_value(page, "supplement_days") == "" and input_value(page, "max_extension_days") == ""  # defaults
    response = admin_client.post(f"/admin/procedures/{CODE}", data=_form(before, supplement_days="5", max_extension_days="15"))
    assert response.status_code == 302
    after = _procedure(app)
    assert (after.supplement_days, after.max_extension_days, after.version) == (5, 15, before.version + 1)
    with app.app_context():
        assert last_audit("procedure.update")["details"]["after"]["supplement_days"] == 5
    response = admin_client.post(f"/admin/procedures/{CODE}", data=_form(after, supplement_days="0", max_extension_days="x"))
    body = response.get_data(as_text=True)
    assert field_error(body, "supplement_days") == "Enter a number of working days from 1 to 60."
    assert field_error(body, "max_extension_days") == "Enter a whole number of working days, for example 10, or leave it empty."
    assert _procedure(app).supplement_days == 5
