"""The public procedure catalog."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template, request

from portal.catalog.service import (
    components_of,
    estimate_appointment,
    get_procedure,
    list_agencies,
    list_fields,
    search_procedures,
)
from portal.deadlines import VN_TZ
from portal.i18n import current_lang
from portal.security import conditional_page

catalog_bp = Blueprint("catalog", __name__)


@catalog_bp.route("/procedures")
def list_procedures():
    query = request.args.get("q", "").strip()[:200]
    field_code = request.args.get("field") or None
    agency_code = request.args.get("agency") or None
    return conditional_page(render_template(
        "catalog/list.html",
        procedures=search_procedures(query, field_code, agency_code),
        fields=list_fields(),
        agencies=list_agencies(),
        query=query,
        field_code=field_code,
        agency_code=agency_code,
    ), public=True)


@catalog_bp.route("/procedures/<code>")
def show_procedure(code: str):
    procedure = get_procedure(code)
    if procedure is None:
        abort(404)
    estimate = estimate_appointment(procedure, datetime.now(VN_TZ), current_lang())
    return conditional_page(render_template("catalog/detail.html", procedure=procedure, estimate=estimate,
                                            components=components_of(procedure)), public=True)
