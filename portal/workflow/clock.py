"""The processing clock of a dossier: ledger entries in, due times out (DESIGN §5).

Due times are a pure function of the ledger and the calendar (``portal.deadlines``); after
every clock event the derived values are stored on the dossier (``due_at``, ``legal_due_at``,
``at_risk_from``…) so the queues can filter and sort in SQL.

The calendar is the one standing when the appointment was promised (``calendar_instant``: the
acceptance, or the administrator's re-plan), so that recomputing gives the stored appointment
on every screen and a calendar exception made later never moves a promise silently.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.auth.models import User
from portal.catalog.service import working_calendar
from portal.deadlines import (
    ClockEvent,
    ClockEventKind,
    DeadlineResult,
    ProcessingTime,
    WorkingCalendar,
    compute_deadline,
)
from portal.dossiers.models import ClockEntry, Dossier
from portal.extensions import db
from portal.timeutil import from_db, to_db

AT_RISK_SHARE = 0.2  # "at risk" when at most 20 % of the working time is left (DESIGN §5)


def ledger(dossier: Dossier) -> list[ClockEvent]:
    return [
        ClockEvent(ClockEventKind(entry.kind), from_db(entry.at), reason=entry.reason or None, due_at=from_db(entry.due_at))
        for entry in dossier.clock
    ]


def calendar_instant(dossier: Dossier) -> datetime | None:
    """The instant whose working calendar the dossier's appointment is computed with."""
    if dossier.calendar_as_of is not None:
        return from_db(dossier.calendar_as_of)
    return from_db(dossier.clock[0].at) if dossier.clock else None


def calendar_of(dossier: Dossier) -> WorkingCalendar:
    return working_calendar(as_of=calendar_instant(dossier))


def deadline(dossier: Dossier, now: datetime | None = None, lang: str = "vi",
             calendar: WorkingCalendar | None = None) -> DeadlineResult | None:
    """The dossier's due times from its ledger; None before the clock starts (not accepted).

    With the dossier's own calendar unless ``calendar`` is given (a re-plan's preview)."""
    events = ledger(dossier)
    if not events:
        return None
    return compute(
        events, dossier.procedure_snapshot, dossier.channel, dossier.delivery, calendar or calendar_of(dossier),
        now=now, lang=lang,
    )


def compute(events: list[ClockEvent], snapshot: dict[str, Any], channel: str, delivery: str | None,
            calendar: WorkingCalendar, *, now: datetime | None = None, lang: str = "vi") -> DeadlineResult:
    """Due times of a ledger under the rules of a procedure snapshot (the dossier's version)."""
    return compute_deadline(
        events,
        calendar,
        ProcessingTime(snapshot["processing_value"], snapshot["processing_unit"]),
        discount_pct=snapshot["discount_pct"],
        is_online_submission=channel == "online",
        is_online_delivery=delivery == "online",
        supplement_policy=snapshot["supplement_policy"],
        now=now,
        lang=lang,
    )


def record(dossier: Dossier, kind: ClockEventKind, at: datetime, actor: User | None, *, reason: str = "",
           due_at: datetime | None = None) -> None:
    """Append a clock event and store the due times it leads to."""
    entry = ClockEntry(kind=kind.value, at=to_db(at), due_at=to_db(due_at), reason=reason, actor_id=actor.id if actor else None)
    dossier.clock.append(entry)
    db.session.flush()
    refresh(dossier)


def refresh(dossier: Dossier) -> None:
    result = deadline(dossier)
    if result is None:
        return
    for name, value in stored_values(result, calendar_of(dossier)).items():
        setattr(dossier, name, value)


def stored_values(result: DeadlineResult, calendar: WorkingCalendar) -> dict[str, Any]:
    """The columns of ``dossiers`` derived from a deadline result, as stored (naive UTC).

    Once the clock is closed this includes the outcomes and the working minutes used and saved
    (``DeadlineResult.used_minutes``/``saved_minutes``), so the statistics aggregate stored
    numbers in SQL instead of replaying every ledger against the calendar.
    """
    # From this instant no more than 20 % of the period's working time is left.
    left = int(result.committed_minutes * AT_RISK_SHARE)
    values: dict[str, Any] = {
        "due_at": to_db(result.due_at),
        "legal_due_at": to_db(result.legal_due_at),
        "is_clock_paused": result.state == "paused",
        "at_risk_from": to_db(calendar.at_position(calendar.position(result.due_at) - left)),
    }
    if result.closed_at is not None:
        values.update(
            outcome=result.outcome,
            legal_outcome=result.legal_outcome,
            working_minutes_used=result.used_minutes,
            working_minutes_saved=result.saved_minutes,
        )
    return values
