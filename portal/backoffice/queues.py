"""Work queues of the back office: which dossiers each role has to act on, filtered and
sorted by the time left (earliest due first), one agency at a time."""
from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, func, literal_column, select, union_all

from portal.auth.models import User
from portal.catalog.models import Procedure
from portal.dossiers.models import Dossier
from portal.dossiers.states import OPEN_STATES, Status, sql_literals
from portal.backoffice.rows import Row, intake_minutes, page_statement, rows_from, written
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.timeutil import parse_day, to_db
from portal.workflow.linked import awaited

S = Status


@dataclass(frozen=True)
class Queue:
    key: str
    label: Any
    statuses: frozenset[Status]
    only_mine: bool = False
    only_new_supplements: bool = False
    only_supplement_late: bool = False  # the supplement's time limit has passed (portal.workflow.limits)


QUEUES: dict[str, Queue] = {
    q.key: q
    for q in (
        Queue("intake", _l("Waiting for intake"), frozenset({S.SUBMITTED})),
        Queue("supplements", _l("Supplements received"), frozenset({S.SUBMITTED, S.ACCEPTED, S.IN_PROCESS}),
              only_new_supplements=True),
        Queue("unsupplemented", _l("Supplement time limit passed"), frozenset({S.SUPPLEMENT_REQUESTED}),
              only_supplement_late=True),
        Queue("to_assign", _l("To assign"), frozenset({S.ACCEPTED})),
        Queue("mine", _l("My dossiers"), frozenset({S.IN_PROCESS, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED}),
              only_mine=True),
        Queue("approval", _l("Waiting for approval"), frozenset({S.PENDING_APPROVAL})),
        Queue("returns", _l("Results to return"), frozenset({S.RESULT_READY, S.SHIPPED})),
        Queue("all", _l("All dossiers"), frozenset(s for s in Status if s is not S.DRAFT)),
    )
}

#: The queues each role works from, in the order of its day: the navigation lists them so, and
#: an officer signing in lands on the first that has work (``landing_queue``).
ROLE_QUEUES: dict[str, tuple[str, ...]] = {
    "intake": ("intake", "supplements", "unsupplemented", "to_assign", "returns", "all"),
    "specialist": ("mine", "supplements", "all"),
    "leader": ("approval", "to_assign", "all"),
    "admin": ("all",),
}

DEADLINE_STATES = ("within", "at_risk", "overdue")
#: A queue's size is counted up to this many: beyond it the officer filters rather than pages,
#: and counting every finished dossier of a busy agency on each page view would cost more
#: than the page itself.
COUNT_CAP = 1000


@dataclass(frozen=True)
class Filters:
    procedure: str = ""
    status: str = ""
    channel: str = ""
    deadline: str = ""
    date_from: date | None = None
    date_to: date | None = None
    #: The date filters given that are not a day of 2000–2100: not applied, and said so.
    refused: tuple[str, ...] = ()

    #: The query-string names of the filters, as the queue's form sends them.
    NAMES = ("procedure", "status", "channel", "deadline", "from", "to")

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        def day(name: str) -> date | None:
            return parse_day(args.get(name))

        return cls(
            procedure=args.get("procedure", "")[:40],
            status=args.get("status", "") if args.get("status", "") in {s.value for s in Status} else "",
            channel=args.get("channel", "") if args.get("channel", "") in ("online", "counter", "post") else "",
            deadline=args.get("deadline", "") if args.get("deadline", "") in DEADLINE_STATES else "",
            date_from=day("from"),
            date_to=day("to"),
            refused=tuple(name for name in ("from", "to") if args.get(name) and day(name) is None),
        )

    def as_args(self) -> dict[str, str]:
        """The filters set, as query-string values (links, pagination, what is remembered)."""
        values = (self.procedure, self.status, self.channel, self.deadline,
                  self.date_from.isoformat() if self.date_from else "", self.date_to.isoformat() if self.date_to else "")
        return {name: value for name, value in zip(self.NAMES, values, strict=True) if value}


def queues_for(officer: User) -> list[Queue]:
    return [QUEUES[key] for key in ROLE_QUEUES.get(officer.role or "", ())]


def landing_queue(officer: User) -> Queue:
    """The first of the officer's queues with a dossier in it, or the first of them when all
    are empty: an officer starts the day on work, never on an empty list."""
    mine = [q for q in queues_for(officer) if q.key != "all"]
    sizes = counts(mine, officer)
    return next((q for q in mine if sizes[q.key]), mine[0] if mine else QUEUES["all"])


# The queues' statements are built once per queue and set of filters, with the officer, the time
# and the filters' values as parameters (:func:`_parameters`): building and keying them on every
# page cost about 0.8 ms of a page's CPU (measured alone: counts 0.35, page 0.18, rows 0.25).

