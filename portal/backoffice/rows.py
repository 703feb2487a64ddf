"""The rows of a table of dossiers (the officer's queues, the statistics' drill-down), read in
one statement of exactly the columns a row shows.

A row's deadline comes from the columns the clock stores on the dossier
(``workflow.clock.stored_values``: due time, "at risk" from, paused, outcome) instead of
replaying each dossier's ledger: what a page of twenty rows costs is then one indexed read, and
a row says "at risk" exactly when the queue's "at risk" filter and the statistics count it so.
An extended dossier is the exception: its state is measured against the appointment before the
extension (an extension with an apology still counts late), which is not stored, so its ledger
is replayed (``clock.deadline``) — a few rows on any page.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, exists, literal_column, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from portal.auth.models import User
from portal.catalog.models import Procedure
from portal.catalog.service import working_calendar
from portal.deadlines import ClockEventKind
from portal.dossiers.models import ClockEntry, Dossier, GroupComponent
from portal.dossiers.states import OPEN_STATES, Status, status_label
from portal.extensions import db
from portal.timeutil import from_db
from portal.workflow import clock

INTAKE_NORM_MINUTES = 8 * 60  # our norm: an online dossier is taken in within 8 working hours

_OPEN = frozenset(s.value for s in OPEN_STATES)


@dataclass(frozen=True, slots=True)
class Standing:
    """A dossier's deadline as a row shows it; the attributes a ``DeadlineResult`` has for the
    same purpose (``backoffice/_deadline_cell.html`` draws either)."""

    due_at: datetime
    state: str  # running, paused, closed or stopped
    outcome: str | None = None  # early, on_time or late, once the clock is closed
    status: str | None = None  # within, at_risk or overdue, while it runs
    remaining_minutes: int | None = None  # working minutes left (negative: late)


@dataclass(frozen=True, slots=True)
class Lead:
    """The linked component whose result a row's dossier waits for."""

    code: str
    procedure_name: str
    agency_name: str


@dataclass(frozen=True, slots=True)
class Row:
    code: str
    channel: str
    is_registry_unverified: bool
    procedure_name: str
    applicant_name: str
    status: str
    status_label: str  # in the page's language
    has_new_supplement: bool
    assignee_name: str | None
    deadline: Any  # Standing, a DeadlineResult (extended), or None before the clock starts
    waiting_minutes: int | None  # working minutes waiting for intake, when it does
    is_intake_late: bool
    waits_for: Lead | None


_ProcedureName = aliased(Procedure)
_Assignee = aliased(User)
_Waiting = aliased(GroupComponent)


def written(number: int) -> ColumnElement[int]:
    """A whole number written into a statement rather than sent as a parameter: a limit that is a
    parameter makes PostgreSQL's plan kept for the statement guess a tenth of the rows (it then
    sorts), so it plans every execution afresh (``backoffice.queues._listing``)."""
    return literal_column(str(int(number)), Integer)


_first_clock_event = (
    select(ClockEntry.at).where(ClockEntry.dossier_id == Dossier.id).order_by(ClockEntry.id)
    .limit(written(1)).correlate(Dossier).scalar_subquery()
)
_is_extended = exists().where(ClockEntry.dossier_id == Dossier.id, ClockEntry.kind == ClockEventKind.EXTEND.value)
_COLUMNS = (
    Dossier.id, Dossier.code, Dossier.channel, Dossier.is_registry_unverified, _ProcedureName.name_vi,
    _ProcedureName.name_en, Dossier.applicant_name, Dossier.status, Dossier.has_new_supplement,
    _Assignee.full_name.label("assignee_name"), Dossier.submitted_at, Dossier.due_at, Dossier.at_risk_from,
    Dossier.is_clock_paused, Dossier.outcome, Dossier.calendar_as_of, _first_clock_event.label("clock_started_at"),
    _is_extended.label("is_extended"), _Waiting.waits_for_id,
)


#: Built once, as every statement of a page of rows: building and keying a statement of this
#: size costs about a quarter of a millisecond, on every page.
_FROM = (
    select(*_COLUMNS)
    .join(_ProcedureName, _ProcedureName.id == Dossier.procedure_id)
    .outerjoin(_Assignee, _Assignee.id == Dossier.assigned_to_id)
    .outerjoin(_Waiting, and_(_Waiting.dossier_id == Dossier.id, _Waiting.waits_for_id.is_not(None),
                              _Waiting.released_at.is_(None)))
)
_ROWS = _FROM.where(Dossier.id.in_(bindparam("ids", expanding=True)))


