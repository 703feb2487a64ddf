"""Due times, ledgers and outcomes on real dates (DESIGN §5), each value checked by hand."""
from __future__ import annotations

from datetime import datetime

import pytest

from portal.deadlines import (
    VN_TZ,
    ClockEvent,
    ClockEventKind,
    LedgerError,
    ProcessingTime,
    WorkingCalendar,
    committed_minutes,
    compute_deadline,
)

CAL = WorkingCalendar()
DAYS_1 = ProcessingTime(1, "working_days")
DAYS_2 = ProcessingTime(2, "working_days")
DAYS_3 = ProcessingTime(3, "working_days")
DAYS_7 = ProcessingTime(7, "working_days")
SAME_DAY = ProcessingTime(1, "same_day")
K = ClockEventKind


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def received(at: datetime) -> list[ClockEvent]:
    return [ClockEvent(K.START, at)]


def online(events, processing_time, discount_pct, **kwargs):
    return compute_deadline(
        events, CAL, processing_time, discount_pct=discount_pct, is_online_submission=True, is_online_delivery=True,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("hours", "pct", "committed_hours"),
    [(24, 10, 21), (56, 20, 44), (80, 15, 68), (8, 20, 6), (1, 20, 1), (2, 20, 1), (24, 0, 24)],
)
def test_committed_hours(hours: int, pct: int, committed_hours: int) -> None:
    assert committed_minutes(hours * 60, pct) == committed_hours * 60


@pytest.mark.parametrize(
    ("at", "processing_time", "legal_due"),
    [
        # Friday 13/02 after hours → Monday 23/02 07:30 (Tết 16–20/02) + 3 days → Wednesday 17:00.
        (vn(2026, 2, 13, 17, 20), DAYS_3, vn(2026, 2, 25, 17, 0)),
        # 2 h on Wednesday 03/02/2027, Tết 04–10/02, 8 h Thursday 11/02, 6 h Friday 12/02.
        (vn(2027, 2, 3, 15, 0), DAYS_2, vn(2027, 2, 12, 15, 0)),
        # 4 h on Friday 21/08/2026, the other 4 h on the swapped Saturday 22/08.
        (vn(2026, 8, 21, 13, 0), DAYS_1, vn(2026, 8, 22, 11, 30)),
        # 7.5 h on Friday 28/08, then 29/08–02/09 off, 8 h on Thursday 03/09, 0.5 h on Friday 04/09.
        (vn(2026, 8, 28, 8, 0), DAYS_2, vn(2026, 9, 4, 8, 0)),
        # 5.5 h on Wednesday 29/04, 30/4–1/5 and the weekend off, 2.5 h on Monday 04/05.
        (vn(2026, 4, 29, 10, 0), DAYS_1, vn(2026, 5, 4, 10, 0)),
        # Received on National Day itself: from Thursday 03/09 07:30.
        (vn(2026, 9, 2, 9, 0), DAYS_1, vn(2026, 9, 3, 17, 0)),
        (vn(2026, 3, 3, 9, 0), ProcessingTime(4, "working_hours"), vn(2026, 3, 3, 14, 30)),  # 2.5 h + 1.5 h
    ],
)
def test_legal_due_on_real_dates(at: datetime, processing_time: ProcessingTime, legal_due: datetime) -> None:
    result = compute_deadline(received(at), CAL, processing_time)
    assert result.legal_due_at == legal_due
    assert result.due_at == legal_due


@pytest.mark.parametrize(
    ("at", "due", "minutes"),
    [
        (vn(2026, 3, 3, 15, 0), vn(2026, 3, 3, 17, 0), 120),
        (vn(2026, 3, 3, 15, 1), vn(2026, 3, 4, 17, 0), 119 + 480),
        (vn(2026, 2, 27, 15, 1), vn(2026, 3, 2, 17, 0), 119 + 480),  # Friday after 15:00 → Monday
        (vn(2026, 3, 7, 9, 0), vn(2026, 3, 9, 17, 0), 480),  # Saturday receipt → end of Monday
        (vn(2026, 3, 3, 18, 0), vn(2026, 3, 4, 17, 0), 480),  # evening → next morning, by 15:00
        (vn(2026, 2, 13, 15, 30), vn(2026, 2, 23, 17, 0), 90 + 480),  # after 15:00 before Tết
    ],
)
def test_same_day_procedures(at: datetime, due: datetime, minutes: int) -> None:
    result = online(received(at), SAME_DAY, 20)
    assert (result.legal_due_at, result.due_at) == (due, due)
    assert result.working_minutes == result.committed_minutes == minutes
    assert result.discount_pct == 0


