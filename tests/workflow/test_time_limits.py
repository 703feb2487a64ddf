"""Time limits besides the processing time (issue 16): an extension stays within what the
procedure allows, a supplement request gives the citizen a time limit, reminds them before it
ends and, once it has passed, lets the one-stop-shop close the dossier as not supplemented."""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.catalog.models import Procedure
from portal.catalog.service import working_calendar
from portal.deadlines import VN_TZ
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.notifications.messages import render_message
from portal.notifications.models import Notification
from portal.timeutil import from_db, to_db
from tests.backoffice.test_journey import _specialist_id, dossier_of
from tests.conftest import login_officer
from tests.paperwork.pdf_text import text_of

# "At once" below is under a second of this process's CPU time, in which the test client runs the
# request: a loop over the years would take far more, and a machine busy with other work (CI runs
# two suites side by side) does not count, as wall-clock time would.


def _set(app, code: str, **values) -> None:
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.code == code)).scalar_one()
        for name, value in values.items():
            setattr(dossier, name, value)
        db.session.commit()


def _procedure(app, code: str, **values) -> None:
    with app.app_context():
        procedure = db.session.execute(select(Procedure).where(Procedure.code == code)).scalar_one()
        for name, value in values.items():
            setattr(procedure, name, value)
        db.session.commit()


def _working_days_after(app, start: datetime, days: int) -> datetime:
    with app.app_context():
        calendar = working_calendar()
        return calendar.add_working_minutes(start, days * calendar.minutes_per_day)


def _local(value: datetime) -> str:
    return from_db(value).strftime("%H:%M %d/%m/%Y")


def _errors(response) -> list[str]:
    return [" ".join(m.split()) for m in re.findall(r'class="field-error"[^>]*>(?:<span[^>]*>[^<]*</span>)?(.*?)</p>',
                                                    response.get_data(as_text=True), re.S)]


# --- extensions (slip 04) ----------------------------------------------------------------------


@pytest.fixture()
def in_process(app, make_dossier, officers):
    code = make_dossier()
    officers["intake1"].act(code, "accept")
    officers["intake1"].act(code, "assign", assignee=str(_specialist_id(app)))
    return code


@pytest.mark.parametrize("typed", ["9999-12-31T23:59", "1999-12-31T09:00", "2101-01-01T09:00", "31/12/9999"])
def test_an_extension_outside_the_years_of_the_service_gets_the_fields_message_at_once(app, officers, in_process, typed):
    started = time.process_time()
    response = officers["specialist1"].act(in_process, "propose_extension", new_due_at=typed, note="Cần xác minh.")
    assert time.process_time() - started < 1
    assert response.status_code == 422
    [error] = _errors(response)  # the field's message, in the officer's language: the years allowed
    assert "2000" in error and "2100" in error
    assert dossier_of(app, in_process).extension_due_at is None
    assert officers["leader1"].client.get(f"/officer/dossiers/{in_process}").status_code == 200


