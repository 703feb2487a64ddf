"""Re-planning open dossiers after a change to the working calendar (issue 16).

An appointment is a promise: it is computed with the calendar standing when it was given
(``clock.calendar_instant``) and a calendar exception made later does not move it. An
administrator may decide that open dossiers follow the new calendar: ``preview`` shows which
appointments would move and by how much; ``replan`` moves the ones that go later (never one
earlier), each by the ``replan`` transition — an event on the dossier's timeline and a
notification of the new appointment to the citizen.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.auth.models import User
from portal.catalog.service import ExceptionRow, exception_rows, standing_at, working_calendar
from portal.deadlines import VN_TZ, WorkingCalendar
from portal.dossiers.models import Dossier
from portal.dossiers.states import OPEN_STATES
from portal.extensions import db
from portal.i18n import day as day_text, gettext as _
from portal.i18n import moment
from portal.timeutil import from_db
from portal.workflow import clock
from portal.workflow.transitions import apply_transition


@dataclass(frozen=True)
class Move:
    """How the appointment of one open dossier would change under the calendar standing now."""

    dossier: Dossier
    current: datetime
    planned: datetime
    working_minutes: int  # positive: later
    changes: tuple[ExceptionRow, ...]  # the exceptions made or withdrawn since it was promised

    @property
    def is_later(self) -> bool:
        return self.planned > self.current

    def working_days(self, calendar: WorkingCalendar) -> float:
        return self.working_minutes / calendar.minutes_per_day


def _changes_since(instant: datetime | None, now: datetime) -> tuple[ExceptionRow, ...]:
    if instant is None:
        return ()
    return tuple(row for row in exception_rows() if standing_at(row, instant) != standing_at(row, now))


def _open_dossiers() -> list[Dossier]:
    return list(db.session.execute(
        select(Dossier)
        .where(Dossier.status.in_([s.value for s in OPEN_STATES]), Dossier.due_at.is_not(None))
        .options(selectinload(Dossier.clock))
        .order_by(Dossier.due_at, Dossier.id)
    ).scalars())


def preview(now: datetime | None = None) -> list[Move]:
    """Every open dossier whose appointment the calendar standing ``now`` would move."""
    now = now or datetime.now(VN_TZ)
    calendar = working_calendar(as_of=now)
    moves = []
    for dossier in _open_dossiers():
        instant = clock.calendar_instant(dossier)
        changes = _changes_since(instant, now)
        if not changes:
            continue
        planned = clock.deadline(dossier, calendar=calendar)
        current = from_db(dossier.due_at)
        if planned is None or current is None or planned.due_at == current:
            continue
        minutes = calendar.working_minutes_between(current, planned.due_at) if planned.due_at > current \
            else -calendar.working_minutes_between(planned.due_at, current)
        moves.append(Move(dossier, current, planned.due_at, minutes, changes))
    return moves


def _day_phrase(row: ExceptionRow, now: datetime) -> str:
    day, is_working, reference, _created, _deleted = row
    when = day_text(day)
    if not standing_at(row, now):
        return _("%(day)s is no longer an exception (%(reference)s)", day=when, reference=reference)
    if is_working:
        return _("%(day)s is a working day (%(reference)s)", day=when, reference=reference)
    return _("%(day)s is a day off (%(reference)s)", day=when, reference=reference)


def public_note(move: Move, now: datetime) -> str:
    """What the citizen reads on the timeline and in the notification."""
    reasons = "; ".join(_day_phrase(row, now) for row in move.changes)
    return _("The working calendar changed: %(reasons)s. Your appointment moves from %(old)s to %(new)s.",
             reasons=reasons, old=moment(move.current), new=moment(move.planned))


def replan(actor: User, now: datetime | None = None) -> tuple[list[Move], list[Move]]:
    """Move the appointments the calendar standing now puts later; keep those it would bring
    earlier. Returns (moved, kept)."""
    now = now or datetime.now(VN_TZ)
    moved, kept = [], []
    for move in preview(now):
        if not move.is_later:
            kept.append(move)
            continue
        apply_transition(move.dossier, "replan", actor, public_note=public_note(move, now), now=now,
                         planned_due_at=move.planned)
        moved.append(move)
    return moved, kept