def test_friday_evening_online_submission_seven_days_twenty_percent() -> None:
    result = online(received(vn(2026, 3, 6, 19, 45)), DAYS_7, 20)
    assert result.clock_start == vn(2026, 3, 9, 7, 30)
    assert (result.working_minutes, result.committed_minutes, result.discount_pct) == (56 * 60, 44 * 60, 20)
    assert result.legal_due_at == vn(2026, 3, 17, 17, 0)  # Mon 9 – Fri 13, Mon 16, Tue 17
    assert result.due_at == result.pre_extension_due_at == vn(2026, 3, 16, 11, 30)  # 40 h + 4 h


def test_three_days_ten_percent() -> None:
    result = online(received(vn(2026, 3, 3, 9, 0)), DAYS_3, 10)
    assert (result.working_minutes, result.committed_minutes) == (24 * 60, 21 * 60)
    assert result.legal_due_at == vn(2026, 3, 6, 9, 0)
    assert result.due_at == vn(2026, 3, 5, 15, 30)  # 6.5 h Tue, 8 h Wed, 6.5 h Thu


@pytest.mark.parametrize(("submission", "delivery"), [(False, True), (True, False), (False, False)])
def test_discount_needs_online_submission_and_online_result(submission: bool, delivery: bool) -> None:
    result = compute_deadline(
        received(vn(2026, 3, 3, 9, 0)), CAL, DAYS_3, discount_pct=10,
        is_online_submission=submission, is_online_delivery=delivery,
    )
    assert result.discount_pct == 0
    assert result.committed_minutes == 24 * 60
    assert result.due_at == result.legal_due_at == vn(2026, 3, 6, 9, 0)


SUPPLEMENT = [
    ClockEvent(K.START, vn(2026, 3, 3, 9, 0)),
    ClockEvent(K.PAUSE, vn(2026, 3, 4, 10, 0), reason="chờ bổ sung"),
]


def test_pause_policy_moves_the_due_time_by_the_paused_working_time() -> None:
    # Paused Wed 10:00 → Mon 10:00: 5.5 h + 8 h + 8 h + 2.5 h = 24 h, i.e. three working days.
    result = compute_deadline([*SUPPLEMENT, ClockEvent(K.RESUME, vn(2026, 3, 9, 10, 0))], CAL, DAYS_3)
    assert result.paused_minutes == 24 * 60
    assert result.legal_due_at == result.due_at == vn(2026, 3, 11, 9, 0)
    assert result.clock_start == vn(2026, 3, 3, 9, 0)
    assert result.state == "running"


def test_restart_policy_starts_a_full_new_period_at_the_supplement() -> None:
    events = [*SUPPLEMENT, ClockEvent(K.RESTART, vn(2026, 3, 9, 10, 0))]
    result = online(events, DAYS_3, 10, supplement_policy="restart")
    assert result.clock_start == result.restarted_at == vn(2026, 3, 9, 10, 0)
    assert result.legal_due_at == vn(2026, 3, 12, 10, 0)  # 5.5 h Mon, 8 h Tue, 8 h Wed, 2.5 h Thu
    assert result.due_at == vn(2026, 3, 11, 16, 30)  # 21 h: 5.5 + 8 + 7.5
    with pytest.raises(LedgerError, match="supplement policy is 'pause'"):
        compute_deadline(events, CAL, DAYS_3)


def test_extension_keeps_lateness_against_the_earlier_due_time() -> None:
    events = [
        ClockEvent(K.START, vn(2026, 3, 3, 9, 0)),
        ClockEvent(K.EXTEND, vn(2026, 3, 6, 8, 0), reason="xác minh thêm", due_at=vn(2026, 3, 10, 17, 0)),
        ClockEvent(K.CLOSE, vn(2026, 3, 9, 16, 0)),
    ]
    result = compute_deadline(events, CAL, DAYS_3)
    assert result.due_at == vn(2026, 3, 10, 17, 0)
    assert result.pre_extension_due_at == result.legal_due_at == vn(2026, 3, 6, 9, 0)
    assert result.is_extended
    assert (result.outcome, result.legal_outcome) == ("late", "late")