def _status_in(statuses: Iterable[Status]) -> ColumnElement[bool]:
    """``status IN ('accepted', …)`` with the states written into the statement built once,
    instead of a list of parameters that SQLAlchemy expands again on every execution (its
    post-compile step, about 0.1 ms of a queue page's CPU with the navigation's counts)."""
    return Dossier.status.in_([literal_column(value) for value in sql_literals(statuses)])


def _membership(queue: Queue, statuses: Iterable[Status] | None = None) -> ColumnElement[bool]:
    """What puts one of the officer's agency's dossiers in ``queue`` (those of ``statuses`` only,
    when given)."""
    conditions = [_status_in(queue.statuses if statuses is None else statuses)]
    if queue.only_mine:
        conditions.append(Dossier.assigned_to_id == bindparam("officer_id"))
    if queue.only_new_supplements:
        conditions.append(Dossier.has_new_supplement.is_(True))
    if queue.only_supplement_late:
        conditions.append(Dossier.supplement_due_at < bindparam("now"))
    return and_(*conditions)


def _parameters(officer: User, now: datetime, filters: Filters | None = None) -> dict[str, Any]:
    """The values of the statements' parameters: the officer's, the time (as stored) and the filters'."""
    values: dict[str, Any] = {"agency_id": officer.agency_id, "officer_id": officer.id, "now": to_db(now)}
    if filters is not None:
        values.update(
            procedure=filters.procedure, status=filters.status, channel=filters.channel,
            submitted_from=to_db(datetime.combine(filters.date_from, datetime.min.time())) if filters.date_from else None,
            submitted_before=(to_db(datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time()))
                              if filters.date_to else None),
        )
    return values


class _Shape(NamedTuple):
    """Which filters are set (a statement's shape; their values are parameters). The deadline
    filter's own value changes the statement too."""

    procedure: bool
    status: bool
    channel: bool
    deadline: str
    date_from: bool
    date_to: bool

    @classmethod
    def of(cls, filters: Filters) -> _Shape:
        return cls(bool(filters.procedure), bool(filters.status), bool(filters.channel), filters.deadline,
                   filters.date_from is not None, filters.date_to is not None)


def _filtered(stmt: Select[Any], filters: _Shape) -> Select[Any]:
    """``stmt`` with the filters set in ``filters``."""
    if filters.procedure:
        stmt = stmt.join(Dossier.procedure).where(Procedure.code == bindparam("procedure"))
    if filters.status:
        stmt = stmt.where(Dossier.status == bindparam("status"))
    if filters.channel:
        stmt = stmt.where(Dossier.channel == bindparam("channel"))
    if filters.deadline:  # only a running clock can be within, at risk or overdue (not a paused one)
        stmt = stmt.where(_status_in(OPEN_STATES), Dossier.is_clock_paused.is_(False))
    if filters.deadline == "overdue":
        stmt = stmt.where(Dossier.due_at < bindparam("now"))
    elif filters.deadline == "at_risk":
        stmt = stmt.where(Dossier.at_risk_from <= bindparam("now"), Dossier.due_at >= bindparam("now"))
    elif filters.deadline == "within":
        stmt = stmt.where(Dossier.at_risk_from > bindparam("now"))
    if filters.date_from:
        stmt = stmt.where(Dossier.submitted_at >= bindparam("submitted_from"))
    if filters.date_to:
        stmt = stmt.where(Dossier.submitted_at < bindparam("submitted_before"))
    return stmt


@cache
def _counts_statement(keys: tuple[str, ...]) -> Select[Any]:
    """One count per queue, each over its own states' range of the index on agency and state (an
    index-only scan): at 1,000,000 dossiers 0.40-0.46 ms for an intake officer's five queues, where
    one pass over the agency's open dossiers testing every queue's condition on each took
    0.75-0.89 ms (3,800 rows, each tested five times)."""
    return select(*(
        select(func.count()).where(Dossier.agency_id == bindparam("agency_id"), _membership(QUEUES[key]))
        .scalar_subquery().label(key)
        for key in keys
    ))


def counts(queues: list[Queue], officer: User) -> dict[str, int]:
    """The size of each of ``queues`` for the navigation, in one round trip."""
    if not queues:
        return {}
    statement = _counts_statement(tuple(q.key for q in queues))
    return dict(db.session.execute(statement, _parameters(officer, datetime.now(UTC))).one()._mapping)


class _Listing(NamedTuple):
    count: Select[tuple[int]]  # the queue's size, up to COUNT_CAP + 1
    page: Select[Any]  # a page of its rows
    counted_page: Select[Any]  # the same, with the size as the column ``total``: one round trip


_ORDER = (Dossier.due_at.asc().nulls_last(), Dossier.submitted_at, Dossier.id)


