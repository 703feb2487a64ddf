"""The Vietnamese working calendar (DESIGN §5).

1. A day is a working day when an administrator's exception says so; otherwise when it is one of
   the government's swapped working Saturdays (``holidays.VN(...).weekend_workdays``); otherwise
   when it is Monday–Friday and not a public holiday of ``holidays.VN`` (Bộ luật Lao động 2019,
   Điều 112, and the Prime Minister's yearly notices of swapped days).
2. Working time runs in the configured periods, by default 07:30–11:30 and 13:00–17:00.
3. Every instant maps to a *position*: the number of working minutes between the calendar's
   origin and that instant. The working days are kept as a sorted list, built a year range at a
   time and extended lazily, so a position and its inverse each cost one bisection. Positions
   never change once handed out: extending the range backwards moves the origin with it.

The clock counts whole minutes: seconds are dropped when an instant enters the calendar.
Naive datetimes are read as Asia/Ho_Chi_Minh wall-clock time; every datetime returned is aware
and in Asia/Ho_Chi_Minh.
"""
from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_WORKING_PERIODS: tuple[tuple[time, time], ...] = (
    (time(7, 30), time(11, 30)),
    (time(13, 0), time(17, 0)),
)
LANGUAGES = ("vi", "en")
_HOLIDAY_LANGUAGE = {"vi": "vi", "en": "en_US"}
_WEEKDAYS = {
    "vi": ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_EXCEPTION_DAY_OFF = {
    "vi": "ngày nghỉ theo quyết định của cơ quan",
    "en": "day off decided by the administrator",
}
_EXTEND_YEARS = 2
_MINUTES = [timedelta(minutes=m) for m in range(1440)]


def to_local(dt: datetime) -> datetime:
    """``dt`` in Asia/Ho_Chi_Minh, to the whole minute; a naive ``dt`` is taken as local time."""
    if dt.tzinfo is VN_TZ and not dt.second and not dt.microsecond:
        return dt
    if dt.tzinfo is None:
        return dt.replace(second=0, microsecond=0, tzinfo=VN_TZ)
    return dt.astimezone(VN_TZ).replace(second=0, microsecond=0)


def weekday_name(d: date, lang: str = "vi") -> str:
    return _WEEKDAYS[lang][d.weekday()]


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, swapped working weekend days) of ``holidays.VN`` in ``year``."""
    vn = holidays.VN(years=year)
    return frozenset(vn), frozenset(d for d in vn.weekend_workdays if d.year == year)


@lru_cache(maxsize=32)
def _holiday_names(year: int, lang: str) -> dict[date, str]:
    return dict(holidays.VN(years=year, language=_HOLIDAY_LANGUAGE[lang]))


def holiday_name(d: date, lang: str) -> str | None:
    """The name ``holidays.VN`` gives the public holiday ``d`` in ``lang``, or None."""
    return _holiday_names(d.year, lang).get(d)


def _minutes(t: time) -> int:
    if t.second or t.microsecond:
        raise ValueError(f"working periods are set to the minute, not {t.isoformat()}")
    return t.hour * 60 + t.minute


class WorkingCalendar:
    """Working days and hours in Asia/Ho_Chi_Minh (DESIGN §5).

    ``exceptions`` maps a date to True (a working day) or False (a day off); they come from the
    administrator's calendar and win over holidays and weekends. ``exception_reasons`` optionally
    names the legal reference of an exception for the explanations.
    """

    def __init__(
        self,
        exceptions: Mapping[date, bool] | None = None,
        working_periods: Sequence[tuple[time, time]] = DEFAULT_WORKING_PERIODS,
        *,
        exception_reasons: Mapping[date, str] | None = None,
    ) -> None:
        periods = tuple((_minutes(start), _minutes(end)) for start, end in working_periods)
        if not periods:
            raise ValueError("a working calendar needs at least one working period")
        previous_end = 0
        for start, end in periods:
            if not previous_end <= start < end:
                raise ValueError("working periods must be in order, not overlapping, each start before its end")
            previous_end = end
        self.exceptions: dict[date, bool] = dict(exceptions or {})
        self.exception_reasons: dict[date, str] = dict(exception_reasons or {})
        self.working_periods: tuple[tuple[time, time], ...] = tuple(working_periods)
        self._periods = periods
        self.minutes_per_day = sum(end - start for start, end in periods)
        # Working minutes of a day elapsed at each minute of the day.
        self._elapsed = [sum(max(0, min(m, end) - start) for start, end in periods) for m in range(1441)]
        # Clock time (minute of day) after r working minutes: ``_end_clock`` stops at a period's
        # end (11:30 for r = 240), ``_start_clock`` jumps to the next period's start (13:00).
        self._end_clock = [0] * (self.minutes_per_day + 1)
        self._start_clock = [0] * self.minutes_per_day
        done = 0
        for start, end in periods:
            for k in range(end - start):
                self._start_clock[done + k] = start + k
                self._end_clock[done + k + 1] = start + k + 1
            done += end - start
        self._lock = threading.Lock()
        # Position 0 is the start of this day: 1 January of the first year ever built.
        self._origin_ordinal: int | None = None
        # (first year, last year, working day ordinals, their midnights, index of the origin)
        self._state: tuple[int, int, list[int], list[datetime], int] | None = None

    # -- days -------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        exception = self.exceptions.get(d)
        if exception is not None:
            return exception
        holidays_, weekend_workdays = _public_holidays(d.year)
        if d in weekend_workdays:
            return True
        return d.weekday() < 5 and d not in holidays_

    def day_off_reason(self, d: date, lang: str = "vi") -> str | None:
        """Why ``d`` is not a working day (the holiday's name, "Chủ nhật"…), or None if it is one."""
        check_language(lang)
        if self.is_working_day(d):
            return None
        if self.exceptions.get(d) is False:
            return self.exception_reasons.get(d) or _EXCEPTION_DAY_OFF[lang]
        return holiday_name(d, lang) or weekday_name(d, lang)

    def is_public_day_off(self, d: date) -> bool:
        """A day off for a holiday or an administrator's exception, not merely a weekend."""
        if self.is_working_day(d):
            return False
        return self.exceptions.get(d) is False or d in _public_holidays(d.year)[0]

    def is_weekend_working_day(self, d: date) -> bool:
        """A Saturday or Sunday that is a working day (a swapped Saturday or an exception)."""
        return d.weekday() >= 5 and self.is_working_day(d)

    def end_of_working_day(self, d: date) -> datetime:
        """The end of the last working period of the working day ``d``."""
        if not self.is_working_day(d):
            raise ValueError(f"{d.isoformat()} is not a working day")
        end = self._periods[-1][1]
        return datetime(d.year, d.month, d.day, end // 60, end % 60, tzinfo=VN_TZ)

    # -- the working-time axis --------------------------------------------------------------

    def _build(self, first_year: int, last_year: int) -> None:
        with self._lock:
            state = self._state
            if state is not None:
                if state[0] <= first_year and last_year <= state[1]:
                    return
                first_year, last_year = min(first_year, state[0]), max(last_year, state[1])
            ordinals: list[int] = []
            midnights: list[datetime] = []
            for ordinal in range(date(first_year, 1, 1).toordinal(), date(last_year, 12, 31).toordinal() + 1):
                d = date.fromordinal(ordinal)
                if self.is_working_day(d):
                    ordinals.append(ordinal)
                    midnights.append(datetime(d.year, d.month, d.day, tzinfo=VN_TZ))
            if self._origin_ordinal is None:
                self._origin_ordinal = date(first_year, 1, 1).toordinal()
            origin = bisect_left(ordinals, self._origin_ordinal)
            self._state = (first_year, last_year, ordinals, midnights, origin)

    def _cover(self, year: int) -> tuple[int, int, list[int], list[datetime], int]:
        state = self._state
        if state is None or not state[0] <= year <= state[1]:
            self._build(year - 1, year + 1)
            state = self._state
        assert state is not None
        return state

    def position(self, dt: datetime) -> int:
        """Working minutes from the calendar's origin to ``dt`` (stable for this calendar)."""
        local = to_local(dt)
        ordinal = local.toordinal()
        state = self._state
        if state is None or not state[0] <= local.year <= state[1]:
            state = self._cover(local.year)
        _, _, ordinals, _, origin = state
        i = bisect_left(ordinals, ordinal)
        p = (i - origin) * self.minutes_per_day
        if i < len(ordinals) and ordinals[i] == ordinal:
            p += self._elapsed[local.hour * 60 + local.minute]
        return p

    def at_position(self, p: int, *, period_end: bool = True) -> datetime:
        """The instant at working position ``p``.

        Where ``p`` is the boundary between two periods, ``period_end=True`` gives the end of the
        earlier one (17:00, a due time) and ``period_end=False`` the start of the next (07:30 on
        the next working day, a clock start).
        """
        per_day = self.minutes_per_day
        while True:
            state = self._state
            if state is None:
                state = self._cover(date.today().year)
            first_year, last_year, _, midnights, origin = state
            day = (p - 1) // per_day if period_end else p // per_day
            i = day + origin
            if i < 0:
                self._build(first_year - _EXTEND_YEARS, last_year)
            elif i >= len(midnights):
                self._build(first_year, last_year + _EXTEND_YEARS)
            else:
                break
        r = p - day * per_day
        # Wall-clock arithmetic on an aware datetime is exact here: Vietnam has no DST.
        return midnights[i] + _MINUTES[self._end_clock[r] if period_end else self._start_clock[r]]

    def day_index(self, p: int) -> int:
        """Which working day (counted from the origin) a clock started at position ``p`` is on."""
        return p // self.minutes_per_day

    # -- instants ---------------------------------------------------------------------------

    def clock_start(self, dt: datetime) -> datetime:
        """``dt`` if it falls inside a working period, else the start of the next one."""
        return self.at_position(self.position(dt), period_end=False)

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant ``minutes`` working minutes after ``start``.

        A result exactly at the end of a period is that end (17:00, not 07:30 the next working
        day); ``minutes=0`` gives ``clock_start(start)``.
        """
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        return self.at_position(self.position(start) + minutes, period_end=minutes > 0)

    def working_minutes_between(self, a: datetime, b: datetime) -> int:
        """Working minutes from ``a`` to ``b``; negative when ``b`` is before ``a``."""
        return self.position(b) - self.position(a)