def test_pause_after_an_extension_moves_both_the_appointment_and_the_earlier_due_time() -> None:
    events = [
        ClockEvent(K.START, vn(2026, 3, 3, 9, 0)),
        ClockEvent(K.EXTEND, vn(2026, 3, 6, 8, 0), due_at=vn(2026, 3, 10, 17, 0)),
        ClockEvent(K.PAUSE, vn(2026, 3, 6, 8, 30)),
        ClockEvent(K.RESUME, vn(2026, 3, 9, 8, 30)),  # 3 h + 4 h Friday, 1 h Monday
    ]
    result = compute_deadline(events, CAL, DAYS_3)
    assert result.paused_minutes == 8 * 60
    assert result.due_at == vn(2026, 3, 11, 17, 0)
    assert result.pre_extension_due_at == vn(2026, 3, 9, 9, 0)


@pytest.mark.parametrize(
    ("closed_at", "outcome"),
    [
        (vn(2026, 3, 5, 16, 0), "early"),
        (vn(2026, 3, 6, 7, 0), "on_time"),  # on the due day, before the due time
        (vn(2026, 3, 6, 9, 0), "on_time"),
        (vn(2026, 3, 6, 9, 1), "late"),
        (vn(2026, 3, 9, 8, 0), "late"),
    ],
)
def test_outcome_when_the_result_is_ready(closed_at: datetime, outcome: str) -> None:
    events = [ClockEvent(K.START, vn(2026, 3, 3, 9, 0)), ClockEvent(K.CLOSE, closed_at)]
    result = compute_deadline(events, CAL, DAYS_3)
    assert result.legal_due_at == vn(2026, 3, 6, 9, 0)
    assert (result.state, result.closed_at, result.outcome, result.legal_outcome) == (
        "closed", closed_at, outcome, outcome
    )
    assert result.status is None


def test_outcome_against_committed_and_legal_due_times_differ() -> None:
    events = [ClockEvent(K.START, vn(2026, 3, 3, 9, 0)), ClockEvent(K.CLOSE, vn(2026, 3, 5, 16, 0))]
    result = online(events, DAYS_3, 10)  # committed 15:30 Thu 05/03, legal 09:00 Fri 06/03
    assert (result.outcome, result.legal_outcome) == ("late", "early")


@pytest.mark.parametrize(
    ("now", "status", "remaining"),
    [
        (vn(2026, 3, 3, 9, 0), "within", 1440),
        (vn(2026, 3, 5, 13, 0), "within", 330),  # 4 h Thu + 1.5 h Fri > 20 % of 24 h (288 min)
        (vn(2026, 3, 5, 14, 0), "at_risk", 270),
        (vn(2026, 3, 6, 9, 0), "at_risk", 0),  # at the due time: not yet late
        (vn(2026, 3, 6, 10, 0), "overdue", -60),
        (vn(2026, 3, 7, 10, 0), "overdue", -390),  # Saturday: the rest of Friday is past due
    ],
)
def test_status_of_an_open_dossier(now: datetime, status: str, remaining: int) -> None:
    result = compute_deadline(received(vn(2026, 3, 3, 9, 0)), CAL, DAYS_3, now=now)
    assert (result.status, result.remaining_minutes) == (status, remaining)
    assert (result.legal_status, result.legal_remaining_minutes) == (status, remaining)
    assert result.outcome is None


@pytest.mark.parametrize(
    ("now", "committed", "legal"),
    [
        # Committed 15:30 Thu 05/03 (21 h, at risk from 252 min left); legal 09:00 Fri 06/03 (288 min).
        (vn(2026, 3, 5, 10, 0), ("at_risk", 240), ("within", 420)),
        (vn(2026, 3, 5, 16, 0), ("overdue", -30), ("at_risk", 150)),  # 1 h Thu + 1.5 h Fri
    ],
)
def test_status_against_committed_and_legal_due_times(
    now: datetime, committed: tuple[str, int], legal: tuple[str, int]
) -> None:
    result = online(received(vn(2026, 3, 3, 9, 0)), DAYS_3, 10, now=now)
    assert (result.status, result.remaining_minutes) == committed
    assert (result.legal_status, result.legal_remaining_minutes) == legal


