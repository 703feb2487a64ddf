"""Which dossiers the indicators count: a period of Vietnam dates, an agency, a procedure.

``parse_scope`` reads it from a query string for the pages and the API alike, refusing a bad
value with the name of the parameter (``StatsInputError``) or an unknown code (``UnknownCode``).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.catalog.models import Agency, Procedure
from portal.deadlines import VN_TZ
from portal.extensions import db
from portal.timeutil import to_db

MAX_MONTHS = 36
FIRST_YEAR, LAST_YEAR = 2000, 2100
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class StatsInputError(ValueError):
    """A query parameter cannot be read; ``parameter`` names it (API: 400)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class UnknownCode(LookupError):
    """No agency or procedure has the code given (API: 404)."""


@dataclass(frozen=True)
class Month:
    """One calendar month of the period (clipped to it), as ``YYYY-MM`` and its Vietnam dates."""

    key: str
    first: date
    last: date

    @property
    def label(self) -> str:
        return f"{self.first:%m/%Y}"


@dataclass(frozen=True)
class Scope:
    """Which dossiers the figures are about: a period of Vietnam dates (both days included),
    optionally one agency and one procedure (of that agency)."""

    date_from: date
    date_to: date
    agency: Agency | None = None
    procedure: Procedure | None = None

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The period as stored times: [midnight of the first day, midnight after the last) in Vietnam."""
        return midnight(self.date_from), midnight(self.date_to + timedelta(days=1))

    @property
    def months(self) -> list[Month]:
        result: list[Month] = []
        first = self.date_from
        while first <= self.date_to:
            next_month = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            last = min(self.date_to, next_month - timedelta(days=1))
            result.append(Month(f"{first:%Y-%m}", first, last))
            first = next_month
        return result

    def as_args(self) -> dict[str, str]:
        """The scope as query parameters (links, exports, the API)."""
        args = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        if self.agency is not None:
            args["agency"] = self.agency.code
        if self.procedure is not None:
            args["procedure"] = self.procedure.code
        return args


def midnight(day: date) -> datetime:
    return to_db(datetime.combine(day, time(), VN_TZ))


def default_period(today: date) -> tuple[date, date]:
    """Twelve calendar months: the current one so far and the eleven before it."""
    month_index = today.year * 12 + today.month - 1 - 11
    return date(month_index // 12, month_index % 12 + 1, 1), today


def _parse_day(args: Mapping[str, str], name: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if not _DAY.match(value):
        raise StatsInputError(name, f"{name}: {value!r} is not a date written YYYY-MM-DD.")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise StatsInputError(name, f"{name}: {value!r} is not a day of the calendar.") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise StatsInputError(name, f"{name}: {value!r} is not between {FIRST_YEAR} and {LAST_YEAR}.")
    return day


def parse_scope(args: Mapping[str, str], today: date | None = None, *, agency: Agency | None = None) -> Scope:
    """The scope of a query string (``from``, ``to``, ``agency``, ``procedure``).

    Without dates: :func:`default_period`. ``agency`` given by the caller (an officer's own
    agency) wins over the query string. Raises :class:`StatsInputError` (bad value, naming the
    parameter) or :class:`UnknownCode` (no such agency or procedure).
    """
    today = today or datetime.now(VN_TZ).date()
    date_from, date_to = _parse_day(args, "from"), _parse_day(args, "to")
    if date_from is None and date_to is None:
        date_from, date_to = default_period(today)
    elif date_from is None:
        date_from = default_period(date_to)[0]
    elif date_to is None:
        date_to = max(today, date_from)
    if date_to < date_from:
        raise StatsInputError("to", "to: the end of the period is before its start.")
    if (date_to.year - date_from.year) * 12 + date_to.month - date_from.month >= MAX_MONTHS:
        raise StatsInputError("to", f"to: a period covers at most {MAX_MONTHS} months.")
    if agency is None and args.get("agency"):
        code = args["agency"]
        agency = db.session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()
        if agency is None:
            raise UnknownCode(f"No agency has the code {code!r}.")
    procedure = None
    if args.get("procedure"):
        code = args["procedure"]
        procedure = db.session.execute(select(Procedure).where(Procedure.code == code)).scalar_one_or_none()
        if procedure is None:
            raise UnknownCode(f"No procedure has the code {code!r}.")
        if agency is not None and procedure.agency_id != agency.id:
            raise StatsInputError("procedure", f"procedure: {code} is handled by another agency.")
    return Scope(date_from, date_to, agency, procedure)
