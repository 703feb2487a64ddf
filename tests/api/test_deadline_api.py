"""GET /api/v1/deadline: the citizen's estimated appointment, computed by the deadline engine."""
from __future__ import annotations

import json

import pytest


def _deadline(client, **params):
    return client.get("/api/v1/deadline", query_string=params)


def test_friday_evening_online_submission_before_tet(client):
    # Received 16:20 Friday 13/02/2026 is inside working hours; 7 working days = 56 h, 20 % off
    # online → 44 h. Tết 16–20/02 is off, so the clock runs 13/02 (40 min), then from 23/02.
    body = _deadline(
        client, procedure="1.004222", received_at="2026-02-13T16:20:00+07:00", channel="online", delivery="online"
    ).get_json()
    assert body["procedure"] == "1.004222"
    assert body["working_hours"] == 56
    assert body["discount_pct"] == 20
    assert body["committed_working_hours"] == 44
    assert body["clock_start"] == "2026-02-13T16:20:00+07:00"
    # 40 min on 13/02, then 43 h 20 min from Monday 23/02 07:30: 5 full days (40 h) to Fri 27/02,
    # then 3 h 20 min on Monday 02/03 → 10:50.
    assert body["due_at"] == "2026-03-02T10:50:00+07:00"
    # legal 56 h: 55 h 20 min after 13/02 → 6 full days (23/02–02/03), then 7 h 20 min on Tue 03/03.
    assert body["legal_due_at"] == "2026-03-03T16:20:00+07:00"
    assert body["explanation"][-1] == "hạn cam kết trả kết quả: 10:50 thứ Hai 02/03/2026"


def test_receipt_after_hours_before_tet_counts_from_the_monday_after(client):
    body = _deadline(client, procedure="1.004222", received_at="2026-02-13T17:30:00+07:00").get_json()
    assert body["clock_start"] == "2026-02-23T07:30:00+07:00"
    assert body["due_at"] == "2026-03-02T11:30:00+07:00"
    assert body["legal_due_at"] == "2026-03-03T17:00:00+07:00"
    assert "Tết" in body["explanation"][0] and "thứ Hai 23/02/2026" in body["explanation"][0]


def test_counter_submission_gets_no_discount(client):
    body = _deadline(
        client, procedure="1.004222", received_at="2026-02-13T16:20:00+07:00", channel="counter", delivery="online"
    ).get_json()
    assert body["committed_working_hours"] == body["working_hours"] == 56
    assert body["due_at"] == body["legal_due_at"]


def test_same_day_procedure_received_after_15h(client):
    body = _deadline(client, procedure="1.001193", received_at="2026-07-01T15:01:00+07:00").get_json()
    assert body["due_at"] == "2026-07-02T17:00:00+07:00"


def test_pause_moves_the_due_time(client):
    base = _deadline(client, procedure="1.004194", received_at="2026-07-01T07:30:00+07:00", channel="counter").get_json()
    paused = _deadline(
        client,
        procedure="1.004194",
        received_at="2026-07-01T07:30:00+07:00",
        channel="counter",
        pause="2026-07-01T09:00:00+07:00/2026-07-02T09:00:00+07:00",
    ).get_json()
    assert base["due_at"] == "2026-07-03T17:00:00+07:00"
    assert paused["due_at"] == "2026-07-06T17:00:00+07:00"  # one working day paused, over a weekend


def test_explanation_in_english(client):
    body = _deadline(client, procedure="1.004222", received_at="2026-02-13T17:30:00+07:00", lang="en").get_json()
    assert "Tết" in body["explanation"][0] and "Monday 23/02/2026" in body["explanation"][0]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"procedure": "1.004222", "received_at": "yesterday"}, "received_at"),
        ({"procedure": "1.004222"}, "received_at"),
        ({"received_at": "2026-07-01T08:00:00+07:00"}, "procedure"),
        ({"procedure": "1.004222", "received_at": "2026-07-01T08:00:00+07:00", "channel": "fax"}, "channel"),
        ({"procedure": "1.004222", "received_at": "2026-07-01T08:00:00+07:00", "delivery": "drone"}, "delivery"),
        (
            {"procedure": "1.004222", "received_at": "2026-07-01T08:00:00+07:00", "pause": "2026-07-03T08:00:00+07:00/2026-07-02T08:00:00+07:00"},
            "pause",
        ),
    ],
)
def test_malformed_parameters_are_400_naming_the_parameter(client, params, parameter):
    response = _deadline(client, **params)
    assert response.status_code == 400
    body = response.get_json()
    assert body["parameter"] == parameter
    assert body["message"]


def test_unknown_procedure_is_404(client):
    response = _deadline(client, procedure="9.999999", received_at="2026-07-01T08:00:00+07:00")
    assert response.status_code == 404 and response.is_json


def test_cli_prints_the_same_json(client, runner):
    params = {"procedure": "1.004222", "received_at": "2026-02-13T16:20:00+07:00", "channel": "online", "delivery": "online"}
    api = _deadline(client, **params).get_json()
    result = runner.invoke(
        args=["deadline", "--procedure", "1.004222", "--received", "2026-02-13T16:20:00+07:00", "--channel", "online", "--delivery", "online"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == api


def test_admin_calendar_exception_changes_the_due_time(app, client):
    from datetime import date

    from portal.catalog.models import CalendarException
    from portal.extensions import db

    params = {"procedure": "1.004194", "received_at": "2026-07-01T07:30:00+07:00", "channel": "counter"}
    assert _deadline(client, **params).get_json()["due_at"] == "2026-07-03T17:00:00+07:00"
    with app.app_context():
        db.session.add(CalendarException(day=date(2026, 7, 2), is_working_day=False, legal_reference="Test decision"))
        db.session.commit()  # into the test's savepoint
    assert _deadline(client, **params).get_json()["due_at"] == "2026-07-06T17:00:00+07:00"
