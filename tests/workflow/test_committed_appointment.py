"""One committed appointment (issue 16): a calendar exception made after acceptance does not move
the promise on any screen; the administrator may re-plan open dossiers, which moves them later
only, with an event on the timeline and a message to the citizen."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.catalog.models import CalendarException
from portal.catalog.service import working_calendar
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.notifications.models import Notification
from portal.timeutil import from_db, to_db
from portal.workflow import clock
from tests.conftest import login_officer

REFERENCE = "Quyết định nghỉ bù của Thủ tướng (ví dụ kiểm thử)"


@pytest.fixture()
def admin(app):
    client = app.test_client()
    login_officer(client, "admin")
    return client


def _dossier(app, code: str) -> dict:
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.code == code)).scalar_one()
        return {
            "stored": from_db(dossier.due_at),
            "computed": clock.deadline(dossier).due_at,
            "accepted": from_db(dossier.accepted_at),
            "events": [e.action for e in dossier.events],
            "id": dossier.id,
        }


def _working_day_inside(app, start, end) -> date:
    """A working day strictly between acceptance and the appointment."""
    with app.app_context():
        calendar = working_calendar()
        day = start.date() + timedelta(days=1)
        while day < end.date():
            if calendar.is_working_day(day):
                return day
            day += timedelta(days=1)
    pytest.skip("the processing time has no whole working day inside it")


def _accepted(make_dossier, officers) -> str:
    code = make_dossier("1.004194")
    assert officers["intake1"].act(code, "accept", note="Hồ sơ hợp lệ.").status_code == 302
    return code


def test_a_day_off_added_later_does_not_move_the_promise_anywhere(app, client, make_dossier, officers, admin):
    code = _accepted(make_dossier, officers)
    before = _dossier(app, code)
    day_off = _working_day_inside(app, before["accepted"], before["stored"])
    response = admin.post("/admin/calendar", data={"day": day_off.isoformat(), "kind": "day_off",
                                                   "legal_reference": REFERENCE})
    assert response.status_code == 302
    # The administrator is told the truth, and sees which dossiers a re-plan would move.
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "giữ nguyên ngày hẹn" in page and code in page
    after = _dossier(app, code)
    assert after["stored"] == before["stored"] == after["computed"]  # officer page, slips, queues
    tracked = client.get(f"/api/v1/tracking/{code}").get_json()
    assert tracked["due_at"].startswith(before["stored"].isoformat()[:16])
    # A later clock event (a pause) computes with the calendar of the promise, not the new one.
    officers["intake1"].act(code, "request_supplement", note="Bổ sung giấy tờ.", items=["legal_residence"])
    paused = _dossier(app, code)
    assert paused["events"][-1] == "request_supplement"
    assert paused["stored"] == paused["computed"]
    with app.app_context():
        assert clock.calendar_of(db.session.get(Dossier, after["id"])).is_working_day(day_off)
        assert not working_calendar().is_working_day(day_off)


def test_re_planning_moves_later_notifies_and_records(app, make_dossier, officers, admin, client):
    code = _accepted(make_dossier, officers)
    before = _dossier(app, code)
    day_off = _working_day_inside(app, before["accepted"], before["stored"])
    admin.post("/admin/calendar", data={"day": day_off.isoformat(), "kind": "day_off", "legal_reference": REFERENCE})
    preview = admin.get("/admin/calendar/replan").get_data(as_text=True)
    assert code in preview and "+1" in preview
    response = admin.post("/admin/calendar/replan")
    assert response.status_code == 302
    moved = _dossier(app, code)
    with app.app_context():
        one_day_later = working_calendar().add_working_minutes(
            before["stored"], working_calendar().minutes_per_day)
        notes = list(db.session.execute(
            select(Notification.template, Notification.context).where(Notification.dossier_id == moved["id"])
        ))
    assert moved["stored"] == moved["computed"] == one_day_later
    assert moved["events"][-1] == "replan"
    replanned = [context for template, context in notes if template == "appointment_replanned"]
    assert replanned and replanned[0]["appointment"] == to_db(moved["stored"]).isoformat()
    assert day_off.strftime("%d/%m/%Y") in replanned[0]["note"]
    timeline = client.get(f"/api/v1/tracking/{code}").get_json()
    assert any(day_off.strftime("%d/%m/%Y") in (e["note"] or "") for e in timeline["timeline"])
    # Done once: the preview has nothing more to move.
    assert code not in admin.get("/admin/calendar/replan").get_data(as_text=True)


def test_a_re_plan_never_brings_a_promise_earlier(app, make_dossier, officers, admin):
    code = _accepted(make_dossier, officers)
    before = _dossier(app, code)
    # A swapped working Saturday inside the period would shorten it.
    with app.app_context():
        calendar = working_calendar()
        day = before["accepted"].date() + timedelta(days=1)
        while day < before["stored"].date() and calendar.is_working_day(day):
            day += timedelta(days=1)
    if day >= before["stored"].date():
        pytest.skip("no day off inside the processing time")
    admin.post("/admin/calendar", data={"day": day.isoformat(), "kind": "working_day", "legal_reference": REFERENCE})
    preview = admin.get("/admin/calendar/replan").get_data(as_text=True)
    assert code in preview and "Giữ ngày hẹn" in preview
    admin.post("/admin/calendar/replan")
    after = _dossier(app, code)
    assert after["stored"] == before["stored"] == after["computed"]
    assert "replan" not in after["events"]


def test_a_deleted_exception_keeps_the_appointments_given_under_it(app, make_dossier, officers, admin):
    with app.app_context():
        first = working_calendar()
    # A day off in the coming weeks, made before the dossier is accepted.
    day = date.today() + timedelta(days=3)
    while not first.is_working_day(day):
        day += timedelta(days=1)
    admin.post("/admin/calendar", data={"day": day.isoformat(), "kind": "day_off", "legal_reference": REFERENCE})
    code = _accepted(make_dossier, officers)
    before = _dossier(app, code)
    with app.app_context():
        exception_id = db.session.execute(select(CalendarException.id)).scalar_one()
    admin.post(f"/admin/calendar/{exception_id}/delete")
    after = _dossier(app, code)
    assert after["stored"] == before["stored"] == after["computed"]
