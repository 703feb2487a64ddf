"""Deadlines (DESIGN §5): the Vietnamese working calendar and the due times of a dossier's clock.

Pure Python — no Flask, no database — so the rest of the portal can call it anywhere and the
tests can check it exhaustively. Its command line lives with the catalog
(:mod:`portal.catalog.cli`), which knows the procedures and the administrators' calendar.
"""
from portal.deadlines.calendar import DEFAULT_WORKING_PERIODS, VN_TZ, WorkingCalendar, to_local
from portal.deadlines.engine import (
    CHANNELS,
    DELIVERIES,
    PROCESSING_UNITS,
    SUPPLEMENT_POLICIES,
    ClockEvent,
    ClockEventKind,
    DeadlineInputError,
    DeadlineResult,
    LedgerError,
    ProcessingTime,
    committed_minutes,
    compute_deadline,
    deadline_report,
    parse_iso,
    parse_pause,
)

__all__ = [
    "CHANNELS",
    "DEFAULT_WORKING_PERIODS",
    "DELIVERIES",
    "PROCESSING_UNITS",
    "SUPPLEMENT_POLICIES",
    "VN_TZ",
    "ClockEvent",
    "ClockEventKind",
    "DeadlineInputError",
    "DeadlineResult",
    "LedgerError",
    "ProcessingTime",
    "WorkingCalendar",
    "committed_minutes",
    "compute_deadline",
    "deadline_report",
    "parse_iso",
    "parse_pause",
    "to_local",
]
