"""Dossier states and the national status codes they map to (DESIGN §2, §4).

Internal states may be finer than the national ones; each maps to exactly one code 1–10.
"""
from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from enum import StrEnum

from flask_babel import force_locale

from portal.i18n import lazy_gettext as _l, locale_language


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    IN_PROCESS = "in_process"
    PENDING_APPROVAL = "pending_approval"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    PAYMENT_REQUESTED = "payment_requested"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    RESULT_READY = "result_ready"
    SHIPPED = "shipped"
    RETURNED = "returned"


NATIONAL_CODES: dict[Status, int | None] = {
    Status.DRAFT: None,
    Status.SUBMITTED: 1,
    Status.ACCEPTED: 2,
    Status.NOT_ACCEPTED: 3,
    Status.IN_PROCESS: 4,
    Status.PENDING_APPROVAL: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.PAYMENT_REQUESTED: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.RESULT_READY: 9,
    Status.SHIPPED: 9,
    Status.RETURNED: 10,
}

LABELS = {
    Status.DRAFT: _l("Draft (not submitted)"),
    Status.SUBMITTED: _l("Submitted, waiting for intake"),
    Status.ACCEPTED: _l("Accepted"),
    Status.NOT_ACCEPTED: _l("Not accepted"),
    Status.IN_PROCESS: _l("Being processed"),
    Status.PENDING_APPROVAL: _l("Being processed, waiting for the leader's approval"),
    Status.SUPPLEMENT_REQUESTED: _l("Supplement requested"),
    Status.PAYMENT_REQUESTED: _l("Payment requested"),
    Status.WITHDRAWN: _l("Withdrawn by the citizen"),
    Status.STOPPED: _l("Processing stopped"),
    Status.RESULT_READY: _l("Processed, result ready"),
    Status.SHIPPED: _l("Processed, result sent by post"),
    Status.RETURNED: _l("Result returned"),
}


def national_code(status: str) -> int | None:
    return NATIONAL_CODES[Status(status)]


#: The labels translated, per language: a table of dossiers names a status on every row, and
#: the catalogs do not change while the process runs.
_TRANSLATED: dict[str, dict[str, str]] = {}


def status_label(status: str, lang: str | None = None) -> str:
    """The status in words, in ``lang`` (the request's language when not given)."""
    if lang is None:
        lang = locale_language() or ""  # outside an application: the English message ids
    labels = _TRANSLATED.get(lang)
    if labels is None:
        with force_locale(lang) if lang else nullcontext():
            labels = _TRANSLATED.setdefault(lang, {s.value: str(label) for s, label in LABELS.items()})
    return labels[Status(status).value]


def sql_literals(statuses: Iterable[Status]) -> list[str]:
    """The states as SQL string literals (``'accepted'``), sorted: the code's own constants,
    written into SQL where a parameter cannot stand (an index's predicate) or would be expanded
    again on every execution (a queue's list of states)."""
    values = sorted(s.value for s in statuses)
    if not all(value.isidentifier() for value in values):  # quotes could not be written in one
        raise ValueError(f"not a state's name: {values!r}")
    return [f"'{value}'" for value in values]


#: A deadline in words, where a dossier's deadline is shown (a queue's rows, the dossier page, the
#: queue's filter, slips 06 and 07): its outcome once closed (Thông tư 03/2025/TT-VPCP, annex I:
#: "Trước hạn / Đúng hạn / Quá hạn"), its standing while the clock runs, or paused.
DEADLINE_LABELS = {
    "early": _l("Early"), "on_time": _l("On time"), "late": _l("Late"),
    "within": _l("Within the deadline"), "at_risk": _l("At risk"), "overdue": _l("Overdue"),
    "paused": _l("Clock paused"),
}


#: States in which the processing clock may be running (the dossier has been accepted).
OPEN_STATES = frozenset(
    {Status.ACCEPTED, Status.IN_PROCESS, Status.PENDING_APPROVAL, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED}
)
#: States the citizen may still withdraw from (before the result).
WITHDRAWABLE = frozenset({Status.SUBMITTED, *OPEN_STATES})
