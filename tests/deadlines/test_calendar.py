"""The working calendar on real Vietnamese dates (DESIGN §5), hand-checked."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from portal.deadlines import VN_TZ, WorkingCalendar

CAL = WorkingCalendar()


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("day", "is_working"),
    [
        (date(2026, 2, 13), True),  # Friday before Tết 2026
        *[(date(2026, 2, d), False) for d in range(16, 21)],  # Tết 2026, Monday–Friday
        (date(2026, 2, 23), True),
        (date(2026, 4, 27), False),  # Hùng Kings, observed
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), False),
        (date(2026, 8, 22), True),  # swapped working Saturday
        (date(2026, 8, 29), False),  # an ordinary Saturday
        (date(2026, 8, 23), False),  # Sunday
        (date(2026, 8, 31), False),  # the day off it was swapped for
        (date(2026, 9, 1), False),
        (date(2026, 9, 2), False),
        (date(2026, 9, 3), True),
        *[(date(2027, 2, d), False) for d in range(4, 11)],  # Tết 2027
        (date(2027, 2, 11), True),
    ],
)
def test_working_days(day: date, is_working: bool) -> None:
    assert CAL.is_working_day(day) is is_working


def test_administrator_exceptions_win_over_holidays_and_weekends() -> None:
    calendar = WorkingCalendar(
        exceptions={date(2026, 8, 22): False, date(2026, 2, 16): True, date(2026, 3, 7): True, date(2026, 3, 9): False},
        exception_reasons={date(2026, 3, 9): "Quyết định 12/QĐ-UBND"},
    )
    assert calendar.is_working_day(date(2026, 8, 22)) is False
    assert calendar.is_working_day(date(2026, 2, 16)) is True
    assert calendar.is_working_day(date(2026, 3, 7)) is True
    assert calendar.is_working_day(date(2026, 3, 9)) is False
    assert calendar.day_off_reason(date(2026, 3, 9)) == "Quyết định 12/QĐ-UBND"
    assert calendar.day_off_reason(date(2026, 8, 22), "en") == "day off decided by the administrator"
    # Friday 06/03 13:00 + 8 h: 4 h on Friday, the remaining 4 h on the Saturday made a working day.
    assert calendar.add_working_minutes(vn(2026, 3, 6, 13, 0), 480) == vn(2026, 3, 7, 11, 30)


@pytest.mark.parametrize(
    ("day", "lang", "reason"),
    [
        (date(2026, 2, 17), "vi", "Tết Nguyên Đán"),
        (date(2026, 2, 17), "en", "Lunar New Year"),
        (date(2026, 9, 2), "vi", "Quốc khánh"),
        (date(2026, 9, 2), "en", "National Day"),
        (date(2026, 3, 7), "vi", "thứ Bảy"),
        (date(2026, 3, 8), "vi", "Chủ nhật"),
        (date(2026, 3, 8), "en", "Sunday"),
        (date(2026, 3, 9), "vi", None),
        (date(2026, 8, 22), "en", None),
    ],
)
def test_day_off_reason(day: date, lang: str, reason: str | None) -> None:
    assert CAL.day_off_reason(day, lang) == reason


@pytest.mark.parametrize(
    ("received", "start"),
    [
        (vn(2026, 2, 13, 16, 20), vn(2026, 2, 13, 16, 20)),
        (vn(2026, 2, 13, 17, 20), vn(2026, 2, 23, 7, 30)),  # across Tết 2026
        (vn(2026, 3, 3, 11, 30), vn(2026, 3, 3, 13, 0)),  # lunch break
        (vn(2026, 3, 3, 12, 10), vn(2026, 3, 3, 13, 0)),
        (vn(2026, 3, 3, 6, 0), vn(2026, 3, 3, 7, 30)),
        (vn(2026, 3, 3, 11, 29), vn(2026, 3, 3, 11, 29)),
        (vn(2026, 3, 3, 17, 0), vn(2026, 3, 4, 7, 30)),
        (vn(2026, 8, 21, 18, 0), vn(2026, 8, 22, 7, 30)),  # the swapped Saturday
        (vn(2026, 8, 28, 17, 5), vn(2026, 9, 3, 7, 30)),  # 31/08–02/09 off
        (vn(2027, 2, 3, 17, 30), vn(2027, 2, 11, 7, 30)),  # across Tết 2027
    ],
)
def test_clock_start(received: datetime, start: datetime) -> None:
    assert CAL.clock_start(received) == start


def test_times_are_aware_in_ho_chi_minh_and_naive_means_local() -> None:
    from_utc = CAL.clock_start(datetime(2026, 2, 13, 9, 20, tzinfo=timezone.utc))
    assert from_utc == vn(2026, 2, 13, 16, 20)
    assert from_utc.utcoffset().total_seconds() == 7 * 3600
    assert CAL.clock_start(datetime(2026, 2, 13, 16, 20, 45)) == vn(2026, 2, 13, 16, 20)


@pytest.mark.parametrize(
    ("start", "minutes", "result"),
    [
        (vn(2026, 3, 2, 7, 30), 480, vn(2026, 3, 2, 17, 0)),  # lands on the end: 17:00, not 07:30 next day
        (vn(2026, 3, 2, 7, 30), 240, vn(2026, 3, 2, 11, 30)),
        (vn(2026, 3, 2, 7, 30), 241, vn(2026, 3, 2, 13, 1)),
        (vn(2026, 3, 2, 19, 0), 0, vn(2026, 3, 3, 7, 30)),
        (vn(2026, 8, 21, 16, 0), 120, vn(2026, 8, 22, 8, 30)),  # Saturday 22/08 is worked
        (vn(2026, 8, 28, 16, 0), 120, vn(2026, 9, 3, 8, 30)),  # 29/08–02/09 are not
        (vn(2026, 4, 29, 10, 0), 480, vn(2026, 5, 4, 10, 0)),  # 30/4–1/5
    ],
)
def test_add_working_minutes(start: datetime, minutes: int, result: datetime) -> None:
    assert CAL.add_working_minutes(start, minutes) == result


def test_working_minutes_between() -> None:
    # 16:20–17:00 on Friday 13/02, then Tết, then 07:30–08:30 on Monday 23/02.
    assert CAL.working_minutes_between(vn(2026, 2, 13, 16, 20), vn(2026, 2, 23, 8, 30)) == 100
    assert CAL.working_minutes_between(vn(2026, 2, 23, 8, 30), vn(2026, 2, 13, 16, 20)) == -100
    assert CAL.working_minutes_between(vn(2026, 3, 7, 9, 0), vn(2026, 3, 8, 15, 0)) == 0


def test_end_of_working_day() -> None:
    assert CAL.end_of_working_day(date(2026, 8, 22)) == vn(2026, 8, 22, 17, 0)
    with pytest.raises(ValueError, match="not a working day"):
        CAL.end_of_working_day(date(2026, 8, 31))


def test_configurable_working_periods() -> None:
    calendar = WorkingCalendar(working_periods=((time(8, 0), time(12, 0)), (time(13, 30), time(17, 30))))
    assert calendar.minutes_per_day == 480
    assert calendar.add_working_minutes(vn(2026, 3, 2, 8, 0), 480) == vn(2026, 3, 2, 17, 30)
    assert calendar.clock_start(vn(2026, 3, 2, 12, 0)) == vn(2026, 3, 2, 13, 30)
    with pytest.raises(ValueError, match="in order"):
        WorkingCalendar(working_periods=((time(13, 0), time(17, 0)), (time(8, 0), time(12, 0))))


def test_positions_stay_put_when_the_calendar_grows_both_ways() -> None:
    calendar = WorkingCalendar()
    first = calendar.position(vn(2026, 3, 2, 9, 0))
    later = calendar.position(vn(2031, 6, 2, 9, 0))
    earlier = calendar.position(vn(2019, 6, 3, 9, 0))
    assert calendar.position(vn(2026, 3, 2, 9, 0)) == first
    assert earlier < first < later
    assert calendar.add_working_minutes(vn(2019, 6, 3, 9, 0), 60) == vn(2019, 6, 3, 10, 0)
    assert calendar.add_working_minutes(vn(2035, 12, 31, 16, 30), 60) == vn(2036, 1, 2, 8, 0)
