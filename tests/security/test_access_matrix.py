"""Who may open what: every route of the URL map × every kind of visitor (OWASP ASVS V4).

``RULES`` names, for each endpoint and method, the URL values taken from the world, the form
sent, and the status each visitor gets, in the order of :data:`ROLES`: anonymous, citizen A
(who owns the dossiers), citizen B, ``intake1``, ``specialist1`` and ``leader1`` of the
dossiers' agency, ``intake2`` of another agency, ``admin`` (of the dossiers' agency).
A route added to the portal without a rule here fails :func:`test_every_route_has_a_rule`.

Reading a row: 302 for anonymous is "sent to sign in"; 403 is "your kind of account never
opens this"; 404 is "not yours" (a dossier of someone else or of another agency is not found,
so its existence does not leak); 422 is "yours, but the form sent was incomplete".
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.eforms.definitions import get_form_definition
from portal.extensions import db
from tests.security.conftest import ANONYMOUS, ROLES, World

Values = Callable[[World], dict[str, Any]]


def _nothing(world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Rule:
    expect: tuple[int, ...]  # one status per role, in the order of ROLES
    values: Values = _nothing  # URL values, from the world
    query: str = ""  # with {fields} of the world
    data: Values = _nothing  # the form posted


def _version(code: str) -> str:
    return str(db.session.execute(select(Dossier.version).where(Dossier.code == code)).scalar_one())


EVERYONE_200 = (200,) * 8
EVERYONE_302 = (302,) * 8
EVERYONE_422 = (422,) * 8
# Citizen pages: anonymous → sign in, officers → 403.
CITIZENS = (302, 200, 200, 403, 403, 403, 403, 403)
OWNER_ONLY = (302, 200, 404, 403, 403, 403, 403, 403)
OWNER_POST = (302, 302, 404, 403, 403, 403, 403, 403)
OWNER_422 = (302, 422, 404, 403, 403, 403, 403, 403)
# A draft of citizen A: only A may open it; for everyone else it does not exist.
DRAFT = (302, 200, 404, 404, 404, 404, 404, 404)
DRAFT_422 = (302, 422, 404, 404, 404, 404, 404, 404)
# Officers of the dossier's agency (admin belongs to it too); another agency: not found.
AGENCY = (302, 403, 403, 200, 200, 200, 404, 200)
AGENCY_POST = (302, 403, 403, 302, 302, 302, 404, 302)
OFFICERS = (302, 403, 403, 200, 200, 200, 200, 200)
OFFICERS_302 = (302, 403, 403, 302, 302, 302, 302, 302)
# The counter desk of the dossier's agency (intake1); intake2 works at another agency.
COUNTER_DESK = (302, 403, 403, 200, 403, 403, 404, 403)
ADMIN = (302, 403, 403, 403, 403, 403, 403, 200)
RESULT_DRAFTERS = (302, 403, 403, 403, 200, 200, 403, 403)
ADMIN_302 = (302, 403, 403, 403, 403, 403, 403, 302)
ADMIN_422 = (302, 403, 403, 403, 403, 403, 403, 422)


def _result_token(code: str) -> str:
    return db.session.execute(select(Dossier.result_token).where(Dossier.code == code)).scalar_one()


def first_step(w: World) -> str:
    return get_form_definition("1.004222").steps[0].key


RULES: dict[tuple[str, str], Rule] = {
    # --- public pages, sign-in, language --------------------------------------------------
    ("web.home", "GET"): Rule(EVERYONE_200),
    ("web.health", "GET"): Rule(EVERYONE_200),
    ("web.show_icon", "GET"): Rule(EVERYONE_200, lambda w: {"name": "favicon.ico"}),
    ("web.set_language", "POST"): Rule(EVERYONE_302, data=lambda w: {"lang": "en", "next": "/"}),
    ("static", "GET"): Rule(EVERYONE_200, lambda w: {"filename": "css/portal.css"}),
    ("auth.login_citizen", "GET"): Rule(EVERYONE_200),
    ("auth.login_citizen", "POST"): Rule(EVERYONE_422),
    ("auth.login_officer", "GET"): Rule(EVERYONE_200),
    ("auth.login_officer", "POST"): Rule(EVERYONE_422),
    ("auth.logout", "POST"): Rule(EVERYONE_302),
    ("catalog.list_procedures", "GET"): Rule(EVERYONE_200),
    ("catalog.show_procedure", "GET"): Rule(EVERYONE_200, lambda w: {"code": "1.004194"}),
    ("tracking.track", "GET"): Rule(EVERYONE_200, query="code={submitted}"),
    ("tracking.track", "POST"): Rule(EVERYONE_200, data=lambda w: {"code": w.submitted}),
    # Anyone checks a signed result by its verification code (issue 18); a post without a file: 422.
    ("verify.start", "GET"): Rule(EVERYONE_200),
    ("verify.result", "GET"): Rule(EVERYONE_200, lambda w: {"token": _result_token(w.returned)}),
    ("verify.result", "POST"): Rule(EVERYONE_422, lambda w: {"token": _result_token(w.returned)}),
    ("eforms.list_wards", "GET"): Rule(EVERYONE_200, lambda w: {"province_code": 1}),
    # The register answers signed-in people only (citizens, and officers at the counter).
    ("eforms.find_person", "GET"): Rule((302,) + (200,) * 7, query="personal_id={citizen_b}"),
    # --- JSON API (public, read-only) -----------------------------------------------------
    ("api.openapi_json", "GET"): Rule(EVERYONE_200),
    ("api.list_procedures_json", "GET"): Rule(EVERYONE_200),
    ("api.get_procedure_json", "GET"): Rule(EVERYONE_200, lambda w: {"code": "1.004194"}),
    ("api.compute_deadline_json", "GET"): Rule(EVERYONE_200, query="procedure=1.004194&received_at=2026-07-01T09:00:00%2B07:00"),
    ("api.track_json", "GET"): Rule(EVERYONE_200, lambda w: {"code": w.submitted}),
    # --- statistics: public for all agencies, per agency for its officers ------------------
    ("stats.show_public_stats", "GET"): Rule(EVERYONE_200),
    ("stats.export_public_csv", "GET"): Rule(EVERYONE_200, lambda w: {"table": "intake"}),
    ("api.get_stats_json", "GET"): Rule(EVERYONE_200),
    ("stats.show_agency_stats", "GET"): Rule(OFFICERS),
    ("stats.export_agency_csv", "GET"): Rule(OFFICERS, lambda w: {"table": "intake"}),
    ("stats.list_dossiers_behind", "GET"): Rule(OFFICERS, query="measure=received"),
    # --- the mock payment gateway (another site in reality): only signed requests -----------
    ("gateway.pay", "GET"): Rule((400,) * 8, query="reference=PAY0&amount=7000&signature=forged"),
    ("gateway.pay", "POST"): Rule((400,) * 8, data=lambda w: {"reference": "PAY0", "amount": "7000", "outcome": "cancelled"}),
    ("gateway.refund", "POST"): Rule((400,) * 8, data=lambda w: {"transaction": "MOCK0", "amount": "7000", "refund_reference": "RF0"}),
    ("gateway.day_ledger", "GET"): Rule((400,) * 8, query="date=2026-12-01&signature=forged"),
    # --- the gateway's signed callbacks to the portal -----------------------------------------
    ("payments.payment_return", "GET"): Rule((400,) * 8, query="reference=PAY0&amount=7000&status=success&signature=forged"),
    ("payments.notify", "POST"): Rule((400,) * 8, data=lambda w: {"reference": "PAY0", "amount": "7000", "status": "success", "signature": "forged"}),
    # --- the citizen's own pages ----------------------------------------------------------
    ("auth.show_profile", "GET"): Rule(CITIZENS),
    ("dossiers.list_my_dossiers", "GET"): Rule(CITIZENS),
    ("notifications.list_my_notifications", "GET"): Rule(CITIZENS),
    ("dossiers.start_application", "GET"): Rule((302, 302, 302, 403, 403, 403, 403, 403), lambda w: {"code": "1.004222"}),
    ("dossiers.edit_step", "GET"): Rule(DRAFT, lambda w: {"public_id": w.draft, "step_key": first_step(w)}),
    ("dossiers.edit_step", "POST"): Rule(DRAFT_422, lambda w: {"public_id": w.draft, "step_key": first_step(w)}),
    ("dossiers.delivery", "GET"): Rule(DRAFT, lambda w: {"public_id": w.draft}),
    ("dossiers.delivery", "POST"): Rule(DRAFT_422, lambda w: {"public_id": w.draft}),
    ("dossiers.check_answers", "GET"): Rule(DRAFT, lambda w: {"public_id": w.draft}),
    ("dossiers.submit", "POST"): Rule(DRAFT_422, lambda w: {"public_id": w.draft}),
    ("dossiers.discard", "POST"): Rule((302, 302, 404, 404, 404, 404, 404, 404), lambda w: {"public_id": w.draft}),
    ("dossiers.confirmation", "GET"): Rule(OWNER_ONLY, lambda w: {"code": w.submitted}),
    ("dossiers.show_my_dossier", "GET"): Rule(OWNER_ONLY, lambda w: {"code": w.submitted}),
    ("dossiers.download_slip", "GET"): Rule(OWNER_ONLY, lambda w: {"code": w.submitted}),
    ("dossiers.download_attachment", "GET"): Rule(OWNER_ONLY, lambda w: {"code": w.submitted, "attachment_id": w.attachment_id}),
    ("dossiers.download_stored_document", "GET"): Rule(OWNER_ONLY, lambda w: {"document_id": w.document_id}),
    ("dossiers.download_result", "GET"): Rule(OWNER_ONLY, lambda w: {"code": w.returned}),
    # A receipt of a payment the dossier does not have: not found, for its owner too.
    ("dossiers.download_receipt", "GET"): Rule((302, 404, 404, 403, 403, 403, 403, 403), lambda w: {"code": w.submitted, "reference": "PAY0"}),
    # Allowed but refused by the dossier's state (no supplement or payment asked): back to it.
    ("dossiers.send_supplement", "POST"): Rule(OWNER_POST, lambda w: {"code": w.submitted}),
    ("dossiers.pay_requested_fee", "POST"): Rule(OWNER_POST, lambda w: {"code": w.submitted}),
    ("dossiers.withdraw", "POST"): Rule(OWNER_422, lambda w: {"code": w.submitted}),
    ("dossiers.rate", "POST"): Rule(OWNER_422, lambda w: {"code": w.returned}),
    # --- the counter desk -----------------------------------------------------------------
    ("dossiers.start_counter_dossier", "GET"): Rule((302, 403, 403, 200, 403, 403, 200, 403)),
    ("dossiers.start_counter_dossier", "POST"): Rule((302, 403, 403, 422, 403, 403, 422, 403)),
    ("dossiers.counter_receipt", "GET"): Rule(COUNTER_DESK, lambda w: {"public_id": w.counter}),
    ("dossiers.download_counter_slip", "GET"): Rule(COUNTER_DESK, lambda w: {"public_id": w.counter}),
    # --- the back office ------------------------------------------------------------------
    ("backoffice.home", "GET"): Rule(OFFICERS_302),
    # Refunds: the one-stop desk and the leader see their agency's; only the desk confirms.
    ("backoffice.list_refunds", "GET"): Rule((302, 403, 403, 200, 403, 200, 200, 403)),
    ("backoffice.confirm", "POST"): Rule((302, 403, 403, 302, 403, 403, 404, 403), lambda w: {"refund_id": w.refund_id}),
    ("backoffice.show_queue", "GET"): Rule(OFFICERS, lambda w: {"key": "all"}),
    ("backoffice.dossier_register", "GET"): Rule(OFFICERS, query="format=csv"),
    ("backoffice.show_dossier", "GET"): Rule(AGENCY, lambda w: {"code": w.submitted}),
    ("backoffice.download_attachment", "GET"): Rule(AGENCY, lambda w: {"code": w.submitted, "attachment_id": w.attachment_id}),
    ("backoffice.download_result", "GET"): Rule(AGENCY, lambda w: {"code": w.returned}),
    # The result draft and its preview (issue 18): the agency's specialists and leaders; only
    # the assigned specialist records the choices the law leaves to the agency.
    ("backoffice.result_draft", "GET"): Rule(RESULT_DRAFTERS, lambda w: {"code": w.in_process}),
    ("backoffice.result_draft", "POST"): Rule(
        (302, 403, 403, 403, 302, 403, 403, 403), lambda w: {"code": w.in_process},
        data=lambda w: {"version": _version(w.in_process), "period": "Từ ngày 01/01/2027 đến ngày 30/06/2027"},
    ),
    ("backoffice.result_preview", "GET"): Rule(RESULT_DRAFTERS, lambda w: {"code": w.in_process}),
    ("backoffice.download_slip", "GET"): Rule(AGENCY, lambda w: {"code": w.submitted, "number": "01"}),
    ("backoffice.add_note", "POST"): Rule(AGENCY_POST, lambda w: {"code": w.submitted}, data=lambda w: {"text": "Ghi chú"}),
    # Only the one-stop officer accepts; other roles of the agency are told why (422).
    ("backoffice.act", "POST"): Rule(
        (302, 403, 403, 302, 422, 422, 404, 422),
        lambda w: {"code": w.submitted, "name": "accept"},
        data=lambda w: {"version": _version(w.submitted)},
    ),
    # --- administration -------------------------------------------------------------------
    ("admin.show_index", "GET"): Rule(ADMIN),
    ("admin.list_procedures", "GET"): Rule(ADMIN),
    ("admin.edit_procedure", "GET"): Rule(ADMIN, lambda w: {"code": "1.004194"}),
    # An edit form posted empty keeps what the object has: saved unchanged, back to the list.
    ("admin.edit_procedure", "POST"): Rule(ADMIN_302, lambda w: {"code": "1.004194"}),
    ("admin.list_calendar_exceptions", "GET"): Rule(ADMIN),
    ("admin.add_calendar_exception", "POST"): Rule(ADMIN_422),
    ("admin.delete_calendar_exception", "POST"): Rule(ADMIN_302, lambda w: {"exception_id": w.calendar_exception_id}),
    ("admin.preview_replan", "GET"): Rule(ADMIN),
    ("admin.apply_replan", "POST"): Rule(ADMIN_302),
    ("admin.list_officers", "GET"): Rule(ADMIN),
    ("admin.create_officer", "GET"): Rule(ADMIN),
    ("admin.create_officer", "POST"): Rule(ADMIN_422),
    ("admin.edit_officer", "GET"): Rule(ADMIN, lambda w: {"user_id": w.specialist1_id}),
    ("admin.edit_officer", "POST"): Rule(ADMIN_302, lambda w: {"user_id": w.specialist1_id}),
    ("admin.set_officer_status", "POST"): Rule(ADMIN_302, lambda w: {"user_id": w.specialist1_id}),
    ("admin.reset_officer_password", "POST"): Rule(ADMIN_422, lambda w: {"user_id": w.specialist1_id}),
    ("admin.list_agencies", "GET"): Rule(ADMIN),
    ("admin.edit_agency", "GET"): Rule(ADMIN, lambda w: {"code": "000.09.27.H26"}),
    ("admin.edit_agency", "POST"): Rule(ADMIN_302, lambda w: {"code": "000.09.27.H26"}),
    ("admin.list_audit_entries", "GET"): Rule(ADMIN),
    ("admin.verify_audit_trail", "GET"): Rule(ADMIN),
}


# Routes whose redirect for an anonymous visitor is not a sign-in page.
PUBLIC_REDIRECTS = {"web.set_language", "auth.logout"}


def urls(app: Flask, endpoint: str, values: dict[str, Any], query: str = "") -> list[str]:
    """The URL of every rule of ``endpoint`` (two rules share ``admin.set_officer_status``)."""
    built = []
    for rule in app.url_map.iter_rules(endpoint):
        path = rule.build({**(rule.defaults or {}), **values}, append_unknown=False)[1]
        built.append(f"{path}?{query}" if query else path)
    return built


def allowed_role(endpoint: str, method: str) -> str:
    """Who to try a route as: anonymous when it answers anonymous visitors without sending them
    to sign in, else the first signed-in visitor it lets in."""
    expect = RULES[(endpoint, method)].expect
    signed_in = [role for role, status in zip(ROLES, expect, strict=True) if role != ANONYMOUS and status not in (403, 404)]
    return ANONYMOUS if expect[0] != 302 or not signed_in else signed_in[0]


def test_every_route_has_a_rule(app: Flask):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert sorted(routes - set(RULES)) == [], "routes without an access rule: add them to RULES"
    assert sorted(set(RULES) - routes) == [], "rules for routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "method"), sorted(RULES))
def test_access(app: Flask, world: World, browser_as, endpoint: str, method: str, role: str):
    rule = RULES[(endpoint, method)]
    with app.app_context():
        values = rule.values(world)
        data = rule.data(world)
    query = rule.query.format(**vars(world))
    expected = rule.expect[ROLES.index(role)]
    for url in urls(app, endpoint, values, query):
        client = browser_as(role, fresh=endpoint == "auth.logout")
        with client.open(url, method=method, data=data) as response:
            assert response.status_code == expected, (method, url, role, response.headers.get("Location"))
            if expected == 302 and role == "anonymous" and endpoint not in PUBLIC_REDIRECTS:
                assert "/login/" in response.headers["Location"], url

