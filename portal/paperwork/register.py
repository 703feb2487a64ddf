"""The dossier register (*Sổ theo dõi hồ sơ*), Mẫu số 07 of Thông tư 03/2025/TT-VPCP, annex I:
every dossier of an agency received in a period, as a landscape PDF and as CSV for Excel."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale

from portal.i18n import gettext as _
from portal.paperwork.common import (
    local_text,
    outcome_label,
    render_document,
    require_aware,
    require_language,
    require_outcome,
)


@dataclass(frozen=True, kw_only=True)
class RegisterRow:
    """One dossier in the register. ``status_label`` is the status as the reader should see it,
    already in the register's language; ``outcome`` is ``""`` while the dossier is open."""

    code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime
    due_at: datetime
    completed_at: datetime | None = None
    returned_at: datetime | None = None
    status_label: str = ""
    outcome: str = ""

    def __post_init__(self) -> None:
        require_aware(self, "received_at", "due_at", "completed_at", "returned_at")
        require_outcome(self.outcome)


@dataclass(frozen=True, kw_only=True)
class Slip07:
    """The register of ``agency_name`` for the days ``period_from`` to ``period_to`` included."""

    agency_name: str
    period_from: date
    period_to: date
    rows: tuple[RegisterRow, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))
        for bound in (self.period_from, self.period_to):
            # A datetime is a date too, but a period of a register is whole days.
            if isinstance(bound, datetime):
                raise ValueError("the period of a register is given in dates, not datetimes")
        if self.period_to < self.period_from:
            raise ValueError("period_to comes before period_from")


def render_slip07(slip: Slip07, lang: str = "vi") -> bytes:
    """The register as a landscape A4 PDF. Raises only :class:`PaperworkError`."""
    return render_document("slip07.html", slip, lang, has_qr=False, register_header=register_header)


def slip07_csv(slip: Slip07, lang: str = "vi") -> str:
    """The register as CSV text for Excel: a byte order mark first (Excel otherwise reads UTF-8
    as the ANSI code page and garbles Vietnamese), a header row in ``lang``, then one row per
    dossier with times as ``dd/mm/yyyy HH:MM`` in Vietnam time. Encode it as UTF-8.

    Cells are written as text: a name that starts like a formula (``=``, ``+``, ``-``, ``@``) is
    prefixed with ``'`` so that Excel shows it instead of evaluating it.
    """
    require_language(lang)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    with force_locale(lang):
        writer.writerow(register_header())
        for number, row in enumerate(slip.rows, start=1):
            cells = (
                row.code,
                row.procedure_name,
                row.applicant_name,
                local_text(row.received_at),
                local_text(row.due_at),
                local_text(row.completed_at),
                local_text(row.returned_at),
                row.status_label,
                outcome_label(row.outcome),
            )
            writer.writerow([str(number), *map(_as_text, cells)])
    return out.getvalue()


def register_header() -> list[str]:
    """The columns of Mẫu số 07 in the current locale, for the CSV and the PDF's table."""
    return [
        _("No."),
        _("Dossier code"),
        _("Administrative procedure"),
        _("Applicant (person or organisation)"),
        _("Received at"),
        _("Appointment for the result"),
        _("Result ready at"),
        _("Result returned at"),
        _("Status"),
        _("Outcome (early / on time / late)"),
    ]


def _as_text(value: str) -> str:
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value
