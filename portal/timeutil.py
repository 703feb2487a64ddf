"""Times: stored as naive UTC in the database, handled as aware Asia/Ho_Chi_Minh in the code.

Flask-Babel formats naive datetimes as UTC into the user's timezone, so pages show what is
stored; the deadline engine works on aware local times. These helpers convert at the border.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

from portal.deadlines import VN_TZ
from portal.deadlines.engine import FIRST_YEAR, LAST_YEAR

# Every date and time of the service typed into a form (appointments, periods, calendar
# exceptions) lies in these years, as the API's do (``portal.deadlines.parse_iso``): the
# working calendar knows holidays only for modern years, and a year like 9999 would overflow
# the conversions to and from UTC.
SERVICE_YEARS = range(FIRST_YEAR, LAST_YEAR + 1)


def utcnow() -> datetime:
    """Now, naive UTC, as stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_db(value: datetime | None) -> datetime | None:
    """An aware datetime as stored (naive UTC); naive input is taken as Vietnam time."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=VN_TZ)
    return value.astimezone(UTC).replace(tzinfo=None)


def from_db(value: datetime | None) -> datetime | None:
    """A stored datetime (naive UTC) as aware Vietnam time."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(VN_TZ)


def parse_local_datetime(text: str | None) -> datetime | None:
    """A date and time typed in a form (``2026-07-10T09:00``, as a ``datetime-local`` input
    sends it), aware in Vietnam time; None when it is not one or not in :data:`SERVICE_YEARS`."""
    try:
        parsed = datetime.fromisoformat((text or "").strip())
    except ValueError:
        return None
    if parsed.year not in SERVICE_YEARS:
        return None
    return parsed.replace(tzinfo=VN_TZ) if parsed.tzinfo is None else parsed.astimezone(VN_TZ)


def parse_day(text: str | None) -> date | None:
    """A day typed as ``YYYY-MM-DD`` (a ``date`` input); None when it is not one or not in
    :data:`SERVICE_YEARS`."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if day.year in SERVICE_YEARS else None
