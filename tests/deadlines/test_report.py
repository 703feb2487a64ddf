"""The JSON report shared by ``GET /api/v1/deadline`` and ``flask deadline``, and its parsers
(the command itself: ``tests/catalog/test_cli.py``)."""
from __future__ import annotations

from datetime import datetime

import pytest

from portal.deadlines import (
    VN_TZ,
    DeadlineInputError,
    ProcessingTime,
    WorkingCalendar,
    deadline_report,
    parse_iso,
    parse_pause,
)

CAL = WorkingCalendar()
SEVEN_DAYS = ProcessingTime(7, "working_days")


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def test_report_of_a_friday_evening_online_submission() -> None:
    report = deadline_report(SEVEN_DAYS, 20, vn(2026, 3, 6, 19, 45), "online", "online", [], CAL, "en")
    assert report == {
        "received_at": "2026-03-06T19:45:00+07:00",
        "clock_start": "2026-03-09T07:30:00+07:00",
        "working_hours": 56,
        "discount_pct": 20,
        "committed_working_hours": 44,
        "legal_due_at": "2026-03-17T17:00:00+07:00",
        "due_at": "2026-03-16T11:30:00+07:00",
        "explanation": [
            "received 19:45 Friday 06/03/2026 → counted from 07:30 Monday 09/03/2026",
            "processing time 7 working days = 56 working hours",
            "20 % reduction: 56 working hours → 44 hours (submitted and delivered online)",
            "legal due: 17:00 Tuesday 17/03/2026",
            "committed due: 11:30 Monday 16/03/2026",
        ],
    }


def test_report_with_pauses_at_the_counter() -> None:
    pauses = [(vn(2026, 3, 10, 9, 0), vn(2026, 3, 10, 10, 0)), (vn(2026, 3, 9, 16, 0), vn(2026, 3, 10, 7, 0))]
    report = deadline_report(SEVEN_DAYS, 20, vn(2026, 3, 6, 19, 45), "counter", "online", pauses, CAL)
    # 1 h on Monday 09/03 and 1 h on Tuesday 10/03 paused: 17:00 Tue 17/03 + 2 h.
    assert (report["discount_pct"], report["committed_working_hours"]) == (0, 56)
    assert report["legal_due_at"] == report["due_at"] == "2026-03-18T09:30:00+07:00"
    assert report["explanation"][2] == "không giảm 20 %: hồ sơ không nộp trực tuyến"


def test_report_under_the_restart_policy_restarts_at_the_end_of_a_pause() -> None:
    pauses = [(vn(2026, 3, 9, 9, 0), vn(2026, 3, 12, 9, 0))]
    report = deadline_report(
        ProcessingTime(1, "working_days"), 0, vn(2026, 3, 9, 8, 0), "post", "post", pauses, CAL,
        supplement_policy="restart",
    )
    assert report["clock_start"] == "2026-03-12T09:00:00+07:00"
    assert report["due_at"] == "2026-03-13T09:00:00+07:00"


def test_same_day_hours_are_fractional() -> None:
    report = deadline_report(ProcessingTime(1, "same_day"), 0, vn(2026, 3, 3, 15, 1), "online", "online", [], CAL)
    assert (report["working_hours"], report["committed_working_hours"]) == (9.98, 9.98)
    assert report["due_at"] == "2026-03-04T17:00:00+07:00"


@pytest.mark.parametrize(
    ("channel", "delivery", "pauses", "parameter", "message"),
    [
        ("fax", "online", [], "channel", "channel must be one of online, counter, post, not 'fax'"),
        ("online", "email", [], "delivery", "delivery must be one of online, post, counter"),
        ("online", "online", [(vn(2026, 3, 6, 9, 0), vn(2026, 3, 9, 9, 0))], "pause", "pause 1 starts before received_at"),
        ("online", "online", [(vn(2026, 3, 10, 9, 0), vn(2026, 3, 9, 9, 0))], "pause", "pause 1 ends before it starts"),
        (
            "online", "online",
            [(vn(2026, 3, 10, 9, 0), vn(2026, 3, 11, 9, 0)), (vn(2026, 3, 10, 10, 0), vn(2026, 3, 12, 9, 0))],
            "pause", "pause 2 starts before the end of pause 1",
        ),
    ],
)
def test_report_refuses_bad_input_naming_the_parameter(
    channel: str, delivery: str, pauses: list, parameter: str, message: str
) -> None:
    with pytest.raises(DeadlineInputError, match=message) as caught:
        deadline_report(SEVEN_DAYS, 20, vn(2026, 3, 6, 19, 45), channel, delivery, pauses, CAL)
    assert caught.value.parameter == parameter


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("2026-02-13T16:20+07:00", vn(2026, 2, 13, 16, 20)),
        ("2026-02-13T16:20", vn(2026, 2, 13, 16, 20)),  # no offset: Ho Chi Minh City time
        ("2026-02-13T09:20:00Z", vn(2026, 2, 13, 16, 20)),
        ("2026-02-13T16:20 07:00", vn(2026, 2, 13, 16, 20)),  # an unencoded "+" in a query string
        ("2026-02-13 16:20:30", vn(2026, 2, 13, 16, 20, 30)),
    ],
)
def test_parse_iso(value: str, parsed: datetime) -> None:
    assert parse_iso(value) == parsed
    assert parse_iso(value).tzinfo is not None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "received_at is missing"),
        ("yesterday", "received_at: 'yesterday' is not an ISO 8601 date and time"),
        ("2026-02-30T10:00", "is not an ISO 8601 date and time"),
        ("2026-02-13", "has no time of day"),
    ],
)
def test_parse_iso_names_the_problem(value: str, message: str) -> None:
    with pytest.raises(DeadlineInputError, match=message) as caught:
        parse_iso(value)
    assert caught.value.parameter == "received_at"


def test_parse_pause() -> None:
    assert parse_pause("2026-03-10T09:00/2026-03-10T10:30+07:00") == (vn(2026, 3, 10, 9, 0), vn(2026, 3, 10, 10, 30))
    with pytest.raises(DeadlineInputError, match="pause: '2026-03-10T09:00' is not START/END"):
        parse_pause("2026-03-10T09:00")
    with pytest.raises(DeadlineInputError, match="ends before it starts"):
        parse_pause("2026-03-10T09:00/2026-03-10T08:00")
    with pytest.raises(DeadlineInputError, match="pause: 'soon' is not an ISO 8601"):
        parse_pause("2026-03-10T09:00/soon")
