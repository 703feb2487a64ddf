"""JSON API v1. Errors are JSON too: ``{"error", "message", "status"}``."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request, url_for

from portal.api.parameters import ParameterError, openapi_document, read_parameters
from portal.catalog.models import Procedure
from portal.catalog.service import components_of, get_procedure, rules_of, search_procedures, working_calendar
from portal.i18n import current_lang
from portal.security import cache_validated, not_modified, not_modified_response, page_etag
from portal.deadlines import DeadlineInputError, deadline_report, parse_iso, parse_pause
from portal.stats.scope import StatsInputError, UnknownCode, parse_scope
from portal.stats.service import compute_indicators
from portal.stats.service import as_json as stats_json
from portal.tracking.service import as_json, find, fingerprint, normalise, public_view
from portal.tracking.groups import find_group, group_json, group_view
from portal.tracking.limits import tracking_limit

api_bp = Blueprint("api", __name__, url_prefix="/api")


def _procedure_summary(p: Procedure) -> dict[str, Any]:
    return {
        "code": p.code,
        "version": p.version,
        "name": {"vi": p.name_vi, "en": p.name_en},
        "field": p.field.code,
        "agency": {"code": p.agency.code, "name": {"vi": p.agency.name_vi, "en": p.agency.name_en}},
        "level": p.level,
        "processing_time": {"value": p.processing_value, "unit": p.processing_unit},
        "fee": {"counter": p.fee_counter, "online": p.fee_online, "currency": "VND"},
        "online_discount_pct": p.discount_pct,
        "url": url_for("api.get_procedure_json", code=p.code, _external=False),
    }


def _procedure_detail(p: Procedure) -> dict[str, Any]:
    return {
        **_procedure_summary(p),
        "required_documents": [
            {"key": d["key"], "name": {"vi": d["name_vi"], "en": d["name_en"]}, "is_required": d["is_required"]}
            for d in p.required_documents
        ],
        "result": {"vi": p.result_vi, "en": p.result_en},
        "result_deliveries": p.result_deliveries,
        "supplement_policy": p.supplement_policy,
        "legal_basis": p.legal_basis,
        # A linked procedure (thủ tục liên thông) names its components and each one's agency.
        "components": [
            {
                "code": c.procedure.code,
                "name": {"vi": c.procedure.name_vi, "en": c.procedure.name_en},
                "agency": {"code": c.procedure.agency.code,
                           "name": {"vi": c.procedure.agency.name_vi, "en": c.procedure.agency.name_en}},
                "waits_for": c.waits_for,
            }
            for c in components_of(p)
        ],
    }


def _public_json(data: dict[str, Any]):
    """The catalog's JSON, tagged by its content: 304 when the client has it, and a proxy may
    keep it briefly (the catalog is the same for everyone)."""
    response = jsonify(data)
    etag = page_etag(response.get_data())
    if not_modified(etag):
        return not_modified_response(etag, public=True)
    return cache_validated(response, etag, public=True)


def _bad_request(parameter: str, message: str):
    response = jsonify({"error": "Bad Request", "parameter": parameter, "message": message, "status": 400})
    response.status_code = 400
    return response


@api_bp.errorhandler(ParameterError)
def _refuse_parameter(exc: ParameterError):
    return _bad_request(exc.parameter, str(exc))


@api_bp.get("/v1/procedures")
def list_procedures_json():
    args = read_parameters("listProcedures")
    procedures = search_procedures(args.get("q", ""), args.get("field"), args.get("agency"))
    return _public_json({"items": [_procedure_summary(p) for p in procedures], "count": len(procedures)})


@api_bp.get("/v1/procedures/<code>")
def get_procedure_json(code: str):
    read_parameters("getProcedure", path={"code": code})
    procedure = get_procedure(code)
    if procedure is None:
        abort(404, f"No published procedure has the code {code!r}.")
    return _public_json(_procedure_detail(procedure))


@api_bp.get("/v1/deadline")
def compute_deadline_json():
    """Estimated appointment for a receipt time (DESIGN §5); 400 names the bad parameter."""
    args = read_parameters("computeDeadline")
    try:
        received_at = parse_iso(args["received_at"], "received_at")
        pauses = [parse_pause(value) for value in args.get("pause", [])]
        procedure = get_procedure(args["procedure"])
        if procedure is None:
            abort(404, f"No published procedure has the code {args['procedure']!r}.")
        rules = rules_of(procedure)
        report = deadline_report(
            rules.processing_time,
            rules.discount_pct,
            received_at,
            args["channel"],
            args["delivery"],
            pauses,
            working_calendar(),
            args["lang"],
            supplement_policy=rules.supplement_policy,
        )
    except DeadlineInputError as exc:
        return _bad_request(exc.parameter, str(exc))
    return jsonify({"procedure": procedure.code, **report})


@api_bp.get("/v1/tracking/<code>")
@tracking_limit
def track_json(code: str):
    """Where a dossier stands, for anyone holding its code; the applicant's name is masked."""
    read_parameters("trackDossier", path={"code": code})
    code = normalise(code)  # the document allows a lower-case letter; codes are stored upper-case
    dossier = find(code)
    if dossier is None and (group := find_group(code)) is not None:
        # A linked dossier's group code: the group with each component (issue 21).
        response = jsonify(group_json(group_view(group, is_detailed=False, lang=current_lang())))
        response.headers["Cache-Control"] = "no-store"
        return response
    if dossier is None:
        abort(404, f"No dossier has the code {code!r}.")
    # Anyone holding the code sees the same masked view: a proxy may keep it briefly, and a
    # client asking again with If-None-Match gets a 304 without the JSON being built.
    lang = current_lang()
    etag = fingerprint(dossier, is_detailed=False, lang=lang)
    if not_modified(etag):
        return not_modified_response(etag, public=True)
    return cache_validated(jsonify(as_json(public_view(dossier, is_detailed=False, lang=lang))), etag, public=True)


@api_bp.get("/v1/stats")
def get_stats_json():
    """The quality indicators of ``/stats`` for a period, agency and procedure (DESIGN §7);
    the same service function computes the page, so the numbers are the page's."""
    read_parameters("getStats")
    try:
        scope = parse_scope(request.args)
    except StatsInputError as exc:
        return _bad_request(exc.parameter, str(exc))
    except UnknownCode as exc:
        abort(404, str(exc))
    return jsonify(stats_json(compute_indicators(scope)))


@api_bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document())
