"""Time limits of a dossier besides its processing time (issue 16), in working days of the
working calendar, per procedure with the portal's defaults.

1. **Supplement** (*thời hạn bổ sung hồ sơ*): a supplement request (slip 02, Mẫu số 02 of Thông tư
   03/2025/TT-VPCP, annex I) gives the citizen until :func:`supplement_limit` to send what it
   lists; the slip and the citizen's page say until when, a reminder goes out
   ``SUPPLEMENT_REMINDER_WORKING_DAYS`` before it (``flask supplements remind``), and once it has
   passed the one-stop-shop may close the dossier as not supplemented: not accepted (slip 03) when
   it had not been accepted yet, stopped (slip 05) otherwise. Nghị định 118/2025/NĐ-CP, which the
   slips implement, has the one-stop-shop ask for a supplement once and in full; it sets no
   number of days that holds for every procedure, so the number is each procedure's own (from
   its specialised legal text, entered by the administrator), and
   ``SUPPLEMENT_WORKING_DAYS`` — our service norm, not a legal figure — where none is entered.
2. **Extension** (slip 04): a new appointment proposed with an apology may lie at most
   :func:`extension_working_days` working days after the current one (``MAX_EXTENSION_WORKING_DAYS``
   by default, again our norm): a date typed by mistake years ahead is refused with a message,
   not computed.

Until the one-stop-shop closes it, a supplement sent late is still taken: the limit lets the
agency close, it does not shut the citizen out by itself.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from portal.catalog.service import working_calendar
from portal.dossiers.models import Dossier
from portal.dossiers.states import Status
from portal.extensions import db
from portal.notifications.operations import queue_dossier_notification
from portal.timeutil import from_db, to_db


def supplement_working_days(dossier: Dossier) -> int:
    return dossier.procedure_snapshot.get("supplement_days") or current_app.config["SUPPLEMENT_WORKING_DAYS"]


def extension_working_days(dossier: Dossier) -> int:
    return dossier.procedure_snapshot.get("max_extension_days") or current_app.config["MAX_EXTENSION_WORKING_DAYS"]


def _after_working_days(start: datetime, days: int) -> datetime:
    calendar = working_calendar()
    return calendar.add_working_minutes(start, days * calendar.minutes_per_day)


def supplement_limit(dossier: Dossier, requested_at: datetime) -> datetime:
    """Until when the citizen may send the supplement asked for at ``requested_at`` (slip 02,
    Mẫu 02 of Thông tư 03/2025/TT-VPCP): the procedure's working days, or the portal's norm."""
    return _after_working_days(requested_at, supplement_working_days(dossier))


def reminder_from(dossier: Dossier) -> datetime | None:
    """From when the citizen is reminded of a supplement still missing: the given number of
    working days before its time limit (at the latest, when the request was made)."""
    due = from_db(dossier.supplement_due_at)
    if due is None:
        return None
    calendar = working_calendar()
    before = current_app.config["SUPPLEMENT_REMINDER_WORKING_DAYS"] * calendar.minutes_per_day
    return calendar.at_position(calendar.position(due) - before)


def latest_extension(dossier: Dossier) -> datetime | None:
    """The latest new appointment an extension may set: the allowed working days after the
    current appointment; None while there is no appointment (before acceptance)."""
    due = from_db(dossier.due_at)
    return None if due is None else _after_working_days(due, extension_working_days(dossier))


def is_supplement_late(dossier: Dossier, now: datetime) -> bool:
    """The time limit of the supplement asked for has passed without it."""
    due = from_db(dossier.supplement_due_at)
    return due is not None and now > due


def remind_supplements(now: datetime) -> list[str]:
    """Remind each citizen whose supplement is due within the reminder window (once per
    request, by the outbox: email and SMS); returns the codes of the dossiers reminded.

    A dossier asked before time limits existed gets one now, counted from ``now``, and is told
    at once. Each reminder is claimed by an update of the row that only one run can make, so two
    runs at the same moment never remind twice; the claim does not count as a change of the
    dossier (no version bump), so it never gets in the way of an officer acting on it.
    """
    waiting = db.session.execute(
        select(Dossier)
        .where(Dossier.status == Status.SUPPLEMENT_REQUESTED.value, Dossier.supplement_reminded_at.is_(None))
        .order_by(Dossier.supplement_due_at, Dossier.id)
    ).scalars().all()
    reminded = []
    for dossier in waiting:
        if dossier.supplement_due_at is None:
            dossier.supplement_due_at = to_db(supplement_limit(dossier, now))
            db.session.flush()
        elif not reminder_from(dossier) <= now <= from_db(dossier.supplement_due_at):
            continue
        claimed = db.session.execute(
            update(Dossier)
            .where(Dossier.id == dossier.id, Dossier.supplement_reminded_at.is_(None))
            .values(supplement_reminded_at=to_db(now))
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            queue_dossier_notification(dossier, "supplement_reminder")
            reminded.append(dossier.code)
    db.session.flush()
    return reminded
