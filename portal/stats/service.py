"""Quality indicators of the portal (DESIGN §7; Quyết định 766/QĐ-TTg), computed in SQL.

1. A :class:`Scope` says which dossiers count: a period of Vietnam dates, and optionally an
   agency and a procedure. ``parse_scope`` reads it from a query string for the pages and the
   API alike, refusing a bad value with the name of the parameter.
2. Every figure belongs to one of three *bases*, named next to it on the page:

   - **received** — dossiers submitted in the period (``submitted_at``): intake, channels,
     fees and payment, reuse of data;
   - **open** — of those, the ones accepted and still being processed, by how they stand
     against their deadline *now* (within, at risk, overdue, clock paused);
   - **completed** — dossiers whose result was ready in the period (``completed_at``, the
     leader's approval that closes the clock): outcomes, processing time, electronic results,
     the early-return discount and the citizens' ratings of them.

3. Each basis is read with **one** ``GROUP BY procedure, month`` query whose columns are the
   conditional counts of :data:`MEASURES` (``count(*) FILTER (WHERE …)``) and a few sums. The
   totals, the monthly trend and the per-procedure table are sums of these few grouped cells
   (at most procedures × months of them), so the three always agree; no dossier row ever
   reaches Python. Months are bucketed by comparing the stored UTC time with each month's
   bounds computed in Python, which is the same SQL on SQLite and PostgreSQL.
4. What cannot be summed is asked separately: the median processing time (counted per
   distinct value, then a running total in a window query).
   Whatever would need more than the dossier row is stored on it when it happens (working
   minutes with the outcome, the register-data flag and the attachment counts at submission,
   the rating's score), and on PostgreSQL two covering indexes hold every column read (``STATS_SUBMITTED``,
   ``STATS_COMPLETED`` in ``dossiers.models``): a year of an agency is an index-only scan.
5. :func:`dossiers_behind` lists the dossiers one measure counts, with the very condition the
   aggregate used, so a number and its drill-down never disagree.

Times are stored naive UTC; a period's bounds are midnight in Asia/Ho_Chi_Minh.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, case, cast, func, or_, select, text

from portal.catalog.models import Procedure
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.payments.models import Refund
from portal.dossiers.states import OPEN_STATES, Status
from portal.stats.linked import LinkedFigures, linked_figures
from portal.stats.scope import Month, Scope, midnight
from portal.timeutil import from_db, utcnow

D = Dossier
WORKING_MINUTES_PER_DAY = 8 * 60  # the calendar's working day (DESIGN §5: 07:30–11:30, 13:00–17:00)
SATISFIED_SCORES = (4, 5)


# --- what is counted -------------------------------------------------------------------------

Condition = Callable[[datetime], ColumnElement[bool] | None]


@dataclass(frozen=True)
class Measure:
    """A count of dossiers: those of ``basis`` in the scope that meet ``condition(now)``."""

    key: str
    basis: str  # received | open | completed
    condition: Condition
    label: Any


def _is_open() -> ColumnElement[bool]:
    """Accepted (the clock has started) and not finished, stopped or withdrawn."""
    return and_(D.status.in_([s.value for s in OPEN_STATES]), D.accepted_at.is_not(None))


def _running() -> ColumnElement[bool]:
    return D.is_clock_paused.is_(False)


_MEASURE_LIST = (
    Measure("received", "received", lambda now: None, _l("Received")),
    Measure("accepted", "received", lambda now: D.accepted_at.is_not(None), _l("Accepted")),
    Measure("not_accepted", "received", lambda now: D.status == Status.NOT_ACCEPTED.value, _l("Not accepted")),
    Measure("withdrawn", "received", lambda now: D.status == Status.WITHDRAWN.value, _l("Withdrawn by the citizen")),
    Measure("stopped", "received", lambda now: D.status == Status.STOPPED.value, _l("Processing stopped")),
    Measure("waiting_intake", "received",
            lambda now: and_(D.accepted_at.is_(None),
                             D.status.in_([Status.SUBMITTED.value, Status.SUPPLEMENT_REQUESTED.value])),
            _l("Not yet accepted")),
    Measure("online", "received", lambda now: D.channel == "online", _l("Submitted online")),
    # Nghị định 42/2022/NĐ-CP and DESIGN §2: information, submission, processing and payment
    # online (or nothing to pay), the result returned online or by public post.
    Measure("full_process", "received",
            lambda now: and_(D.channel == "online", or_(D.fee_amount == 0, D.payment_status == "paid"),
                             D.delivery.in_(("online", "post"))),
            _l("Full-process online")),
    Measure("with_fee", "received", lambda now: D.fee_amount > 0, _l("With a fee")),
    Measure("paid_online", "received", lambda now: and_(D.fee_amount > 0, D.payment_status == "paid"),
            _l("Fee paid online")),
    Measure("registry_data", "received", lambda now: D.has_registry_data.is_(True),
            _l("Applicant data from the population register")),
    Measure("open", "open", lambda now: None, _l("Open now")),
    Measure("within", "open", lambda now: and_(_running(), D.at_risk_from > now), _l("Within the deadline")),
    Measure("at_risk", "open", lambda now: and_(_running(), D.at_risk_from <= now, D.due_at >= now), _l("At risk")),
    Measure("overdue", "open", lambda now: and_(_running(), D.due_at < now), _l("Overdue")),
    Measure("paused", "open", lambda now: D.is_clock_paused.is_(True), _l("Clock paused (waiting for the citizen)")),
    Measure("completed", "completed", lambda now: None, _l("Completed")),
    Measure("early", "completed", lambda now: D.outcome == "early",
            _l("Completed early")),
    Measure("on_time", "completed", lambda now: D.outcome == "on_time",
            _l("Completed on time")),
    Measure("late", "completed", lambda now: D.outcome == "late",
            _l("Completed late")),
    Measure("legal_early", "completed", lambda now: D.legal_outcome == "early",
            _l("Completed early")),
    Measure("legal_on_time", "completed", lambda now: D.legal_outcome == "on_time",
            _l("Completed on time")),
    Measure("legal_late", "completed", lambda now: D.legal_outcome == "late",
            _l("Completed late")),
    Measure("e_result", "completed",
            lambda now: and_(D.delivery == "online", D.result_document_id.is_not(None)),
            _l("Result returned as a signed e-document")),
    Measure("time_saved", "completed", lambda now: D.working_minutes_saved > 0,
            _l("Returned earlier thanks to the online discount")),
    Measure("rated", "completed", lambda now: D.rating_score.is_not(None), _l("Rated")),
    *(Measure(f"rating_{n}", "completed", lambda now, n=n: D.rating_score == n, label)
      for n, label in ((1, _l("1 star")), (2, _l("2 stars")), (3, _l("3 stars")), (4, _l("4 stars")), (5, _l("5 stars")))),
)
MEASURES: dict[str, Measure] = {m.key: m for m in _MEASURE_LIST}


def _basis_time(basis: str):
    return D.completed_at if basis == "completed" else D.submitted_at


def _in_scope(stmt: Select[Any], scope: Scope, basis: str) -> Select[Any]:
    start, end = scope.bounds
    column = _basis_time(basis)
    stmt = stmt.where(column >= start, column < end)
    if basis == "open":
        stmt = stmt.where(_is_open())
    if scope.agency is not None:
        stmt = stmt.where(D.agency_id == scope.agency.id)
    if scope.procedure is not None:
        stmt = stmt.where(D.procedure_id == scope.procedure.id)
    return stmt


# --- figures ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ratio:
    """``numerator`` of ``denominator``; ``rate`` is None when there is nothing to divide."""

    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(100 * self.rate, 1)

    def as_json(self) -> dict[str, Any]:
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "rate": None if self.rate is None else round(self.rate, 4),
        }


@dataclass
class Counts:
    """The counts of every measure of one basis (and its sums) for a cell, a row or the total."""

    values: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int:
        return self.values.get(key, 0)

    def add(self, other: Counts) -> None:
        for key, value in other.values.items():
            self.values[key] = self.values.get(key, 0) + value

    def ratio(self, numerator: str, denominator: str) -> Ratio:
        return Ratio(self[numerator], self[denominator])


def _cube(scope: Scope, basis: str, now: datetime) -> dict[tuple[int, str], Counts]:
    """One pass over the basis: every measure counted per (procedure id, month key)."""
    months = scope.months
    column = _basis_time(basis)
    bucket = case(*((column < midnight(m.last + timedelta(days=1)), m.key) for m in months)).label("month")
    columns: list[Any] = [D.procedure_id, bucket]
    for measure in MEASURES.values():
        if measure.basis != basis:
            continue
        condition = measure.condition(now)
        counted = func.count() if condition is None else func.count().filter(condition)
        columns.append(counted.label(measure.key))
    if basis == "received":
        columns += [
            func.coalesce(func.sum(D.attachment_count), 0).label("attachments"),
            func.coalesce(func.sum(D.reused_attachment_count), 0).label("reused_attachments"),
        ]
    elif basis == "completed":
        columns += [
            func.coalesce(func.sum(D.working_minutes_used), 0).label("minutes_used"),
            func.count(D.working_minutes_used).label("timed"),
            func.coalesce(func.sum(D.working_minutes_saved), 0).label("minutes_saved"),
            func.coalesce(func.sum(D.rating_score), 0).label("score_sum"),
        ]
    stmt = _in_scope(select(*columns), scope, basis)
    cells: dict[tuple[int, str], Counts] = {}
    for row in db.session.execute(stmt.group_by(D.procedure_id, bucket)).mappings():
        values = {key: int(value) for key, value in row.items() if key not in ("procedure_id", "month")}
        cells[(row["procedure_id"], row["month"])] = Counts(values)
    return cells


@dataclass(frozen=True)
class RefundFigures:
    """Fees owed back in the period (refunds that fell due) and fees paid back in it."""

    due: int
    due_amount: int
    refunded: int
    refunded_amount: int


def _refunds(scope: Scope) -> RefundFigures:
    start, end = scope.bounds
    fell_due = and_(Refund.created_at >= start, Refund.created_at < end)
    paid_back = and_(Refund.refunded_at >= start, Refund.refunded_at < end)
    stmt = select(
        func.count().filter(fell_due), func.coalesce(func.sum(case((fell_due, Refund.amount), else_=0)), 0),
        func.count().filter(paid_back), func.coalesce(func.sum(case((paid_back, Refund.amount), else_=0)), 0),
    ).select_from(Refund).join(D, Refund.dossier_id == D.id)
    if scope.agency is not None:
        stmt = stmt.where(D.agency_id == scope.agency.id)
    if scope.procedure is not None:
        stmt = stmt.where(D.procedure_id == scope.procedure.id)
    return RefundFigures(*(int(value) for value in db.session.execute(stmt).one()))


def _median_minutes(scope: Scope) -> float | None:
    """The median working minutes used by the dossiers completed in the scope: the middle one,
    or the mean of the middle two. Counted per distinct value first (a few thousand of them),
    then the running total finds the middle positions — the same SQL on both databases."""
    values = _in_scope(
        select(D.working_minutes_used.label("minutes"), func.count().label("n"))
        .where(D.working_minutes_used.is_not(None)),
        scope,
        "completed",
    ).group_by(D.working_minutes_used).subquery()
    running = select(
        values.c.minutes,
        values.c.n,
        func.sum(values.c.n).over(order_by=values.c.minutes).label("upto"),
        # An integer on both databases (PostgreSQL sums bigints into numeric): halves are floored.
        cast(func.sum(values.c.n).over(), Integer).label("total"),
    ).subquery()
    # The value at position p is the one whose running total first reaches p.
    at = [(running.c.total + 1) // 2, (running.c.total + 2) // 2]
    middle = select(running.c.minutes).where(
        or_(*(and_(running.c.upto >= p, running.c.upto - running.c.n < p) for p in at))
    )
    found = [int(m) for m in db.session.execute(middle).scalars()]
    if not found:
        return None
    return sum(found) / len(found)


@dataclass(frozen=True)
class ScoreGroup:
    """One group of the Decision 766 index: a 0–100 score, its weight and how it was computed."""

    key: str
    label: Any
    weight: int
    score: float | None
    formula: Any

    @property
    def points(self) -> float | None:
        return None if self.score is None else round(self.score * self.weight / 100, 2)


@dataclass(frozen=True)
class ProcedureRow:
    procedure: Procedure
    received: Counts
    completed: Counts


@dataclass(frozen=True)
class MonthRow:
    month: Month
    received: Counts
    completed: Counts


@dataclass(frozen=True)
class Indicators:
    """Every figure of the dashboard for one scope, measured at ``now`` (open dossiers)."""

    scope: Scope
    now: datetime
    received: Counts
    completed: Counts
    months: list[MonthRow]
    procedures: list[ProcedureRow]
    median_minutes: float | None
    refunds: RefundFigures
    linked: LinkedFigures = LinkedFigures()  # linked dossiers as groups (issue 21)

    # -- rates (DESIGN §7) -------------------------------------------------------------------

    @property
    def rates(self) -> dict[str, Ratio]:
        r, c = self.received, self.completed
        return {
            "online": r.ratio("online", "received"),
            "full_process": r.ratio("full_process", "received"),
            "online_payment": r.ratio("paid_online", "with_fee"),
            "e_result": c.ratio("e_result", "completed"),
            "registry_data": r.ratio("registry_data", "received"),
            # Nghị định 45/2020/NĐ-CP: no asking again for a document the citizen's store holds.
            "document_reuse": r.ratio("reused_attachments", "attachments"),
            "on_time": Ratio(c["early"] + c["on_time"], c["completed"]),
            "legal_on_time": Ratio(c["legal_early"] + c["legal_on_time"], c["completed"]),
        }

    @property
    def average_days(self) -> float | None:
        timed = self.completed["timed"]
        return self.completed["minutes_used"] / timed / WORKING_MINUTES_PER_DAY if timed else None

    @property
    def median_days(self) -> float | None:
        return None if self.median_minutes is None else self.median_minutes / WORKING_MINUTES_PER_DAY

    @property
    def days_saved(self) -> float:
        return self.completed["minutes_saved"] / WORKING_MINUTES_PER_DAY

    @property
    def rating_average(self) -> float | None:
        rated = self.completed["rated"]
        return self.completed["score_sum"] / rated if rated else None

    @property
    def satisfied(self) -> Ratio:
        return Ratio(sum(self.completed[f"rating_{n}"] for n in SATISFIED_SCORES), self.completed["rated"])

    @property
    def scores(self) -> list[ScoreGroup]:
        """The groups of Quyết định 766/QĐ-TTg the portal can measure, each 0–100.

        The decision weighs six groups (publicity 18, progress 20, online service 12, online
        payment 10, satisfaction 18, digitization 22 points); publicity is about published
        procedure information, not dossiers, so it is not scored here. Each group's score is
        the portal's reading of the decision's indicators from the figures above; a group
        without any dossier to measure has no score (not zero).
        """
        rates = self.rates

        def mean(*ratios: Ratio) -> float | None:
            known = [r.rate for r in ratios if r.rate is not None]
            return round(100 * sum(known) / len(known), 1) if known else None

        return [
            ScoreGroup("progress", _l("Progress of processing"), 20, mean(rates["on_time"]),
                       _l("100 × (completed early + on time) ÷ completed, against the committed due time")),
            ScoreGroup("online_service", _l("Online service"), 12, mean(rates["online"], rates["full_process"]),
                       _l("100 × (online rate + full-process rate) ÷ 2")),
            ScoreGroup("online_payment", _l("Online payment"), 10, mean(rates["online_payment"]),
                       _l("100 × fees paid online ÷ dossiers with a fee")),
            ScoreGroup("digitization", _l("Digitization"), 22,
                       mean(rates["e_result"], rates["registry_data"], rates["document_reuse"]),
                       _l("100 × (e-result rate + population-data reuse rate + document reuse rate) ÷ 3")),
            ScoreGroup("satisfaction", _l("Satisfaction"), 18, mean(self.satisfied),
                       _l("100 × ratings of 4 or 5 stars ÷ all ratings")),
        ]


def compute_indicators(scope: Scope, now: datetime | None = None) -> Indicators:
    """Every figure of the dashboard for ``scope``; open dossiers are measured at ``now``
    (naive UTC as stored, default: now). The page, the CSV exports and the API all call this."""
    now = now or utcnow()
    if db.session.get_bind().dialect.name == "postgresql":
        # A year of a large agency is a few hundred thousand narrow index rows to group and sort:
        # in memory rather than spilled to disk, and not worth JIT-compiling (~100 ms a query).
        # Planned for the very period and agency asked: psycopg prepares a statement run five
        # times, and PostgreSQL's generic plan for it (blind to the bounds) was twice as slow.
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
        db.session.execute(text("SET LOCAL jit = off"))
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    received_total, completed_total = Counts(), Counts()
    by_month = {m.key: MonthRow(m, Counts(), Counts()) for m in scope.months}
    by_procedure: dict[int, tuple[Counts, Counts]] = {}
    # Open dossiers are counted with the received ones (same basis, measured now).
    for basis, total, side in (("received", received_total, 0), ("open", received_total, 0),
                               ("completed", completed_total, 1)):
        for (procedure_id, month), counts in _cube(scope, basis, now).items():
            total.add(counts)
            (by_month[month].received, by_month[month].completed)[side].add(counts)
            by_procedure.setdefault(procedure_id, (Counts(), Counts()))[side].add(counts)
    procedures = {
        p.id: p for p in db.session.execute(select(Procedure).where(Procedure.id.in_(list(by_procedure)))).scalars()
    }
    procedure_rows = sorted(
        (ProcedureRow(procedures[pid], *counts) for pid, counts in by_procedure.items()),
        key=lambda row: (-row.received["received"], row.procedure.code),
    )
    return Indicators(
        scope=scope,
        now=now,
        received=received_total,
        completed=completed_total,
        months=list(by_month.values()),
        procedures=procedure_rows,
        median_minutes=_median_minutes(scope),
        refunds=_refunds(scope),
        linked=linked_figures(scope),
    )


def dossiers_behind(scope: Scope, key: str, now: datetime | None = None) -> Select[tuple[Dossier]]:
    """The dossiers measure ``key`` counts in ``scope``, newest first (the drill-down)."""
    measure = MEASURES[key]
    condition = measure.condition(now or utcnow())
    stmt = select(D)
    if condition is not None:
        stmt = stmt.where(condition)
    return _in_scope(stmt, scope, measure.basis).order_by(_basis_time(measure.basis).desc(), D.id.desc())


# --- JSON (the API) --------------------------------------------------------------------------

def _counts(counts: Counts, keys: Iterable[str]) -> dict[str, int]:
    return {key: counts[key] for key in keys}


RECEIVED_KEYS = ("received", "accepted", "not_accepted", "withdrawn", "stopped", "waiting_intake", "online",
                 "full_process", "with_fee", "paid_online", "registry_data")
OPEN_KEYS = ("open", "within", "at_risk", "overdue", "paused")
COMPLETED_KEYS = ("completed", "early", "on_time", "late", "e_result", "time_saved")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _breakdown(row: Any) -> dict[str, int]:
    """The counts a month or a procedure row of the JSON carries."""
    return {
        "received": row.received["received"],
        "online": row.received["online"],
        "completed": row.completed["completed"],
        "early_or_on_time": row.completed["early"] + row.completed["on_time"],
        "late": row.completed["late"],
    }


def as_json(indicators: Indicators) -> dict[str, Any]:
    """The figures as the API serves them (schema ``Stats`` in openapi.yaml); averages and
    days are rounded to 2 decimals, rates to 4."""
    scope, r, c = indicators.scope, indicators.received, indicators.completed
    return {
        "scope": {
            "from": scope.date_from.isoformat(),
            "to": scope.date_to.isoformat(),
            "agency": scope.agency.code if scope.agency else None,
            "procedure": scope.procedure.code if scope.procedure else None,
        },
        "measured_at": from_db(indicators.now).replace(microsecond=0).isoformat(),
        "received": _counts(r, RECEIVED_KEYS),
        "open": _counts(r, OPEN_KEYS),
        "completed": {
            **_counts(c, COMPLETED_KEYS),
            "legal": {"early": c["legal_early"], "on_time": c["legal_on_time"], "late": c["legal_late"]},
            "processing_days": {"average": _round(indicators.average_days), "median": _round(indicators.median_days)},
            "working_days_saved": _round(indicators.days_saved),
        },
        "rates": {key: ratio.as_json() for key, ratio in indicators.rates.items()},
        "satisfaction": {
            "ratings": c["rated"],
            "average": _round(indicators.rating_average),
            "distribution": {str(n): c[f"rating_{n}"] for n in range(1, 6)},
            "satisfied": indicators.satisfied.as_json(),
        },
        "refunds": dataclasses.asdict(indicators.refunds),
        "linked_groups": dataclasses.asdict(indicators.linked),
        "scores": [
            {"group": g.key, "score": g.score, "weight": g.weight, "points": g.points, "formula": str(g.formula)}
            for g in indicators.scores
        ],
        "months": [{"month": row.month.key, **_breakdown(row)} for row in indicators.months],
        "procedures": [
            {"code": row.procedure.code, "name": {"vi": row.procedure.name_vi, "en": row.procedure.name_en},
             **_breakdown(row)}
            for row in indicators.procedures
        ],
    }
