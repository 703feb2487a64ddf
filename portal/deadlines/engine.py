"""Due times of a dossier from its clock ledger (DESIGN §5).

1. The clock starts at the receipt (START): a time outside working hours counts from the start
   of the next working period (Nghị định 118/2025/NĐ-CP on the one-stop shop; Thông tư
   03/2025/TT-VPCP on the receipt and appointment slips).
2. Legal due time = clock start + the procedure's processing time in working hours (days × the
   calendar's hours a day). Same-day procedures: received by 15:00 → end of that working day,
   later → end of the next working day.
3. Committed due time: with the procedure's early-return discount d, when the dossier is both
   submitted and delivered online, ⌊hours × (100 − d) / 100⌋ working hours, at least one.
4. The ledger then moves the due times: PAUSE…RESUME by the paused working time, RESTART starts a
   full new period, EXTEND sets a new appointment (slip 04) while lateness keeps counting against
   the due time before it, STOP and CLOSE end the clock.
5. The outcome is measured when the result is ready (CLOSE), or, for an open dossier, at ``now``.

Everything works on working-minute positions of the :class:`WorkingCalendar`, so a computation is
a handful of bisections; the explanation is kept as steps and put into words on demand.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from portal.deadlines.calendar import VN_TZ, WorkingCalendar, check_language, to_local
from portal.deadlines.explain import Step, render

PROCESSING_UNITS = ("working_days", "working_hours", "same_day")
SUPPLEMENT_POLICIES = ("pause", "restart")
CHANNELS = ("online", "counter", "post")
DELIVERIES = ("online", "post", "counter")
MAX_DISCOUNT_PCT = 20
SAME_DAY_CUTOFF_MINUTE = 15 * 60
_SAME_DAY_CUTOFF_TEXT = f"{SAME_DAY_CUTOFF_MINUTE // 60:02d}:{SAME_DAY_CUTOFF_MINUTE % 60:02d}"
AT_RISK_PCT = 20


class LedgerError(ValueError):
    """The clock ledger is not a valid sequence of events; the message says which event and why."""


class DeadlineInputError(ValueError):
    """A value given to compute a deadline is malformed; ``parameter`` names the offending input."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class ProcessingTime:
    """A procedure's processing time (*thời hạn giải quyết*): ``value`` working days or working
    hours, or a same-day procedure (``unit="same_day"``, value 0 or 1)."""

    value: int
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in PROCESSING_UNITS:
            raise ValueError(f"unknown processing unit {self.unit!r}; expected one of {', '.join(PROCESSING_UNITS)}")
        if self.unit == "same_day":
            if self.value not in (0, 1):
                raise ValueError("a same-day processing time has value 1 (or 0)")
        elif self.value < 1:
            raise ValueError(f"a processing time in {self.unit} must be at least 1, not {self.value}")

    @property
    def is_same_day(self) -> bool:
        return self.unit == "same_day"

    def working_minutes(self, minutes_per_day: int) -> int:
        """The legal processing time in working minutes (days × the calendar's working day)."""
        if self.is_same_day:
            raise ValueError("a same-day procedure's working time depends on the clock start")
        return self.value * (minutes_per_day if self.unit == "working_days" else 60)


