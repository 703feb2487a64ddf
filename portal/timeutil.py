"""Times: stored as naive UTC in the database, handled as aware Asia/Ho_Chi_Minh in the code.

Flask-Babel formats naive datetimes as UTC into the user's timezone, so pages show what is
stored; the deadline engine works on aware local times. These helpers convert at the border.
"""
from __future__ import annotations

from datetime import UTC, datetime

from portal.deadlines import VN_TZ


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