def test_a_paused_clock_is_measured_where_it_stopped() -> None:
    events = [ClockEvent(K.START, vn(2026, 3, 3, 9, 0)), ClockEvent(K.PAUSE, vn(2026, 3, 5, 14, 0))]
    result = compute_deadline(events, CAL, DAYS_3, now=vn(2026, 3, 20, 10, 0))
    assert (result.state, result.status, result.remaining_minutes) == ("paused", "at_risk", 270)


def test_stopped_clock_has_neither_outcome_nor_status() -> None:
    events = [ClockEvent(K.START, vn(2026, 3, 3, 9, 0)), ClockEvent(K.STOP, vn(2026, 3, 4, 9, 0), reason="rút hồ sơ")]
    result = compute_deadline(events, CAL, DAYS_3, now=vn(2026, 3, 20, 10, 0))
    assert (result.state, result.stopped_at, result.outcome, result.status) == (
        "stopped", vn(2026, 3, 4, 9, 0), None, None
    )


START = ClockEvent(K.START, vn(2026, 3, 3, 9, 0))


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([], "must begin with START"),
        ([ClockEvent(K.PAUSE, vn(2026, 3, 3, 9, 0))], "must begin with START"),
        ([START, ClockEvent(K.RESUME, vn(2026, 3, 4, 9, 0))], "RESUME at 2026-03-04T09:00:00\\+07:00 without a PAUSE"),
        ([START, ClockEvent(K.PAUSE, vn(2026, 3, 4, 9, 0)), ClockEvent(K.PAUSE, vn(2026, 3, 4, 10, 0))],
         "while already paused"),
        ([START, ClockEvent(K.PAUSE, vn(2026, 3, 2, 9, 0))], "before the previous event"),
        ([START, ClockEvent(K.START, vn(2026, 3, 4, 9, 0))], "only one START"),
        ([START, ClockEvent(K.CLOSE, vn(2026, 3, 4, 9, 0)), ClockEvent(K.PAUSE, vn(2026, 3, 4, 10, 0))],
         "after the clock was closed"),
        ([START, ClockEvent(K.STOP, vn(2026, 3, 4, 9, 0)), ClockEvent(K.CLOSE, vn(2026, 3, 4, 10, 0))],
         "after the clock was stopped"),
        ([START, ClockEvent(K.PAUSE, vn(2026, 3, 4, 9, 0)), ClockEvent(K.CLOSE, vn(2026, 3, 4, 10, 0))],
         "RESUME it first"),
        ([START, ClockEvent(K.EXTEND, vn(2026, 3, 4, 9, 0), due_at=vn(2026, 3, 5, 9, 0))],
         "appointment after 2026-03-06T09:00:00\\+07:00"),
    ],
)
def test_invalid_ledgers_are_refused(events: list[ClockEvent], message: str) -> None:
    with pytest.raises(LedgerError, match=message):
        compute_deadline(events, CAL, DAYS_3)


def test_now_before_the_last_event_is_refused() -> None:
    with pytest.raises(LedgerError, match="before the last event"):
        compute_deadline(received(vn(2026, 3, 3, 9, 0)), CAL, DAYS_3, now=vn(2026, 3, 2, 9, 0))


def test_extend_carries_a_due_time_and_nothing_else_does() -> None:
    with pytest.raises(LedgerError, match="only an EXTEND"):
        ClockEvent(K.EXTEND, vn(2026, 3, 4, 9, 0))
    with pytest.raises(LedgerError, match="only an EXTEND"):
        ClockEvent(K.PAUSE, vn(2026, 3, 4, 9, 0), due_at=vn(2026, 3, 9, 9, 0))
    assert ClockEvent("pause", vn(2026, 3, 4, 9, 0)).kind is K.PAUSE


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [(0, "working_days", "at least 1"), (3, "weeks", "unknown processing unit"), (2, "same_day", "value 1")],
)
def test_processing_time_is_validated(value: int, unit: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ProcessingTime(value, unit)


def test_rules_are_validated() -> None:
    with pytest.raises(ValueError, match="discount_pct must be 0–20"):
        compute_deadline(received(vn(2026, 3, 3, 9, 0)), CAL, DAYS_3, discount_pct=25)
    with pytest.raises(ValueError, match="unknown supplement policy"):
        compute_deadline(received(vn(2026, 3, 3, 9, 0)), CAL, DAYS_3, supplement_policy="reset")
    with pytest.raises(ValueError, match="unknown language"):
        compute_deadline(received(vn(2026, 3, 3, 9, 0)), CAL, DAYS_3, lang="fr")
