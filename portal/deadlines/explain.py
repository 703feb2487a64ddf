"""The explanation of a deadline computation in words, in Vietnamese and English.

The engine records each step as a small tuple (kind, values…); the words are produced only when
someone reads them (the receipt, the officer's dossier page, the API), because rendering costs
more than the arithmetic. This module has its own string table: it runs without Flask-Babel.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from portal.deadlines.calendar import check_language, weekday_name

if TYPE_CHECKING:
    from portal.deadlines.calendar import WorkingCalendar

Step = tuple[Any, ...]
Table = dict[str, str]

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "received_in_hours": "nhận lúc {at}, trong giờ làm việc → tính từ lúc nhận",
        "received_outside": "nhận lúc {at} → tính từ {start}{days_off}",
        "days": "thời hạn giải quyết {days} ngày làm việc = {total}",
        "hours": "thời hạn giải quyết {total}",
        "same_day_by_cutoff": "thủ tục giải quyết trong ngày, tiếp nhận không muộn hơn {cutoff} → hạn cuối ngày làm việc đó",
        "same_day_after_cutoff": "thủ tục giải quyết trong ngày, tiếp nhận sau {cutoff} → hạn cuối ngày làm việc tiếp theo",
        "discount": "giảm {pct} %: {legal} → {committed} (nộp và nhận kết quả trực tuyến)",
        "no_discount": "không giảm {pct} %: {why}",
        "why_counter": "hồ sơ không nộp trực tuyến",
        "why_delivery": "không nhận kết quả trực tuyến",
        "why_both": "hồ sơ không nộp và không nhận kết quả trực tuyến",
        "why_same_day": "thủ tục giải quyết trong ngày",
        "pause": "tạm dừng từ {start} đến {end}{reason}: {duration} → hạn lùi đến {due}",
        "paused_now": "đang tạm dừng từ {start}{reason}",
        "pause_until_restart": "tạm dừng từ {start} đến {end}{reason}",
        "restart": "tính lại thời hạn từ đầu lúc {at}{reason}: bắt đầu {start} → hạn mới {due}",
        "extend": "gia hạn lúc {at}{reason}: hẹn trả mới {due}; trễ hạn vẫn tính theo hạn {before}",
        "initial_due": "hạn trả kết quả ban đầu: {due}",
        "initial_legal_due": "hạn theo quy định ban đầu: {due}",
        "initial_committed_due": "hạn cam kết ban đầu: {due}",
        "due": "hạn trả kết quả: {due}",
        "legal_due": "hạn theo quy định: {due}",
        "committed_due": "hạn cam kết trả kết quả: {due}",
        "extended_due": "hẹn trả sau gia hạn: {due}",
        "stop": "dừng tính thời hạn lúc {at}{reason}",
        "close": "có kết quả lúc {at}: {outcome} (hạn {due})",
        "close_legal": "so với hạn theo quy định {due}: {outcome}",
        "status_left": "lúc {now}: {status}, còn {duration}",
        "status_overdue": "lúc {now}: quá hạn {duration}",
        "status_overdue_now": "lúc {now}: quá hạn",
        "legal_status_left": "so với hạn theo quy định lúc {now}: {status}, còn {duration}",
        "legal_status_overdue": "so với hạn theo quy định lúc {now}: quá hạn {duration}",
        "legal_status_overdue_now": "so với hạn theo quy định lúc {now}: quá hạn",
        "early": "sớm hạn",
        "on_time": "đúng hạn",
        "late": "trễ hạn",
        "within": "trong hạn",
        "at_risk": "sắp đến hạn",
        "weekend_working_day": " (ngày làm việc bù)",
        "tet_holiday": "nghỉ Tết",
    },
    "en": {
        "received_in_hours": "received {at}, within working hours → counted from receipt",
        "received_outside": "received {at} → counted from {start}{days_off}",
        "days": "processing time {days} working day{plural} = {total}",
        "hours": "processing time {total}",
        "same_day_by_cutoff": "same-day procedure received by {cutoff} → due at the end of that working day",
        "same_day_after_cutoff": "same-day procedure received after {cutoff} → due at the end of the next working day",
        "discount": "{pct} % reduction: {legal} → {committed} (submitted and delivered online)",
        "no_discount": "no {pct} % reduction: {why}",
        "why_counter": "not submitted online",
        "why_delivery": "result not delivered online",
        "why_both": "neither submitted nor delivered online",
        "why_same_day": "same-day procedure",
        "pause": "paused from {start} to {end}{reason}: {duration} → due moves to {due}",
        "paused_now": "paused since {start}{reason}",
        "pause_until_restart": "paused from {start} to {end}{reason}",
        "restart": "clock restarted at {at}{reason}: a full new period from {start} → due {due}",
        "extend": "extended at {at}{reason}: new appointment {due}; lateness still measured against {before}",
        "initial_due": "initial due: {due}",
        "initial_legal_due": "initial legal due: {due}",
        "initial_committed_due": "initial committed due: {due}",
        "due": "due: {due}",
        "legal_due": "legal due: {due}",
        "committed_due": "committed due: {due}",
        "extended_due": "appointment after extension: {due}",
        "stop": "clock stopped at {at}{reason}",
        "close": "result ready {at}: {outcome} (due {due})",
        "close_legal": "against the legal due {due}: {outcome}",
        "status_left": "at {now}: {status}, {duration} left",
        "status_overdue": "at {now}: overdue by {duration}",
        "status_overdue_now": "at {now}: overdue",
        "legal_status_left": "against the legal due at {now}: {status}, {duration} left",
        "legal_status_overdue": "against the legal due at {now}: overdue by {duration}",
        "legal_status_overdue_now": "against the legal due at {now}: overdue",
        "early": "early",
        "on_time": "on time",
        "late": "late",
        "within": "within deadline",
        "at_risk": "at risk",
        "weekend_working_day": " (make-up working day)",
        "tet_holiday": "Tết holiday",
    },
}
# How holidays.VN names the days of the Lunar New Year holiday, so they read as one "Tết".
_TET_MARKERS = {"vi": "Tết Nguyên Đán", "en": "Lunar New Year"}


def moment(dt: datetime, lang: str, calendar: WorkingCalendar) -> str:
    """"16:20 thứ Sáu 13/02/2026" / "16:20 Friday 13/02/2026"."""
    text = f"{dt.hour:02d}:{dt.minute:02d} {weekday_name(dt, lang)} {dt.day:02d}/{dt.month:02d}/{dt.year}"
    if calendar.is_weekend_working_day(dt.date()):
        text += TEXT[lang]["weekend_working_day"]
    return text


def duration(minutes: int, lang: str) -> str:
    """"3 giờ 20 phút" / "3 hours 20 minutes"."""
    hours, rest = divmod(abs(minutes), 60)
    parts = []
    if lang == "vi":
        if hours:
            parts.append(f"{hours} giờ")
        if rest or not hours:
            parts.append(f"{rest} phút")
    else:
        if hours:
            parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
        if rest or not hours:
            parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def working_duration(minutes: int, lang: str) -> str:
    """"56 giờ làm việc" / "56 working hours"; "3 hours 20 minutes of working time"."""
    if lang == "vi":
        return f"{duration(minutes, lang)} làm việc"
    hours, rest = divmod(abs(minutes), 60)
    if hours and not rest:
        return f"{hours} working hour{'s' if hours != 1 else ''}"
    return f"{duration(minutes, lang)} of working time"


def _day_range(first: date, last: date) -> str:
    if first == last:
        return f"{first.day:02d}/{first.month:02d}"
    if first.year != last.year:
        return f"{first.day:02d}/{first.month:02d}/{first.year}–{last.day:02d}/{last.month:02d}/{last.year}"
    if first.month != last.month:
        return f"{first.day:02d}/{first.month:02d}–{last.day:02d}/{last.month:02d}"
    return f"{first.day:02d}–{last.day:02d}/{last.month:02d}"


def _run_label(days: list[date], lang: str, calendar: WorkingCalendar) -> str:
    names: list[str] = []
    for d in days:
        name = calendar.day_off_reason(d, lang) or ""
        if _TET_MARKERS[lang] in name:
            return TEXT[lang]["tet_holiday"]
        if name not in names:
            names.append(name)
    return ", ".join(names)


def days_off_between(first: date, last: date, lang: str, calendar: WorkingCalendar) -> str:
    """The holidays and administrators' days off from ``first`` to ``last`` inclusive, as
    "nghỉ Tết 16–20/02; …"; plain weekends are left out."""
    runs: list[list[date]] = []
    d = first
    while d <= last:
        if calendar.is_public_day_off(d):
            if runs and runs[-1][-1] == d - timedelta(days=1):
                runs[-1].append(d)
            else:
                runs.append([d])
        d += timedelta(days=1)
    return "; ".join(f"{_run_label(run, lang, calendar)} {_day_range(run[0], run[-1])}" for run in runs)


def _reason(reason: str | None) -> str:
    return f" ({reason})" if reason else ""


def _received(t: Table, lang: str, cal: WorkingCalendar, received: datetime, start: datetime) -> list[str]:
    if received == start:
        return [t["received_in_hours"].format(at=moment(received, lang, cal))]
    days_off = days_off_between(received.date(), start.date() - timedelta(days=1), lang, cal)
    return [
        t["received_outside"].format(
            at=moment(received, lang, cal),
            start=moment(start, lang, cal),
            days_off=f" ({days_off})" if days_off else "",
        )
    ]


def _processing(t: Table, lang: str, cal: WorkingCalendar, unit: str, value: int, minutes: int) -> list[str]:
    if unit == "working_days":
        return [t["days"].format(days=value, plural="s" if value != 1 else "", total=working_duration(minutes, lang))]
    return [t["hours"].format(total=working_duration(minutes, lang))]


def _same_day(t: Table, lang: str, cal: WorkingCalendar, cutoff: str, is_by_cutoff: bool) -> list[str]:
    return [t["same_day_by_cutoff" if is_by_cutoff else "same_day_after_cutoff"].format(cutoff=cutoff)]


def _discount(t: Table, lang: str, cal: WorkingCalendar, pct: int, legal: int, committed: int) -> list[str]:
    return [t["discount"].format(pct=pct, legal=working_duration(legal, lang), committed=duration(committed, lang))]


def _no_discount(t: Table, lang: str, cal: WorkingCalendar, pct: int, why: str) -> list[str]:
    return [t["no_discount"].format(pct=pct, why=t[why])]


def _pause(
    t: Table, lang: str, cal: WorkingCalendar, start: datetime, end: datetime, reason: str | None, minutes: int, due: int
) -> list[str]:
    return [
        t["pause"].format(
            start=moment(start, lang, cal),
            end=moment(end, lang, cal),
            reason=_reason(reason),
            duration=working_duration(minutes, lang),
            due=moment(cal.at_position(due), lang, cal),
        )
    ]


def _pause_until_restart(
    t: Table, lang: str, cal: WorkingCalendar, start: datetime, end: datetime, reason: str | None
) -> list[str]:
    return [
        t["pause_until_restart"].format(
            start=moment(start, lang, cal), end=moment(end, lang, cal), reason=_reason(reason)
        )
    ]


def _paused_now(t: Table, lang: str, cal: WorkingCalendar, start: datetime, reason: str | None) -> list[str]:
    return [t["paused_now"].format(start=moment(start, lang, cal), reason=_reason(reason))]


def _restart(
    t: Table, lang: str, cal: WorkingCalendar, at: datetime, reason: str | None, start: int, due: int
) -> list[str]:
    return [
        t["restart"].format(
            at=moment(at, lang, cal),
            reason=_reason(reason),
            start=moment(cal.at_position(start, period_end=False), lang, cal),
            due=moment(cal.at_position(due), lang, cal),
        )
    ]


def _extend(
    t: Table, lang: str, cal: WorkingCalendar, at: datetime, reason: str | None, due: datetime, before: datetime
) -> list[str]:
    return [
        t["extend"].format(
            at=moment(at, lang, cal), reason=_reason(reason), due=moment(due, lang, cal), before=moment(before, lang, cal)
        )
    ]


def _due_lines(t: Table, lang: str, cal: WorkingCalendar, prefix: str, legal: datetime, committed: datetime) -> list[str]:
    if legal == committed:
        return [t[f"{prefix}due"].format(due=moment(committed, lang, cal))]
    return [
        t[f"{prefix}legal_due"].format(due=moment(legal, lang, cal)),
        t[f"{prefix}committed_due"].format(due=moment(committed, lang, cal)),
    ]


def _initial_dues(t: Table, lang: str, cal: WorkingCalendar, legal: int, committed: int) -> list[str]:
    return _due_lines(t, lang, cal, "initial_", cal.at_position(legal), cal.at_position(committed))


def _dues(
    t: Table, lang: str, cal: WorkingCalendar, legal: datetime, committed: datetime, appointment: datetime
) -> list[str]:
    lines = _due_lines(t, lang, cal, "", legal, committed)
    if appointment != committed:
        lines.append(t["extended_due"].format(due=moment(appointment, lang, cal)))
    return lines


def _stop(t: Table, lang: str, cal: WorkingCalendar, at: datetime, reason: str | None) -> list[str]:
    return [t["stop"].format(at=moment(at, lang, cal), reason=_reason(reason))]


def _close(t: Table, lang: str, cal: WorkingCalendar, at: datetime, outcome: str, due: datetime) -> list[str]:
    return [t["close"].format(at=moment(at, lang, cal), outcome=t[outcome], due=moment(due, lang, cal))]


def _close_legal(t: Table, lang: str, cal: WorkingCalendar, outcome: str, due: datetime) -> list[str]:
    return [t["close_legal"].format(outcome=t[outcome], due=moment(due, lang, cal))]


def _status(
    t: Table, lang: str, cal: WorkingCalendar, prefix: str, now: datetime, status: str, remaining: int
) -> list[str]:
    """``prefix`` is "status" for the committed due, "legal_status" for the legal one."""
    values = {"now": moment(now, lang, cal), "duration": working_duration(remaining, lang)}
    if status != "overdue":
        return [t[f"{prefix}_left"].format(status=t[status], **values)]
    return [t[f"{prefix}_overdue" if remaining else f"{prefix}_overdue_now"].format(**values)]


_RENDERERS: dict[str, Callable[..., list[str]]] = {
    "received": _received,
    "processing": _processing,
    "same_day": _same_day,
    "discount": _discount,
    "no_discount": _no_discount,
    "pause": _pause,
    "pause_until_restart": _pause_until_restart,
    "paused_now": _paused_now,
    "restart": _restart,
    "extend": _extend,
    "initial_dues": _initial_dues,
    "dues": _dues,
    "stop": _stop,
    "close": _close,
    "close_legal": _close_legal,
    "status": _status,
}


def render(steps: Iterable[Step], lang: str, calendar: WorkingCalendar) -> list[str]:
    """The steps as lines of text in ``lang`` ("vi" or "en")."""
    check_language(lang)
    table = TEXT[lang]
    lines: list[str] = []
    for kind, *values in steps:
        lines.extend(_RENDERERS[kind](table, lang, calendar, *values))
    return lines
