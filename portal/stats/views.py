"""The dashboard pages: public figures at ``/stats``, an agency's figures with the dossiers
behind each number at ``/officer/stats``, and every table as CSV.

Handlers: read the scope (a bad value is shown on the page with the parameter it concerns) →
check the officer's agency → compute with :func:`portal.stats.service.compute_indicators`, the
function the API calls too.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_babel import format_decimal
from flask_login import current_user
from sqlalchemy import select

from portal.auth.access import roles_required
from portal.auth.models import ROLES
from portal.backoffice.rows import rows_of
from portal.catalog.models import Agency, Procedure
from portal.deadlines import VN_TZ
from portal.extensions import count_rows, db
from portal.i18n import current_lang, gettext as _, number
from portal.stats import charts
from portal.stats.scope import Scope, StatsInputError, UnknownCode, parse_scope
from portal.stats.service import MEASURES, Indicators, MonthRow, compute_indicators, dossiers_behind
from portal.stats.tables import TABLES, Cell, as_csv, tiles
from portal.dossiers.states import status_label
from portal.security import page_count, page_number

stats_bp = Blueprint("stats", __name__)
PAGE_SIZE = 20


@stats_bp.app_template_filter("stat")
def format_cell(cell: Cell) -> str:
    """A cell as the reader's locale writes it; — where there is nothing to measure."""
    if cell.kind == "text":
        return str(cell.value)
    if cell.value is None:
        return "—"
    if cell.kind == "month":
        year, month = cell.value.split("-")
        return f"{month}/{year}"
    if cell.kind == "count":
        return number(cell.value)
    if cell.kind == "percent":
        return f"{format_decimal(cell.value, format='#,##0.0')}\u00a0%"
    if cell.kind in ("average", "points"):
        return format_decimal(cell.value, format="#,##0.00")
    return format_decimal(cell.value, format="#,##0.0")


def _officer_agency() -> Agency | None:
    """The agency an officer may see: their own; an administrator picks any (or all)."""
    if current_user.role == "admin":
        return None
    code = request.args.get("agency")
    if code and code != current_user.agency.code:
        abort(403, _("You can see the figures of your own agency only."))
    return current_user.agency


def _scope(*, for_officer: bool) -> Scope:
    try:
        return parse_scope(request.args, agency=_officer_agency() if for_officer else None)
    except UnknownCode as exc:
        abort(404, str(exc))


def _page(*, for_officer: bool):
    error = None
    try:
        scope = _scope(for_officer=for_officer)
    except StatsInputError as exc:
        error = exc
        scope = parse_scope({}, agency=_officer_agency() if for_officer else None)
    indicators = compute_indicators(scope)
    lang = current_lang()
    tables = {key: build(indicators, lang) for key, build in TABLES.items()}
    agencies = list(db.session.execute(select(Agency).order_by(Agency.code)).scalars())
    procedures_of = select(Procedure).order_by(Procedure.code)
    if scope.agency is not None:
        procedures_of = procedures_of.where(Procedure.agency_id == scope.agency.id)
    procedures = list(db.session.execute(procedures_of).scalars())
    return render_template(
        "stats/dashboard.html",
        scope=scope,
        indicators=indicators,
        tables=tables,
        tiles=tiles(indicators),
        charts=_charts(indicators, lang),
        agencies=agencies,
        procedures=procedures,
        can_pick_agency=not for_officer or current_user.role == "admin",
        is_officer=for_officer,
        error=error,
        drill_url=lambda cell: _drill_url(scope, cell) if for_officer else None,
        export_url=lambda key: url_for(
            "stats.export_agency_csv" if for_officer else "stats.export_public_csv", table=key, **scope.as_args()
        ),
    ), (400 if error else 200)


def _drill_url(scope: Scope, cell: Cell) -> str | None:
    if cell.measure is None or not cell.value:
        return None
    return url_for("stats.list_dossiers_behind", measure=cell.measure, **{**scope.as_args(), **cell.args})


def _charts(ind: Indicators, lang: str) -> dict[str, Any]:
    """The trend twice (rows for phones, columns for wide screens), procedures, deadline states."""
    received, online = charts.Series("received", _("Received")), charts.Series("online", _("Submitted online"))
    trend_series = [received, online, charts.Series("on_time", _("Completed early or on time"))]

    def trend_values(m: MonthRow) -> tuple[int, int, int]:
        return m.received["received"], m.received["online"], m.completed["early"] + m.completed["on_time"]

    return {
        "trend_rows": charts.row_chart(
            [charts.ChartRow(m.month.label, trend_values(m)) for m in ind.months], trend_series, format_decimal
        ),
        "trend_columns": charts.column_chart(
            [
                charts.ChartRow(f"{m.month.first:%m}", trend_values(m),
                                sublabel=f"{m.month.first:%Y}" if i == 0 or m.month.first.month == 1 else "")
                for i, m in enumerate(ind.months)
            ],
            trend_series,
            format_decimal,
        ),
        "procedures": charts.row_chart(
            [
                charts.ChartRow(f"{p.procedure.code} {p.procedure.name(lang)}", (p.received["received"], p.received["online"]))
                for p in ind.procedures
            ],
            [received, online],
            format_decimal,
        ),
        "states": charts.row_chart(
            [charts.ChartRow(str(MEASURES[key].label), (ind.received[key],), key)
             for key in ("within", "at_risk", "overdue", "paused")],
            [charts.Series("state", _("Dossiers"))],
            format_decimal,
        ),
    }


@stats_bp.route("/stats")
def show_public_stats():
    return _page(for_officer=False)


@stats_bp.route("/officer/stats")
@roles_required(*ROLES)
def show_agency_stats():
    return _page(for_officer=True)


def _csv(*, for_officer: bool, table: str):
    if table not in TABLES:
        abort(404)
    try:
        scope = _scope(for_officer=for_officer)
    except StatsInputError as exc:
        abort(400, str(exc))
    body = as_csv(TABLES[table](compute_indicators(scope), current_lang()))
    response = make_response(body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    who = scope.agency.code if scope.agency else "all"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="stats-{table}-{who}-{scope.date_from}-{scope.date_to}.csv"'
    )
    return response


@stats_bp.route("/stats/<table>.csv")
def export_public_csv(table: str):
    return _csv(for_officer=False, table=table)


@stats_bp.route("/officer/stats/<table>.csv")
@roles_required(*ROLES)
def export_agency_csv(table: str):
    return _csv(for_officer=True, table=table)


@stats_bp.route("/officer/stats/dossiers")
@roles_required(*ROLES)
def list_dossiers_behind():
    """The dossiers one number of the officer page counts, with the queue's table."""
    key = request.args.get("measure", "")
    if key not in MEASURES:
        abort(404)
    try:
        scope = _scope(for_officer=True)
    except StatsInputError as exc:
        abort(400, str(exc))
    stmt = dossiers_behind(scope, key)
    total = count_rows(stmt)
    pages = page_count(total, PAGE_SIZE)
    page = page_number(request.args.get("page"), pages)
    rows = rows_of(stmt, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, now=datetime.now(VN_TZ), lang=current_lang())
    return render_template(
        "stats/dossiers.html",
        measure=MEASURES[key],
        scope=scope,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        status_label=status_label,
        back_url=url_for("stats.show_agency_stats", **scope.as_args()),
        page_url=lambda n: url_for("stats.list_dossiers_behind", **{**request.args.to_dict(), "page": n}),
    )