def page_statement(ids: Select[tuple[int]], order: Sequence[Any], *, total: Any = None) -> Select[Any]:
    """One statement for a page of rows: the columns of the dossiers ``ids`` selects (with its
    filters, order and page) in ``order``, and ``total`` (a scalar subquery) as the column
    ``total`` when given. The page's ids are found first, from the filters and the order alone
    (which an index answers), then the columns of those rows only: a database that sorts
    (SQLite over a whole agency) would otherwise compute every column of every row it sorts."""
    statement = _FROM.where(Dossier.id.in_(ids.correlate(None))).order_by(*order)
    return statement if total is None else statement.add_columns(total.label("total"))


def rows_of(stmt: Select[tuple[Dossier]], *, offset: int, limit: int, now: datetime, lang: str) -> list[Row]:
    """The rows of ``stmt`` (a select of dossiers with its filters and order) from ``offset``:
    the page's ids, then their columns (:func:`page_statement` does both in one statement
    where the order is known)."""
    ids = db.session.execute(stmt.with_only_columns(Dossier.id).offset(offset).limit(limit)).scalars().all()
    if not ids:
        return []
    found = {r.id: r for r in db.session.execute(_ROWS, {"ids": list(ids)})}
    return rows_from([found[i] for i in ids], now=now, lang=lang)


def rows_from(records: Sequence[Any], *, now: datetime, lang: str) -> list[Row]:
    """The rows of ``records`` (rows of a statement of :data:`_COLUMNS`)."""
    extended = _replayed([r.id for r in records if r.is_extended and r.outcome is None], now, lang)
    leads = _leads({r.waits_for_id for r in records if r.waits_for_id is not None}, lang)
    rows = []
    for r in records:
        waits_for = leads.get(r.waits_for_id) if r.waits_for_id is not None else None
        waiting = intake_minutes(r.status, r.submitted_at, waits_for is not None, now)
        rows.append(Row(
            code=r.code, channel=r.channel, is_registry_unverified=r.is_registry_unverified,
            procedure_name=r.name_en if lang == "en" else r.name_vi, applicant_name=r.applicant_name,
            status=r.status, status_label=status_label(r.status, lang), has_new_supplement=r.has_new_supplement,
            assignee_name=r.assignee_name,
            deadline=extended[r.id] if r.id in extended else standing(r, now),
            waiting_minutes=waiting, is_intake_late=waiting is not None and waiting >= INTAKE_NORM_MINUTES,
            waits_for=waits_for,
        ))
    return rows


def intake_minutes(status: str, submitted_at: datetime | None, awaits_another: bool, now: datetime) -> int | None:
    """Working minutes a dossier has waited for intake; None when it is not waiting for the
    one-stop-shop (accepted already, or a linked component waiting for another's result: the
    intake norm does not run for it, its agency receives it when that result comes)."""
    if status != Status.SUBMITTED.value or awaits_another or submitted_at is None:
        return None
    return working_calendar().working_minutes_between(from_db(submitted_at), now)


def standing(r: Any, now: datetime) -> Standing | None:
    """The deadline of a row of :data:`_COLUMNS` from its stored columns; None before the clock
    starts."""
    if r.due_at is None:
        return None
    due_at = from_db(r.due_at)
    if r.outcome is not None:
        return Standing(due_at, "closed", outcome=r.outcome)
    if r.status not in _OPEN:
        return Standing(due_at, "stopped")
    if r.is_clock_paused:
        return Standing(due_at, "paused")
    # The calendar the appointment was computed with (``clock.calendar_instant``).
    calendar = working_calendar(as_of=from_db(r.calendar_as_of or r.clock_started_at))
    due, measured = calendar.position(due_at), calendar.position(now)
    if now > due_at:
        status = "overdue"
    elif r.at_risk_from is not None and measured >= calendar.position(from_db(r.at_risk_from)):
        status = "at_risk"
    else:
        status = "within"
    return Standing(due_at, "running", status=status, remaining_minutes=due - measured)


def _replayed(ids: list[int], now: datetime, lang: str) -> dict[int, Any]:
    """The deadlines of extended dossiers, from their ledgers."""
    if not ids:
        return {}
    dossiers = db.session.execute(select(Dossier).where(Dossier.id.in_(ids)).options(selectinload(Dossier.clock))).scalars()
    return {d.id: clock.deadline(d, now=now, lang=lang) for d in dossiers}


def _leads(ids: set[int], lang: str) -> dict[int, Lead]:
    if not ids:
        return {}
    dossiers = db.session.execute(
        select(Dossier).where(Dossier.id.in_(ids)).options(joinedload(Dossier.agency))
    ).scalars()
    key = "name_en" if lang == "en" else "name_vi"
    return {d.id: Lead(d.code or "", d.procedure_snapshot[key], d.agency.name(lang)) for d in dossiers}