def test_an_extension_past_the_allowed_working_days_is_refused_naming_the_latest_date(app, officers, in_process):
    due = from_db(dossier_of(app, in_process).due_at)
    latest = _working_days_after(app, due, 10)  # the portal's default (MAX_EXTENSION_WORKING_DAYS)
    for typed in ("2100-12-31T17:00", (latest + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")):
        started = time.process_time()
        response = officers["specialist1"].act(in_process, "propose_extension", new_due_at=typed, note="Cần xác minh.")
        assert time.process_time() - started < 1
        assert response.status_code == 422
        [error] = _errors(response)  # how many working days, and the latest appointment allowed
        assert "10" in error and latest.strftime("%H:%M %d/%m/%Y") in error
    assert dossier_of(app, in_process).extension_due_at is None
    page = officers["specialist1"].page(in_process)
    assert f'max="{latest.strftime("%Y-%m-%dT%H:%M")}"' in page  # the browser's picker stops there too


def test_an_extension_within_the_allowed_days_goes_to_the_leader(app, officers, in_process):
    due = from_db(dossier_of(app, in_process).due_at)
    latest = _working_days_after(app, due, 10)
    response = officers["specialist1"].act(in_process, "propose_extension", new_due_at=latest.strftime("%Y-%m-%dT%H:%M"),
                                           note="Cần xác minh thêm.")
    assert response.status_code == 302
    assert from_db(dossier_of(app, in_process).extension_due_at) == latest
    assert officers["leader1"].act(in_process, "approve_extension").status_code == 302
    assert from_db(dossier_of(app, in_process).due_at) == latest


def test_a_procedure_sets_its_own_allowed_extension(app, make_dossier, officers):
    _procedure(app, "1.004194", max_extension_days=2)
    code = make_dossier()
    officers["intake1"].act(code, "accept")
    officers["intake1"].act(code, "assign", assignee=str(_specialist_id(app)))
    due = from_db(dossier_of(app, code).due_at)
    three_days = _working_days_after(app, due, 3).strftime("%Y-%m-%dT%H:%M")
    response = officers["specialist1"].act(code, "propose_extension", new_due_at=three_days, note="Cần xác minh.")
    assert response.status_code == 422
    assert _working_days_after(app, due, 2).strftime("%H:%M %d/%m/%Y") in " ".join(_errors(response))
    two_days = _working_days_after(app, due, 2).strftime("%Y-%m-%dT%H:%M")
    assert officers["specialist1"].act(code, "propose_extension", new_due_at=two_days, note="Cần xác minh.").status_code == 302


# --- other dates typed in the back office and the administration ------------------------------


@pytest.mark.parametrize("query", [{"from": "9999-12-31", "to": "9999-12-31"}, {"from": "1999-01-01"}, {"to": "2026-13-01"}])
def test_the_register_of_a_period_outside_the_service_years_is_a_400_with_the_rule(officers, query):
    response = officers["intake1"].client.get("/officer/register", query_string=query)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "2000" in body and "2100" in body  # the rule, in the officer's language


def test_a_queue_filtered_to_year_9999_says_so_on_the_fields_and_lists_unfiltered(officers, make_dossier):
    code = make_dossier()
    response = officers["intake1"].client.get("/officer/queues/all", query_string={"from": "0001-01-01", "to": "9999-12-31"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("from", "to"):
        error = re.search(rf'id="f-{name}-error">(.*?)</p>', page, re.S).group(1)
        assert "2000" in error and "2100" in error
    assert code in page  # the refused filters filter nothing


def test_a_calendar_exception_in_year_9999_is_refused_on_the_field(app):
    client = app.test_client()
    login_officer(client, "admin")
    response = client.post("/admin/calendar", data={"day": "9999-12-31", "kind": "day_off", "legal_reference": "QĐ 1/2026"})
    assert response.status_code in (200, 422)
    assert "2000" in response.get_data(as_text=True) and "2100" in response.get_data(as_text=True)


def test_the_api_takes_no_year_9999_and_answers_a_century_long_pause_at_once(client):
    query = {"procedure": "1.004222", "channel": "online", "delivery": "online"}
    assert client.get("/api/v1/deadline", query_string={**query, "received_at": "9999-12-31T10:00"}).status_code == 400
    started = time.process_time()
    response = client.get("/api/v1/deadline", query_string={
        **query, "received_at": "2000-01-03T10:00", "pause": "2000-01-04T10:00/2100-12-30T10:00"})
    assert response.status_code == 200 and time.process_time() - started < 1


# --- the supplement's time limit ---------------------------------------------------------------


def _request_supplement(app, code: str, officer) -> datetime:
    before = datetime.now(VN_TZ)
    response = officer.act(code, "request_supplement", items=["legal_residence"], note="Bản chụp hợp đồng bị mờ.")
    assert response.status_code == 302
    return before


def test_a_supplement_request_gives_the_procedures_time_limit_on_slip_02_and_to_the_citizen(app, make_dossier, officers, citizen):
    code = make_dossier()
    requested = _request_supplement(app, code, officers["intake1"])
    dossier = dossier_of(app, code)
    expected = _working_days_after(app, requested, 10)  # SUPPLEMENT_WORKING_DAYS by default
    assert abs(from_db(dossier.supplement_due_at) - expected) < timedelta(minutes=2)
    slip = text_of(officers["intake1"].client.get(f"/officer/dossiers/{code}/slips/02.pdf").data)
    assert from_db(dossier.supplement_due_at).strftime("%d/%m/%Y") in slip
    assert _local(dossier.supplement_due_at) in citizen.get(f"/my/dossiers/{code}").get_data(as_text=True)
    assert _local(dossier.supplement_due_at) in officers["intake1"].page(code)
    with app.app_context():
        email = db.session.execute(select(Notification).where(
            Notification.dossier_id == dossier.id, Notification.template == "supplement_requested",
            Notification.channel == "email")).scalar_one()
        assert _local(dossier.supplement_due_at) in render_message(email.template, "vi", email.context, "email").body


def test_a_procedure_sets_its_own_supplement_time_limit(app, make_dossier, officers):
    _procedure(app, "1.004194", supplement_days=3)
    code = make_dossier()
    requested = _request_supplement(app, code, officers["intake1"])
    due = from_db(dossier_of(app, code).supplement_due_at)
    assert abs(due - _working_days_after(app, requested, 3)) < timedelta(minutes=2)


def _reminders(app, dossier_id: int) -> list[Notification]:
    with app.app_context():
        return list(db.session.execute(select(Notification).where(
            Notification.dossier_id == dossier_id, Notification.template == "supplement_reminder")).scalars())


def test_the_citizen_is_reminded_once_before_the_time_limit(app, runner, make_dossier, officers):
    code = make_dossier()
    _request_supplement(app, code, officers["intake1"])
    dossier = dossier_of(app, code)
    result = runner.invoke(args=["supplements", "remind"])
    assert result.output == "0 reminder(s) queued.\n"  # ten working days left: too early
    soon = _working_days_after(app, datetime.now(VN_TZ), 1)
    _set(app, code, supplement_due_at=to_db(soon))
    result = runner.invoke(args=["supplements", "remind"])
    assert result.exit_code == 0 and result.output == f"1 reminder(s) queued: {code}\n"
    reminders = _reminders(app, dossier.id)
    assert sorted(r.channel for r in reminders) == ["email", "sms"]
    email = next(r for r in reminders if r.channel == "email")
    with app.app_context():
        message = render_message(email.template, "vi", email.context, "email")
    assert code in message.subject and "sắp hết hạn bổ sung" in message.subject
    assert soon.strftime("%H:%M %d/%m/%Y") in message.body
    assert runner.invoke(args=["supplements", "remind"]).output == "0 reminder(s) queued.\n"  # never twice
    assert len(_reminders(app, dossier.id)) == 2


def test_a_supplement_asked_before_time_limits_existed_gets_one_and_the_citizen_is_told(app, runner, make_dossier, officers):
    code = make_dossier()
    _request_supplement(app, code, officers["intake1"])
    _set(app, code, supplement_due_at=None)
    result = runner.invoke(args=["supplements", "remind"])
    assert result.output == f"1 reminder(s) queued: {code}\n"
    dossier = dossier_of(app, code)
    assert abs(from_db(dossier.supplement_due_at) - _working_days_after(app, datetime.now(VN_TZ), 10)) < timedelta(minutes=2)
    assert len(_reminders(app, dossier.id)) == 2


def test_before_the_time_limit_the_dossier_cannot_be_closed_as_not_supplemented(app, make_dossier, officers):
    code = make_dossier()
    _request_supplement(app, code, officers["intake1"])
    assert "actions/close_unsupplemented" not in officers["intake1"].page(code)
    version = dossier_of(app, code).version
    response = officers["intake1"].client.post(f"/officer/dossiers/{code}/actions/close_unsupplemented",
                                               data={"version": str(version)})
    assert response.status_code == 422  # refused (the page offers no such button yet)
    assert dossier_of(app, code).status == "supplement_requested"
    assert code not in officers["intake1"].client.get("/officer/queues/unsupplemented").get_data(as_text=True)


def test_after_the_time_limit_a_dossier_not_yet_accepted_is_closed_as_not_accepted(app, make_dossier, officers, citizen):
    code = make_dossier()
    _request_supplement(app, code, officers["intake1"])
    passed = datetime.now(VN_TZ) - timedelta(hours=1)
    _set(app, code, supplement_due_at=to_db(passed))
    intake = officers["intake1"]
    queue = intake.client.get("/officer/queues/unsupplemented").get_data(as_text=True)
    assert code in queue
    assert "actions/close_unsupplemented" in intake.page(code)
    assert intake.act(code, "close_unsupplemented").status_code == 302
    closed = dossier_of(app, code)
    assert closed.status == "not_accepted" and closed.status_code == 3
    note = closed.events[-1].public_note
    assert passed.strftime("%H:%M %d/%m/%Y") in note
    slip = text_of(intake.client.get(f"/officer/dossiers/{code}/slips/03.pdf").data)
    assert passed.strftime("%H:%M %d/%m/%Y") in slip
    assert note in citizen.get(f"/my/dossiers/{code}").get_data(as_text=True)
    with app.app_context():
        templates = set(db.session.execute(select(Notification.template).where(Notification.dossier_id == closed.id)).scalars())
    assert "dossier_not_supplemented" in templates
    assert code not in intake.client.get("/officer/queues/unsupplemented").get_data(as_text=True)


def test_after_the_time_limit_an_accepted_dossier_is_stopped_and_its_clock_too(app, make_dossier, officers):
    code = make_dossier()
    officers["intake1"].act(code, "accept")
    officers["intake1"].act(code, "assign", assignee=str(_specialist_id(app)))
    _request_supplement(app, code, officers["specialist1"])
    _set(app, code, supplement_due_at=to_db(datetime.now(VN_TZ) - timedelta(minutes=5)))
    assert officers["intake1"].act(code, "close_unsupplemented").status_code == 302
    stopped = dossier_of(app, code)
    assert stopped.status == "stopped" and stopped.status_code == 8
    assert [c.kind for c in stopped.clock] == ["start", "pause", "stop"]
    slip = text_of(officers["intake1"].client.get(f"/officer/dossiers/{code}/slips/05.pdf").data)
    assert code in slip and stopped.events[-1].public_note[:40] in slip
