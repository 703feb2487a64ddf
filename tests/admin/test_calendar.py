"""Calendar exceptions: the deadline engine uses them at once; each addition and deletion is audited."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.catalog.models import CalendarException
from portal.extensions import db
from tests.admin.helpers import audit_entries, field_error, input_value, last_audit, sign_in

REFERENCE = "Thông báo nghỉ bù của Bộ Nội vụ (ví dụ kiểm thử)"


@pytest.fixture()
def admin_client(client):
    sign_in(client, "admin")
    return client


def _due(client, received_at: str) -> str:
    query = {"procedure": "1.004194", "received_at": received_at, "channel": "counter"}
    return client.get("/api/v1/deadline", query_string=query).get_json()["due_at"]


def _exceptions(app) -> list[tuple[date, bool, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(CalendarException).where(CalendarException.deleted_at.is_(None)).order_by(CalendarException.day)
        ).scalars()
        return [(e.day, e.is_working_day, e.legal_reference) for e in rows]


def test_a_day_off_moves_the_deadline_and_is_audited(app, admin_client):
    # 3 working days from Wednesday 01/07/2026 07:30: Wed, Thu, Fri.
    assert _due(admin_client, "2026-07-01T07:30:00+07:00") == "2026-07-03T17:00:00+07:00"
    response = admin_client.post(
        "/admin/calendar", data={"day": "2026-07-02", "kind": "day_off", "legal_reference": REFERENCE}
    )
    assert response.status_code == 302
    assert _exceptions(app) == [(date(2026, 7, 2), False, REFERENCE)]
    # Thursday is off: Wed, Fri, then Monday 06/07.
    assert _due(admin_client, "2026-07-01T07:30:00+07:00") == "2026-07-06T17:00:00+07:00"
    with app.app_context():
        entry = last_audit("calendar_exception.create")
    assert entry["object_id"] == "2026-07-02"
    assert entry["details"] == {"after": {"day": "2026-07-02", "is_working_day": False, "legal_reference": REFERENCE}}
    page = admin_client.get("/admin/calendar").get_data(as_text=True)
    assert "02/07/2026" in page and REFERENCE in page


def test_a_working_saturday_shortens_the_deadline(app, admin_client):
    # From Friday 03/07/2026: Fri, Mon, Tue — unless Saturday 04/07 is made a working day.
    assert _due(admin_client, "2026-07-03T07:30:00+07:00") == "2026-07-07T17:00:00+07:00"
    admin_client.post("/admin/calendar", data={"day": "2026-07-04", "kind": "working_day", "legal_reference": REFERENCE})
    assert _due(admin_client, "2026-07-03T07:30:00+07:00") == "2026-07-06T17:00:00+07:00"


def test_deleting_an_exception_restores_the_deadline_and_is_audited(app, admin_client):
    admin_client.post("/admin/calendar", data={"day": "2026-07-02", "kind": "day_off", "legal_reference": REFERENCE})
    with app.app_context():
        exception_id = db.session.execute(select(CalendarException.id)).scalar_one()
    response = admin_client.post(f"/admin/calendar/{exception_id}/delete")
    assert response.status_code == 302
    assert _exceptions(app) == []
    assert _due(admin_client, "2026-07-01T07:30:00+07:00") == "2026-07-03T17:00:00+07:00"
    with app.app_context():
        entry = last_audit("calendar_exception.delete")
        assert [e.action for e in audit_entries()] == ["calendar_exception.create", "calendar_exception.delete"]
    assert entry["details"] == {"before": {"day": "2026-07-02", "is_working_day": False, "legal_reference": REFERENCE}}


def test_deleting_an_unknown_exception_is_404(admin_client):
    assert admin_client.post("/admin/calendar/999/delete").status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"day": "2026-07-02", "kind": "day_off", "legal_reference": "   "}, "legal_reference", "Enter the legal reference of the change."),
        ({"day": "", "kind": "day_off", "legal_reference": REFERENCE}, "day", "Enter a real date, for example 02/09/2026."),
        ({"day": "2026-02-30", "kind": "day_off", "legal_reference": REFERENCE}, "day", "Enter a real date, for example 02/09/2026."),
        ({"day": "2026-07-02", "legal_reference": REFERENCE}, "kind", "Choose whether the day is a day off or a working day."),
    ],
)
def test_incomplete_exceptions_are_refused_with_what_was_typed(app, admin_client, data, field, message):
    response = admin_client.post("/admin/calendar", data=data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert field_error(body, field) == message
    if field != "day":
        assert input_value(body, "day") == data["day"]
    if field != "legal_reference":
        assert input_value(body, "legal_reference") == REFERENCE
    assert _exceptions(app) == []
    with app.app_context():
        assert audit_entries() == []


def test_a_second_exception_for_the_same_day_is_refused(app, admin_client):
    admin_client.post("/admin/calendar", data={"day": "2026-07-02", "kind": "day_off", "legal_reference": REFERENCE})
    response = admin_client.post("/admin/calendar", data={"day": "2026-07-02", "kind": "working_day", "legal_reference": "Khác"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "day") == "This date already has an exception. Delete it first to change it."
    assert _exceptions(app) == [(date(2026, 7, 2), False, REFERENCE)]