def committed_minutes(legal_minutes: int, discount_pct: int) -> int:
    """⌊hours × (100 − d) / 100⌋ whole working hours, at least one (DESIGN §5, early-return
    discount for dossiers submitted and delivered online)."""
    return max(1, legal_minutes * (100 - discount_pct) // 100 // 60) * 60


class ClockEventKind(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    RESTART = "restart"
    EXTEND = "extend"
    STOP = "stop"
    CLOSE = "close"


# Enum members looked up once: attribute access on an Enum class is slow in the hot loop.
_START, _PAUSE, _RESUME, _RESTART, _EXTEND, _STOP, _CLOSE = ClockEventKind


@dataclass(frozen=True)
class ClockEvent:
    """One entry of a dossier's clock ledger. ``due_at`` is the new appointment of an EXTEND."""

    kind: ClockEventKind
    at: datetime
    reason: str | None = None
    due_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ClockEventKind(self.kind))
        if (self.kind is ClockEventKind.EXTEND) != (self.due_at is not None):
            raise LedgerError("an EXTEND event, and only an EXTEND event, carries the new due_at")


@dataclass(frozen=True, slots=True)
class DeadlineResult:
    """Due times, outcome and explanation of one dossier's clock (DESIGN §5).

    ``clock_start``, ``working_minutes`` (legal) and ``committed_minutes`` are those of the
    current period (after the last RESTART); ``paused_minutes`` is all the paused working time.
    ``discount_pct`` is the discount applied: 0 when the dossier does not qualify, and for
    same-day procedures, whose committed due time is the legal one. ``pre_extension_due_at`` is
    the committed due time lateness is measured against; ``due_at`` is the appointment, later
    than it after an EXTEND. ``outcome``/``legal_outcome`` (early, on_time, late) are set once
    CLOSEd, with ``used_minutes`` (working time from the receipt to the close, paused time left
    out) and ``saved_minutes`` (the part of the early-return discount the citizen actually got:
    how far before the legal due time the result was ready, at most the discount);
    ``status``/``legal_status`` (within, at_risk, overdue) and the remaining working
    minutes are set for an open clock when ``now`` is given: overdue once ``now`` is after the due
    time, when the remaining minutes are zero (no working time since) or negative (working time
    past due). A paused clock is measured at the start of its pause. ``steps`` are rendered by
    :attr:`explanation` (in ``lang``) or :meth:`explain`.
    """

    received_at: datetime
    clock_start: datetime
    processing_time: ProcessingTime
    working_minutes: int
    committed_minutes: int
    discount_pct: int
    legal_due_at: datetime
    pre_extension_due_at: datetime
    due_at: datetime
    paused_minutes: int
    state: str
    steps: tuple[Step, ...] = field(repr=False, compare=False)
    calendar: WorkingCalendar = field(repr=False, compare=False)
    restarted_at: datetime | None = None
    closed_at: datetime | None = None
    stopped_at: datetime | None = None
    outcome: str | None = None
    legal_outcome: str | None = None
    status: str | None = None
    legal_status: str | None = None
    remaining_minutes: int | None = None
    legal_remaining_minutes: int | None = None
    used_minutes: int | None = None
    saved_minutes: int | None = None
    lang: str = "vi"

    @property
    def is_extended(self) -> bool:
        return self.due_at != self.pre_extension_due_at

    @property
    def explanation(self) -> list[str]:
        """The steps of the computation in words, in ``lang``."""
        return self.explain(self.lang)

    def explain(self, lang: str) -> list[str]:
        return render(self.steps, lang, self.calendar)


def _outcome(done_at: datetime, due_at: datetime) -> str:
    """Early before the due working day, on time on it and not after the due time, else late."""
    if done_at.date() < due_at.date():
        return "early"
    return "on_time" if done_at <= due_at else "late"


def _status(at: datetime, due_at: datetime, remaining: int, total: int) -> str:
    if at > due_at:
        return "overdue"
    return "at_risk" if remaining * 100 <= AT_RISK_PCT * total else "within"


def _check_rules(discount_pct: int, supplement_policy: str, lang: str) -> None:
    if not 0 <= discount_pct <= MAX_DISCOUNT_PCT:
        raise ValueError(f"discount_pct must be 0–{MAX_DISCOUNT_PCT}, not {discount_pct}")
    if supplement_policy not in SUPPLEMENT_POLICIES:
        raise ValueError(f"unknown supplement policy {supplement_policy!r}")
    check_language(lang)


def compute_deadline(
    events: Sequence[ClockEvent],
    calendar: WorkingCalendar,
    processing_time: ProcessingTime,
    *,
    discount_pct: int = 0,
    is_online_submission: bool = False,
    is_online_delivery: bool = False,
    supplement_policy: str = "pause",
    now: datetime | None = None,
    lang: str = "vi",
) -> DeadlineResult:
    """Due times of a dossier: a pure function of its ledger and the calendar (DESIGN §5).

    The ledger begins with START (the receipt, Nghị định 118/2025/NĐ-CP) and its events are in
    time order. RESTART is only valid under the ``restart`` supplement policy. Raises
    :class:`LedgerError` on an invalid ledger.
    """
    _check_rules(discount_pct, supplement_policy, lang)
    if not events or events[0].kind is not _START:
        raise LedgerError("the ledger must begin with START")
    position = calendar.position
    received_at = to_local(events[0].at)
    is_same_day = processing_time.is_same_day
    qualifies = is_online_submission and is_online_delivery
    applied_pct = discount_pct if qualifies and not is_same_day else 0
    if is_same_day:
        fixed_legal = fixed_committed = 0
    else:
        fixed_legal = processing_time.working_minutes(calendar.minutes_per_day)
        fixed_committed = committed_minutes(fixed_legal, applied_pct) if applied_pct else fixed_legal

    def open_period(start: int) -> tuple[int, int, datetime, bool]:
        """(legal minutes, committed minutes, clock start, received by the same-day cut-off)."""
        clock_start = calendar.at_position(start, period_end=False)
        if not is_same_day:
            return fixed_legal, fixed_committed, clock_start, False
        is_by_cutoff = clock_start.hour * 60 + clock_start.minute <= SAME_DAY_CUTOFF_MINUTE
        day_end = (calendar.day_index(start) + (1 if is_by_cutoff else 2)) * calendar.minutes_per_day
        return day_end - start, day_end - start, clock_start, is_by_cutoff

    start = received = position(received_at)
    legal_minutes, promised_minutes, clock_start, is_by_cutoff = open_period(start)
    legal_due, committed_due = start + legal_minutes, start + promised_minutes
    steps: list[Step] = [("received", received_at, clock_start)]
    if is_same_day:
        steps.append(("same_day", _SAME_DAY_CUTOFF_TEXT, is_by_cutoff))
        if discount_pct and qualifies:
            steps.append(("no_discount", discount_pct, "why_same_day"))
    else:
        steps.append(("processing", processing_time.unit, processing_time.value, fixed_legal))
    if applied_pct:
        steps.append(("discount", applied_pct, fixed_legal, fixed_committed))
    elif discount_pct and not qualifies:
        if is_online_submission:
            why = "why_delivery"
        else:
            why = "why_counter" if is_online_delivery else "why_both"
        steps.append(("no_discount", discount_pct, why))
    steps_before_ledger = len(steps)
    initial_dues = ("initial_dues", legal_due, committed_due)

    state = "running"
    previous_at = received_at
    paused_at: datetime | None = None
    paused_from = 0
    pause_reason: str | None = None
    paused_minutes = 0
    # The appointment set by the last EXTEND and the paused working time since, which moves it.
    extended_to: datetime | None = None
    shift_since_extension = 0
    restarted_at: datetime | None = None
    closed_at: datetime | None = None
    stopped_at: datetime | None = None

    def appointment() -> datetime:
        if extended_to is None:
            return calendar.at_position(committed_due)
        return calendar.add_working_minutes(extended_to, shift_since_extension) if shift_since_extension else extended_to

    for event in events[1:]:
        kind = event.kind
        at = to_local(event.at)
        if state in ("stopped", "closed"):
            raise LedgerError(f"{kind.name} at {at.isoformat()} after the clock was {state}")
        if at < previous_at:
            raise LedgerError(f"{kind.name} at {at.isoformat()} is before the previous event at {previous_at.isoformat()}")
        previous_at = at
        if kind is _PAUSE:
            if state == "paused":
                raise LedgerError(f"PAUSE at {at.isoformat()} while already paused")
            state, paused_at, paused_from, pause_reason = "paused", at, position(at), event.reason
        elif kind is _RESUME:
            if state != "paused":
                raise LedgerError(f"RESUME at {at.isoformat()} without a PAUSE")
            delta = position(at) - paused_from
            legal_due += delta
            committed_due += delta
            shift_since_extension += delta
            paused_minutes += delta
            steps.append(("pause", paused_at, at, pause_reason, delta, committed_due))
            state = "running"
        elif kind is _RESTART:
            if supplement_policy != "restart":
                raise LedgerError(f"RESTART at {at.isoformat()} but the supplement policy is {supplement_policy!r}")
            start = position(at)
            if state == "paused":
                paused_minutes += start - paused_from
                steps.append(("pause_until_restart", paused_at, at, pause_reason))
            legal_minutes, promised_minutes, clock_start, is_by_cutoff = open_period(start)
            legal_due, committed_due = start + legal_minutes, start + promised_minutes
            extended_to, shift_since_extension = None, 0
            state, restarted_at = "running", at
            steps.append(("restart", at, event.reason, start, committed_due))
        elif kind is _EXTEND:
            assert event.due_at is not None
            new_due, current = to_local(event.due_at), appointment()
            if new_due <= current:
                raise LedgerError(f"EXTEND at {at.isoformat()} must set an appointment after {current.isoformat()}")
            steps.append(("extend", at, event.reason, new_due, calendar.at_position(committed_due)))
            extended_to, shift_since_extension = new_due, 0
        elif kind is _STOP:
            state, stopped_at = "stopped", at
            steps.append(("stop", at, event.reason))
        elif kind is _CLOSE:
            if state == "paused":
                raise LedgerError(f"CLOSE at {at.isoformat()} while the clock is paused; RESUME it first")
            state, closed_at = "closed", at
        else:
            raise LedgerError(f"START at {at.isoformat()}: a ledger has only one START")

    legal_due_at = calendar.at_position(legal_due)
    committed_due_at = legal_due_at if committed_due == legal_due else calendar.at_position(committed_due)
    due_at = committed_due_at if extended_to is None else appointment()
    if len(steps) > steps_before_ledger:
        steps.insert(steps_before_ledger, initial_dues)
    steps.append(("dues", legal_due_at, committed_due_at, due_at))
    if state == "paused":
        steps.append(("paused_now", paused_at, pause_reason))
    outcome = legal_outcome = status = legal_status = remaining = legal_remaining = None
    used = saved = None
    if closed_at is not None:
        outcome, legal_outcome = _outcome(closed_at, committed_due_at), _outcome(closed_at, legal_due_at)
        done = position(closed_at)
        used = done - received - paused_minutes
        saved = min(legal_due - committed_due, max(0, legal_due - done))
        steps.append(("close", closed_at, outcome, committed_due_at))
        if legal_due != committed_due:
            steps.append(("close_legal", legal_outcome, legal_due_at))
    elif now is not None and state != "stopped":
        now_at = to_local(now)
        if now_at < previous_at:
            raise LedgerError(f"now ({now_at.isoformat()}) is before the last event at {previous_at.isoformat()}")
        # A paused clock stands still: it is measured where it stopped.
        if paused_at is not None and state == "paused":
            measured_at, measured = paused_at, paused_from
        else:
            measured_at, measured = now_at, position(now_at)
        remaining, legal_remaining = committed_due - measured, legal_due - measured
        status = _status(measured_at, committed_due_at, remaining, promised_minutes)
        legal_status = _status(measured_at, legal_due_at, legal_remaining, legal_minutes)
        steps.append(("status", "status", now_at, status, remaining))
        if legal_due != committed_due:
            steps.append(("status", "legal_status", now_at, legal_status, legal_remaining))

    return DeadlineResult(
        received_at=received_at,
        clock_start=clock_start,
        processing_time=processing_time,
        working_minutes=legal_minutes,
        committed_minutes=promised_minutes,
        discount_pct=applied_pct,
        legal_due_at=legal_due_at,
        pre_extension_due_at=committed_due_at,
        due_at=due_at,
        paused_minutes=paused_minutes,
        state=state,
        restarted_at=restarted_at,
        closed_at=closed_at,
        stopped_at=stopped_at,
        outcome=outcome,
        legal_outcome=legal_outcome,
        status=status,
        legal_status=legal_status,
        remaining_minutes=remaining,
        legal_remaining_minutes=legal_remaining,
        used_minutes=used,
        saved_minutes=saved,
        lang=lang,
        steps=tuple(steps),
        calendar=calendar,
    )


# A "+" left unencoded in a URL query arrives as a space: "2026-02-13T16:20 07:00".
_SPACED_OFFSET = re.compile(r"^(.+T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_iso(value: str, parameter: str = "received_at") -> datetime:
    """An ISO 8601 date and time, aware; without an offset it is Asia/Ho_Chi_Minh time.

    Raises :class:`DeadlineInputError` naming ``parameter`` when ``value`` is not one.
    """
    text = (value or "").strip()
    if not text:
        raise DeadlineInputError(parameter, f"{parameter} is missing; give an ISO 8601 date and time")
    text = _SPACED_OFFSET.sub(r"\1+\2", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise DeadlineInputError(
            parameter, f"{parameter}: {value!r} is not an ISO 8601 date and time such as 2026-02-13T16:20+07:00"
        ) from None
    if len(text) <= 10:
        raise DeadlineInputError(parameter, f"{parameter}: {value!r} has no time of day")
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        # Holiday rules (and time zones) are only known for modern years.
        raise DeadlineInputError(parameter, f"{parameter}: {value!r} is not between {FIRST_YEAR} and {LAST_YEAR}")
    return parsed.replace(tzinfo=VN_TZ) if parsed.tzinfo is None else parsed


def parse_pause(value: str, parameter: str = "pause") -> tuple[datetime, datetime]:
    """A pause written "START/END" (two ISO 8601 times); the end must not be before the start."""
    parts = (value or "").split("/")
    if len(parts) != 2:
        raise DeadlineInputError(parameter, f"{parameter}: {value!r} is not START/END, two ISO 8601 times")
    start, end = (parse_iso(part, parameter) for part in parts)
    if end < start:
        raise DeadlineInputError(parameter, f"{parameter}: {value!r} ends before it starts")
    return start, end


def _iso(dt: datetime) -> str:
    return to_local(dt).isoformat()


def _hours(minutes: int) -> int | float:
    return minutes // 60 if minutes % 60 == 0 else round(minutes / 60, 2)


def deadline_report(
    processing_time: ProcessingTime,
    discount_pct: int,
    received_at: datetime,
    channel: str,
    delivery: str,
    pauses: Sequence[tuple[datetime, datetime]],
    calendar: WorkingCalendar,
    lang: str = "vi",
    *,
    supplement_policy: str = "pause",
) -> dict[str, Any]:
    """The deadline of a receipt as the API and the ``deadline`` command print it (issue 3).

    Each pause is (start, end); under the ``restart`` supplement policy its end restarts the
    period, as a supplement would. Working hours are a whole number unless a same-day period is
    not (then rounded to 0.01 h). Raises :class:`DeadlineInputError` naming the parameter.
    """
    if channel not in CHANNELS:
        raise DeadlineInputError("channel", f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
    if delivery not in DELIVERIES:
        raise DeadlineInputError("delivery", f"delivery must be one of {', '.join(DELIVERIES)}, not {delivery!r}")
    events = [ClockEvent(ClockEventKind.START, received_at)]
    end_kind = ClockEventKind.RESTART if supplement_policy == "restart" else ClockEventKind.RESUME
    previous_end = received_at
    for number, (start, end) in enumerate(sorted(pauses), start=1):
        if end < start:
            raise DeadlineInputError("pause", f"pause {number} ends before it starts")
        if start < previous_end:
            what = "received_at" if number == 1 else f"the end of pause {number - 1}"
            raise DeadlineInputError("pause", f"pause {number} starts before {what}")
        events += [ClockEvent(ClockEventKind.PAUSE, start), ClockEvent(end_kind, end)]
        previous_end = end
    result = compute_deadline(
        events,
        calendar,
        processing_time,
        discount_pct=discount_pct,
        is_online_submission=channel == "online",
        is_online_delivery=delivery == "online",
        supplement_policy=supplement_policy,
        lang=lang,
    )
    return {
        "received_at": _iso(result.received_at),
        "clock_start": _iso(result.clock_start),
        "working_hours": _hours(result.working_minutes),
        "discount_pct": result.discount_pct,
        "committed_working_hours": _hours(result.committed_minutes),
        "legal_due_at": _iso(result.legal_due_at),
        "due_at": _iso(result.due_at),
        "explanation": result.explanation,
    }
