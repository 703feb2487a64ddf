"""The JSON API against its OpenAPI document, checked by Schemathesis's engine as its CLI runs it.

1. Every phase runs: the document's examples; coverage (each parameter at its bounds, missing,
   of the wrong form, and every undeclared HTTP method); fuzzing, at least 100 generated
   requests per operation, valid and invalid; and the stateful phase, which follows the
   document's links (a procedure from the list, then its page, its deadline, its statistics).
2. Every check is on: no 5xx; only documented status codes, content types and headers; bodies
   matching their schema; valid requests accepted and invalid ones refused; 405 with ``Allow``
   for an undeclared method; every answer within 5 s; and the others Schemathesis has.
3. The one thing JSON Schema cannot say is a rule across parameters (a pause ends after it
   starts, a period does not end before it starts). The document states those rules in words;
   a schema-valid request refused with 400 is a finding unless it breaks one of them and the
   answer names the parameter of that rule (:func:`broken_rule`, written here from the
   document, not from the code).

Any finding fails the test with Schemathesis's message and a curl command to reproduce it.
``SCHEMATHESIS_SEED`` replays another seed (the default keeps CI reproducible).
"""
from __future__ import annotations

import os
import time
from collections import Counter
from datetime import date, datetime

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from schemathesis.openapi.checks import RejectedPositiveData
from sqlalchemy import select

from portal.api.parameters import openapi_document
from portal.catalog.models import Procedure
from portal.deadlines import VN_TZ, parse_iso
from portal.extensions import db

SEED = int(os.environ.get("SCHEMATHESIS_SEED", "766"))
MIN_EXAMPLES = 100
MAX_RESPONSE_SECONDS = 5.0
OPERATIONS = sorted(
    f"{method.upper()} {path}" for path, item in openapi_document()["paths"].items() for method in item
)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _months(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def broken_rule(label: str, query: dict, agency_of: dict[str, str], today: date) -> str | None:
    """The parameter whose rule across parameters ``query`` breaks, as the document states them."""
    if label == "GET /api/v1/deadline" and query.get("pause"):
        pauses = sorted((parse_iso(s, "pause"), parse_iso(e, "pause")) for s, e in (p.split("/") for p in query["pause"]))
        previous = parse_iso(query["received_at"])
        for start, end in pauses:
            if end < start or start < previous:
                return "pause"
            previous = end
    if label == "GET /api/v1/stats":
        first, last = _day(query.get("from")), _day(query.get("to"))
        if first and last and last < first:
            return "to"
        if first and _months(first, last or max(today, first)) >= 36:
            return "to"
        procedure, agency = query.get("procedure"), query.get("agency")
        if procedure in agency_of and agency in agency_of.values() and agency_of[procedure] != agency:
            return "procedure"
    return None


@pytest.fixture()
def schema(app):
    with app.app_context():
        agency_of = {p.code: p.agency.code for p in db.session.execute(select(Procedure)).scalars()}
    config = SchemathesisConfig.from_dict({
        "seed": SEED,
        "generation": {"mode": "all", "max-examples": MIN_EXAMPLES, "database": "none"},
        # Every check; the one with a threshold gets a generous one (seconds, for a busy CI machine).
        "checks": {"enabled": True, "max_response_time": MAX_RESPONSE_SECONDS},
        "phases": {"stateful": {"enabled": True}},
    })
    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)

    @loaded.hook
    def filter_failure(context, failure, case, response):
        """Keep every finding but a refusal the document's rules across parameters call for."""
        if not isinstance(failure, RejectedPositiveData) or response.status_code != 400:
            return True
        rule = broken_rule(case.operation.label, dict(case.query or {}), agency_of, datetime.now(VN_TZ).date())
        return rule is None or response.json().get("parameter") != rule

    return loaded


def test_the_api_holds_to_its_document(schema):
    findings: list[str] = []
    cases: Counter[tuple[str, str]] = Counter()
    phases: dict[str, Status] = {}
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.PhaseFinished):
            phases[event.phase.name.value] = event.status
        elif isinstance(event, events.ScenarioFinished):
            for node in event.recorder.cases.values():
                cases[(event.phase.value, node.value.operation.label)] += 1
            for checks in event.recorder.checks.values():
                findings += [
                    f"{event.label}: {check.name}: {check.failure_info.failure.title}\n"
                    f"{check.failure_info.failure.message}\n{check.failure_info.code_sample}"
                    for check in checks
                    if check.status == Status.FAILURE and check.failure_info is not None
                ]
        elif isinstance(event, events.NonFatalError | events.FatalError):
            findings.append(f"engine error: {getattr(event, 'info', None) or event.exception}")
    elapsed = time.monotonic() - started
    print(f"\nSchemathesis seed {SEED}, {elapsed:.1f} s; requests per phase and operation:")
    for (phase, label), count in sorted(cases.items()):
        print(f"  {phase:9} {label:32} {count}")

    assert not findings, f"{len(findings)} findings (seed {SEED}):\n\n" + "\n\n".join(findings)
    assert phases == {name: Status.SUCCESS for name in phases} and "stateful" in phases, phases
    assert all(cases[("fuzzing", label)] >= MIN_EXAMPLES for label in OPERATIONS), cases
    assert {label for phase, label in cases if phase == "stateful"} >= {
        "GET /api/v1/procedures", "GET /api/v1/procedures/{code}", "GET /api/v1/deadline", "GET /api/v1/stats"
    }


def test_the_rules_across_parameters_are_the_apis(client):
    """What the document states in words, and ``broken_rule`` models, the API does."""
    agency_of, today = {"1.004222": "000.09.27.H26", "1.001193": "000.09.19.H26"}, date(2026, 7, 1)
    cases = [
        ("/api/v1/deadline", {"procedure": "1.004222", "received_at": "2026-07-01T08:00:00+07:00",
                              "pause": "2026-07-02T08:00:00+07:00/2026-07-01T09:00:00+07:00"}, "pause"),
        ("/api/v1/deadline", {"procedure": "1.004222", "received_at": "2026-07-01T08:00:00+07:00",
                              "pause": "2026-06-30T08:00:00+07:00/2026-07-01T09:00:00+07:00"}, "pause"),
        ("/api/v1/deadline", {"procedure": "1.004222", "received_at": "2026-07-01T08:00:00+07:00",
                              "pause": ["2026-07-01T09:00+07:00/2026-07-03T09:00+07:00",
                                        "2026-07-02T09:00+07:00/2026-07-06T09:00+07:00"]}, "pause"),
        ("/api/v1/stats", {"from": "2026-03-01", "to": "2026-02-28"}, "to"),
        ("/api/v1/stats", {"from": "2026-01-01", "to": "2029-01-01"}, "to"),
        ("/api/v1/stats", {"agency": "000.09.27.H26", "procedure": "1.001193"}, "procedure"),
    ]
    for path, query, parameter in cases:
        response = client.get(path, query_string=query)
        assert (response.status_code, response.get_json()["parameter"]) == (400, parameter), (query, response.get_json())
        label = f"GET {path}"
        listed = {k: (v if isinstance(v, list) or k != "pause" else [v]) for k, v in query.items()}
        assert broken_rule(label, listed, agency_of, today) == parameter
    at_limit = client.get("/api/v1/stats", query_string={"from": "2026-01-01", "to": "2028-12-31"})
    assert at_limit.status_code == 200 and broken_rule("GET /api/v1/stats", {"from": "2026-01-01", "to": "2028-12-31"}, agency_of, today) is None
