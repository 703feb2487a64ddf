"""The dashboard's tables, built once from :class:`~portal.stats.service.Indicators` and used
both for the page (HTML) and for the CSV exports, so a download always says what the page says.

A :class:`Cell` keeps the raw value and its kind: the page formats it for the reader's locale,
the CSV writes it plainly (counts as integers, rates as percentages with a dot). A cell that
counts dossiers names its measure, so the officer page links it to the dossiers behind it.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.i18n import lazy_gettext as _l
from portal.stats.service import MEASURES, Indicators, Ratio


@dataclass(frozen=True)
class Cell:
    value: Any
    kind: str = "count"  # count | percent | days | average | score | points | month | text
    measure: str | None = None
    args: Mapping[str, str] = field(default_factory=dict)  # narrows the scope of the drill-down


@dataclass(frozen=True)
class Table:
    key: str
    title: Any
    basis: Any
    headers: list[Any]
    rows: list[list[Cell]]
    detail: int | None = None  # a column of explanations: under the row's heading on the page


def _count(indicators: Indicators, key: str, **args: str) -> Cell:
    counts = indicators.completed if MEASURES[key].basis == "completed" else indicators.received
    return Cell(counts[key], "count", key, args)


def _percent(ratio: Ratio) -> Cell:
    return Cell(ratio.percent, "percent")


RECEIVED_BASIS = _l("Dossiers submitted in the period.")
COMPLETED_BASIS = _l("Dossiers whose result was ready (approved) in the period.")
OPEN_BASIS = _l("Dossiers submitted in the period and still being processed now, measured now.")


def intake_table(ind: Indicators) -> Table:
    rows = [[Cell(MEASURES[key].label, "text"), _count(ind, key)]
            for key in ("received", "accepted", "not_accepted", "withdrawn", "stopped", "waiting_intake")]
    return Table("intake", _l("Received dossiers"), RECEIVED_BASIS, [_l("Figure"), _l("Dossiers")], rows)


def outcomes_table(ind: Indicators) -> Table:
    rows = [
        [Cell(MEASURES[key].label, "text"), _count(ind, key), _count(ind, f"legal_{key}")]
        for key in ("early", "on_time", "late")
    ]
    rows.append([Cell(MEASURES["completed"].label, "text"), _count(ind, "completed"), _count(ind, "completed")])
    return Table(
        "outcomes", _l("Completed dossiers: early, on time, late"), COMPLETED_BASIS,
        [_l("Outcome"), _l("Committed due time"), _l("Legal due time")], rows,
    )


def open_table(ind: Indicators) -> Table:
    rows = [[Cell(MEASURES[key].label, "text"), _count(ind, key)]
            for key in ("within", "at_risk", "overdue", "paused", "open")]
    return Table("open", _l("Open dossiers and their deadline"), OPEN_BASIS, [_l("Deadline state"), _l("Dossiers")],
                 rows)


RATE_ROWS: tuple[tuple[str, Any, str | None, str | None, Any], ...] = (
    ("online", _l("Online rate"), "online", "received", _l("submitted online ÷ all received")),
    ("full_process", _l("Full-process rate"), "full_process", "received",
     _l("submitted online, fee paid online or no fee, result returned online or by post ÷ all received")),
    ("online_payment", _l("Online payment rate"), "paid_online", "with_fee",
     _l("fee paid online ÷ dossiers with a fee (free dossiers are left out)")),
    ("e_result", _l("E-result rate"), "e_result", "completed",
     _l("results returned online as a signed e-document ÷ all completed")),
    ("registry_data", _l("Population-data reuse rate"), "registry_data", "received",
     _l("applicant data taken from the population register (register reachable) ÷ all received")),
    ("document_reuse", _l("Document reuse rate"), None, None,
     _l("attachments taken from the citizen's document store ÷ all attachments of the dossiers received")),
    ("on_time", _l("On-time rate (committed due time)"), None, "completed",
     _l("completed early or on time ÷ all completed")),
    ("legal_on_time", _l("On-time rate (legal due time)"), None, "completed",
     _l("completed early or on time against the legal time limit ÷ all completed")),
)


def rates_table(ind: Indicators) -> Table:
    rates = ind.rates
    rows = []
    for key, label, numerator, denominator, formula in RATE_ROWS:
        ratio = rates[key]
        rows.append([
            Cell(label, "text"),
            Cell(ratio.numerator, "count", numerator),
            Cell(ratio.denominator, "count", denominator),
            _percent(ratio),
            Cell(formula, "text"),
        ])
    return Table("rates", _l("Rates"), _l("Each rate counts on the basis of its denominator."),
                 [_l("Indicator"), _l("Numerator"), _l("Denominator"), _l("Rate (%)"), _l("How it is counted")], rows,
                 detail=4)


def time_table(ind: Indicators) -> Table:
    rows = [
        [Cell(_l("Average processing time (working days)"), "text"), Cell(ind.average_days, "days", "completed")],
        [Cell(_l("Median processing time (working days)"), "text"), Cell(ind.median_days, "days", "completed")],
        [Cell(_l("Working days given back by the online discount"), "text"), Cell(ind.days_saved, "days", "time_saved")],
        [Cell(MEASURES["time_saved"].label, "text"), _count(ind, "time_saved")],
    ]
    return Table(
        "time", _l("Time taken to process"),
        _l("Dossiers whose result was ready in the period; working time from acceptance to the result, without "
           "the time the clock was paused for the citizen. The discount's days count how much earlier than the "
           "legal time limit the result was ready, at most the discount itself."),
        [_l("Figure"), _l("Value")], rows,
    )


def satisfaction_table(ind: Indicators) -> Table:
    rated = ind.completed["rated"]
    rows = [
        [Cell(MEASURES[f"rating_{n}"].label, "text"), _count(ind, f"rating_{n}"),
         _percent(Ratio(ind.completed[f"rating_{n}"], rated))]
        for n in range(5, 0, -1)
    ]
    rows.append([Cell(MEASURES["rated"].label, "text"), _count(ind, "rated"), Cell(None, "percent")])
    rows.append([Cell(_l("Average score (1–5)"), "text"), Cell(ind.rating_average, "average"), Cell(None, "percent")])
    rows.append([Cell(_l("Satisfied (4 or 5 stars)"), "text"), Cell(ind.satisfied.numerator, "count"),
                 _percent(ind.satisfied)])
    return Table("satisfaction", _l("Satisfaction"), _l("Ratings of the dossiers completed in the period."),
                 [_l("Rating"), _l("Dossiers"), _l("Share (%)")], rows)


def scores_table(ind: Indicators) -> Table:
    groups = ind.scores
    rows = [
        [Cell(g.label, "text"), Cell(g.score, "score"), Cell(g.weight, "count"), Cell(g.points, "points"),
         Cell(g.formula, "text")]
        for g in groups
    ]
    rows.append([
        Cell(_l("Total of the groups measured"), "text"), Cell(None, "score"),
        Cell(sum(g.weight for g in groups), "count"),
        Cell(round(sum(g.points for g in groups if g.points is not None), 2), "points"),
        Cell(_l("sum of the points; groups without data count 0"), "text"),
    ])
    return Table(
        "scores", _l("Decision 766 score per group"),
        _l("Each group is scored 0–100 from the figures above; points = score × the group's weight in "
           "Decision 766/QĐ-TTg ÷ 100. The publicity group (18 points) is about published procedure "
           "information and is not measured from dossiers."),
        [_l("Group"), _l("Score (0–100)"), _l("Weight"), _l("Points"), _l("Formula")], rows, detail=4,
    )


def months_table(ind: Indicators) -> Table:
    rows = []
    for row in ind.months:
        args = {"from": row.month.first.isoformat(), "to": row.month.last.isoformat()}
        rows.append([
            Cell(row.month.key, "month"),
            _cell(row.received, "received", args),
            _cell(row.received, "online", args),
            _percent(row.received.ratio("online", "received")),
            _cell(row.completed, "completed", args),
            Cell(row.completed["early"] + row.completed["on_time"], "count"),
            _cell(row.completed, "late", args),
        ])
    return Table(
        "months", _l("Month by month"),
        _l("Received and online: by month of submission; completed, early or on time, late: by month of the result."),
        [_l("Month"), _l("Received"), _l("Online"), _l("Online rate (%)"), _l("Completed"), _l("Early or on time"),
         _l("Completed late")], rows,
    )


def procedures_table(ind: Indicators, lang: str) -> Table:
    rows = []
    for row in ind.procedures:
        args = {"procedure": row.procedure.code}
        rows.append([
            Cell(row.procedure.name(lang), "text"),
            Cell(row.procedure.code, "text"),
            _cell(row.received, "received", args),
            _cell(row.received, "online", args),
            _cell(row.completed, "completed", args),
            Cell(row.completed["early"] + row.completed["on_time"], "count"),
            _cell(row.completed, "late", args),
            _percent(Ratio(row.completed["early"] + row.completed["on_time"], row.completed["completed"])),
        ])
    return Table(
        "procedures", _l("Per procedure"),
        _l("Received and online: submitted in the period; completed: result ready in the period."),
        [_l("Procedure"), _l("Code"), _l("Received"), _l("Online"), _l("Completed"), _l("Early or on time"),
         _l("Completed late"), _l("On-time rate (%)")], rows, detail=1,
    )


def _cell(counts: Any, key: str, args: Mapping[str, str]) -> Cell:
    return Cell(counts[key], "count", key, args)


def tiles(ind: Indicators) -> list[tuple[Any, Cell]]:
    """The headline figures shown first, big."""
    rates = ind.rates
    return [
        (_l("Received"), _count(ind, "received")),
        (_l("Online rate"), _percent(rates["online"])),
        (_l("Early or on time"), _percent(rates["on_time"])),
        (_l("Overdue now"), _count(ind, "overdue")),
        (_l("Satisfaction (1–5)"), Cell(ind.rating_average, "average")),
    ]


TABLES: dict[str, Callable[[Indicators, str], Table]] = {
    "intake": lambda ind, lang: intake_table(ind),
    "outcomes": lambda ind, lang: outcomes_table(ind),
    "open": lambda ind, lang: open_table(ind),
    "rates": lambda ind, lang: rates_table(ind),
    "time": lambda ind, lang: time_table(ind),
    "satisfaction": lambda ind, lang: satisfaction_table(ind),
    "scores": lambda ind, lang: scores_table(ind),
    "months": lambda ind, lang: months_table(ind),
    "procedures": procedures_table,
}


def as_csv(table: Table) -> str:
    """The table as CSV (UTF-8 with a BOM so spreadsheet programs read the Vietnamese right)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(h) for h in table.headers])
    for row in table.rows:
        writer.writerow(["" if cell.value is None else str(cell.value) for cell in row])
    return out.getvalue()
