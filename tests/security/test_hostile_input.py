"""Hostile input never becomes a 500: every route, as a visitor who may use it, with every URL
part, query parameter and form field set to values chosen to break parsers (ASVS V5.1).

A value the portal cannot read is a 4xx with a message, never a stack trace: ``"²"`` passes
``str.isdigit()`` but not ``int()``, a 30-digit number overflows the database's integers, a
NUL byte is refused by PostgreSQL, and markup must come back escaped.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pytest
from flask import Flask

from tests.security.conftest import ANONYMOUS, World
from tests.security.test_access_matrix import RULES, allowed_role

HOSTILE = {
    "superscript": "²",
    "other_digits": "١٢٣",
    "huge": "9" * 30,
    "injection": "1' OR '1'='1' --\"><script>alert(1)</script>../../etc/passwd",
    "nul": "a\x00b",
    "empty": "",
}
# Every name a form or a query string of the portal reads.
FIELDS = (
    "page", "from", "to", "format", "code", "id_last4", "q", "field", "agency", "procedure", "status", "channel",
    "deadline", "personal_id", "province", "received_at", "delivery", "lang", "pause", "measure", "basis",
    "version", "assignee", "amount", "remove", "items", "note", "text", "is_refusal", "new_due_at",
    "tracking_number", "score", "comment", "confirm", "reason", "payment", "outcome", "reference",
    "transaction", "signature", "next", "refresh", "return_to", "username", "password", "day", "kind",
    "legal_reference", "full_name", "role", "is_enabled", "inline",
    "doc_legal_residence-reuse", "legal_residence-reuse", "delivery_address-province", "delivery_address-ward",
)
# Actions whose forms read numbers: the officer's dossier page posts them.
ACTIONS = ("assign", "request_payment", "propose_extension", "ship")


def _cases() -> list[tuple[str, str, str]]:
    return [(endpoint, method, kind) for endpoint, method in sorted(RULES) if endpoint != "static" for kind in HOSTILE]


@pytest.mark.parametrize(("endpoint", "method", "kind"), _cases())
def test_hostile_values_get_an_answer_not_a_crash(app: Flask, world: World, browser_as, endpoint, method, kind):
    rule = RULES[(endpoint, method)]
    value = HOSTILE[kind]
    with app.app_context():
        values = rule.values(world)
        # The route's own inputs (the dossier's version, a valid code…) get past the first
        # checks, so the hostile values reach the code behind them too.
        real = {**rule.data(world), **dict(parse_qsl(rule.query.format(**vars(world))))}
    client = browser_as(allowed_role(endpoint, method), fresh=endpoint == "auth.logout")
    hostile = {name: value for name in FIELDS}
    for fields in (hostile, {**hostile, **real}):
        for url_values in _variants(values, value):
            for url in _urls(app, endpoint, url_values):
                response = client.open(url, method=method, query_string=fields if method == "GET" else None,
                                       data=fields if method != "GET" else None)
                with response:
                    assert response.status_code < 500, (method, url, kind, response.get_data(as_text=True)[:500])
                    if response.mimetype == "text/html":
                        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def _variants(values: dict[str, object], value: str) -> list[dict[str, object]]:
    """The real URL values, then each string part replaced by the hostile value."""
    variants = [values]
    for name, real in values.items():
        if isinstance(real, str) and value and "/" not in value:
            variants.append({**values, name: value})
    if "name" in values:
        variants += [{**values, "name": action} for action in ACTIONS]
    return variants


def _urls(app: Flask, endpoint: str, values: dict[str, object]) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules(endpoint):
        try:
            urls.append(rule.build({**(rule.defaults or {}), **values}, append_unknown=False)[1])
        except ValueError:
            continue  # a converter that cannot even build this value: the router refuses it
    return urls


@pytest.mark.parametrize("path", [
    "/my/documents/99999999999999999999",
    "/my/dossiers/X/attachments/4294967296",
    "/admin/officers/2147483648",
    "/eforms/places/99999999999999999999/wards",
])
def test_ids_beyond_the_database_integers_are_not_found(app, browser_as, path):
    role = "admin" if path.startswith("/admin") else "citizen_a"
    assert browser_as(role).get(path).status_code == 404


def test_the_reflected_code_on_the_tracking_page_is_escaped(app, browser_as):
    page = browser_as(ANONYMOUS).get("/track", query_string={"code": '"><img src=x onerror=alert(1)>'}).get_data(as_text=True)
    assert "<img src=x" not in page and re.search(r"&#34;&gt;&lt;img src=x", page)
