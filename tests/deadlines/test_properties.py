"""Properties of the calendar and the due times that hold for any receipt (Hypothesis)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from portal.deadlines import VN_TZ, ClockEvent, ClockEventKind, ProcessingTime, WorkingCalendar, compute_deadline

CAL = WorkingCalendar()
CAL.position(datetime(2030, 6, 1, tzinfo=VN_TZ))  # build 2024–2031 before Hypothesis times anything
K = ClockEventKind
# No example database: the tests write nothing into the working tree.
SETTINGS = settings(database=None, deadline=None, max_examples=150)

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)).map(
    lambda dt: dt.replace(second=0, microsecond=0, tzinfo=VN_TZ)
)
processing_times = st.one_of(
    st.builds(ProcessingTime, st.integers(1, 30), st.just("working_days")),
    st.builds(ProcessingTime, st.integers(1, 200), st.just("working_hours")),
    st.just(ProcessingTime(1, "same_day")),
)
rules = st.fixed_dictionaries(
    {"discount_pct": st.integers(0, 20), "is_online_submission": st.booleans(), "is_online_delivery": st.booleans()}
)
gaps = st.integers(0, 20 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes))


def is_inside_working_hours(calendar: WorkingCalendar, t: datetime) -> bool:
    """start < t ≤ end of one working period of a working day."""
    return calendar.is_working_day(t.date()) and any(start < t.time() <= end for start, end in calendar.working_periods)


@SETTINGS
@given(received=instants, processing_time=processing_times, rules=rules)
def test_due_times_are_after_the_start_and_committed_never_after_legal(received, processing_time, rules) -> None:
    result = compute_deadline([ClockEvent(K.START, received)], CAL, processing_time, **rules)
    assert result.received_at <= result.clock_start < result.due_at <= result.legal_due_at
    assert 60 <= result.committed_minutes <= result.working_minutes
    assert CAL.working_minutes_between(result.clock_start, result.legal_due_at) == result.working_minutes
    assert is_inside_working_hours(CAL, result.legal_due_at)
    assert is_inside_working_hours(CAL, result.due_at)


@SETTINGS
@given(received=instants, processing_time=processing_times, rules=rules, day_off=st.integers(0, 45))
def test_adding_a_holiday_never_makes_a_due_time_earlier(received, processing_time, rules, day_off) -> None:
    before = compute_deadline([ClockEvent(K.START, received)], CAL, processing_time, **rules)
    calendar = WorkingCalendar(exceptions={received.date() + timedelta(days=day_off): False})
    after = compute_deadline([ClockEvent(K.START, received)], calendar, processing_time, **rules)
    assert after.legal_due_at >= before.legal_due_at
    assert after.due_at >= before.due_at


@SETTINGS
@given(received=instants, processing_time=processing_times, rules=rules, offset=gaps, length=gaps)
def test_a_pause_of_no_working_time_changes_nothing(received, processing_time, rules, offset, length) -> None:
    paused_at = received + offset
    # Stretch the pause from ``paused_at`` towards the next working minute, never past it.
    resumed_at = min(paused_at + length, CAL.clock_start(paused_at))
    assume(resumed_at >= paused_at)
    plain = compute_deadline([ClockEvent(K.START, received)], CAL, processing_time, **rules)
    paused = compute_deadline(
        [ClockEvent(K.START, received), ClockEvent(K.PAUSE, paused_at), ClockEvent(K.RESUME, resumed_at)],
        CAL, processing_time, **rules,
    )
    assert paused.paused_minutes == 0
    assert (paused.legal_due_at, paused.due_at) == (plain.legal_due_at, plain.due_at)


@SETTINGS
@given(received=instants, processing_time=processing_times, rules=rules, offsets=st.tuples(gaps, gaps, gaps))
def test_splitting_a_pause_in_two_gives_the_same_due_times(received, processing_time, rules, offsets) -> None:
    paused_at = received + offsets[0]
    split_at = paused_at + offsets[1]
    resumed_at = split_at + offsets[2]
    start = ClockEvent(K.START, received)
    whole = compute_deadline(
        [start, ClockEvent(K.PAUSE, paused_at), ClockEvent(K.RESUME, resumed_at)], CAL, processing_time, **rules
    )
    split = compute_deadline(
        [
            start,
            ClockEvent(K.PAUSE, paused_at), ClockEvent(K.RESUME, split_at),
            ClockEvent(K.PAUSE, split_at), ClockEvent(K.RESUME, resumed_at),
        ],
        CAL, processing_time, **rules,
    )
    assert split.paused_minutes == whole.paused_minutes == CAL.working_minutes_between(paused_at, resumed_at)
    assert (split.legal_due_at, split.due_at) == (whole.legal_due_at, whole.due_at)
    assert whole.legal_due_at >= compute_deadline([start], CAL, processing_time, **rules).legal_due_at


@SETTINGS
@given(start=instants, first=st.integers(1, 20_000), second=st.integers(1, 20_000))
def test_adding_working_minutes_composes_and_measures_back(start, first, second) -> None:
    middle = CAL.add_working_minutes(start, first)
    assert is_inside_working_hours(CAL, middle)
    assert CAL.working_minutes_between(start, middle) == first
    assert CAL.add_working_minutes(middle, second) == CAL.add_working_minutes(start, first + second)


@SETTINGS
@given(day=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)))
def test_working_days_are_exactly_what_the_day_by_day_rule_says(day) -> None:
    start_of_day = datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
    worked = CAL.working_minutes_between(start_of_day, start_of_day + timedelta(days=1))
    assert worked == (CAL.minutes_per_day if CAL.is_working_day(day) else 0)