def _ranges(queue: Queue, shape: _Shape) -> list[frozenset[Status]]:
    """The states whose dossiers a page of ``queue`` reads as separate ranges of the index on
    agency, state and order: each state alone, unless the state is filtered (one range, its value
    a parameter); with a deadline filter only the states whose clock can run."""
    held = queue.statuses & OPEN_STATES if shape.deadline else queue.statuses
    if shape.status or not held:
        return [queue.statuses]
    return [frozenset({status}) for status in Status if status in held]


@cache
def _listing(key: str, shape: _Shape, *, size: int, cap: int, first_page: bool) -> _Listing:
    """The statements of queue ``key`` with the filters of ``shape`` set, pages of ``size`` rows,
    counted up to ``cap`` + 1.

    A page is the first rows of each of the queue's states, merged: each state's dossiers of the
    agency lie in the queue's order in ``ix_dossiers_agency_status``, so every range is read from
    its start and the page never depends on the planner guessing where the queue's dossiers lie
    among the agency's (at 1,000,000 dossiers one walk in due order took 9 ms for "all" in an
    agency holding a tenth of them, and 32-178 ms for "results to return", whose dossiers come
    after 360,000 returned ones: migration 0012). The page's size, the cap and the first page's
    (absent) offset are written into the statements: the agency and the filters' values are their
    only parameters, so PostgreSQL plans a first page once per connection (a generic plan, once
    psycopg has prepared it) instead of on every view (0.6 ms of the statement's 1.1 ms)."""
    queue = QUEUES[key]

    def ids(statuses: frozenset[Status]) -> Select[Any]:
        return _filtered(
            select(Dossier.id).where(Dossier.agency_id == bindparam("agency_id"), _membership(queue, statuses)), shape
        )

    count = select(func.count()).select_from(
        ids(queue.statuses).limit(written(cap + 1)).correlate(None).subquery())
    # Each range reads as far as the page reaches: its size, or offset + size on later pages.
    reach = written(size) if first_page else bindparam("reach", type_=Integer)
    ranges = [ids(statuses).add_columns(Dossier.due_at, Dossier.submitted_at).order_by(*_ORDER).limit(reach)
              .subquery() for statuses in _ranges(queue, shape)]
    merged = union_all(*(select(r) for r in ranges)).subquery() if len(ranges) > 1 else ranges[0]
    page_ids = (select(merged.c.id)
                .order_by(merged.c.due_at.asc().nulls_last(), merged.c.submitted_at, merged.c.id)
                .limit(written(size)))
    if not first_page:
        page_ids = page_ids.offset(bindparam("offset", type_=Integer))
    return _Listing(count, page_statement(page_ids, _ORDER),
                    page_statement(page_ids, _ORDER, total=count.scalar_subquery()))


def page_of(queue: Queue, officer: User, filters: Filters, page: int, size: int, *, now: datetime, lang: str,
            known_total: int | None = None) -> tuple[list[Row], int]:
    """One page of the queue's rows, earliest due first (not yet accepted: oldest submission
    first), and the queue's size up to :data:`COUNT_CAP` + 1 (``known_total`` when the caller
    has it: the navigation's count of an unfiltered queue), in one round trip.

    The order matches the index on agency, state and ``due_at`` (NULLS LAST is PostgreSQL's own
    order), so the first page of a million dossiers is read from the index, not sorted, for a
    small agency as for a large one (:func:`_listing`); the count reads ids only, which the same
    covering index answers without the table.
    """
    listing = _listing(queue.key, _Shape.of(filters), size=size, cap=COUNT_CAP, first_page=page == 1)
    values = {**_parameters(officer, now, filters), "offset": (page - 1) * size, "reach": page * size}
    if known_total is not None:
        return rows_from(db.session.execute(listing.page, values).all(), now=now, lang=lang), known_total
    records = db.session.execute(listing.counted_page, values).all()
    # A page past the end has no row to carry the size.
    total = records[0].total if records else db.session.execute(listing.count, values).scalar_one()
    return rows_from(records, now=now, lang=lang), total


def specialists_with_workload(officer: User) -> list[tuple[User, int]]:
    """The enabled specialists of the officer's agency by name, each with the number of open
    dossiers assigned to them (what a leader weighs before assigning one more)."""
    open_dossiers = (
        select(func.count())
        .where(Dossier.assigned_to_id == User.id, Dossier.status.in_([s.value for s in OPEN_STATES]))
        .correlate(User)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(User, open_dossiers)
        .where(User.agency_id == officer.agency_id, User.role == "specialist", User.is_enabled)
        .order_by(User.full_name, User.username)
    )
    return [(user, count) for user, count in rows]


def intake_wait(dossier: Dossier, now: datetime) -> int | None:
    """:func:`~portal.backoffice.rows.intake_minutes` of a loaded dossier (its own page)."""
    return intake_minutes(dossier.status, dossier.submitted_at, awaited(dossier) is not None, now)
