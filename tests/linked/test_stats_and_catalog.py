"""Linked procedures in the catalog and the API (components and their agencies), and in the
statistics: each component dossier counted for its own agency, and the groups as groups."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openapi_schema_validator import OAS31Validator

from portal.catalog.service import CATALOG_FILE, CatalogError, load_catalog_file
from tests.conftest import Officer
from tests.linked.helpers import AGENCIES, BIRTH, CARD, RESIDENCE, approve, group_of, newborn_answers, submit_linked

LINKED = "2.002621"


@pytest.mark.parametrize(("linked", "components"), [
    ("2.002621", [("1.001193", "000.09.19.H26", None), ("1.004222", "000.09.27.H26", "1.001193"),
                  ("9.000001", "000.00.45.H26", "1.001193")]),
    ("2.002913", [("1.000656", "000.09.19.H26", None), ("1.003197", "000.09.27.H26", "1.000656"),
                  ("9.000002", "000.00.45.H26", "1.000656")]),
])
def test_the_api_lists_a_linked_procedures_components_and_their_agencies(client, linked, components):
    body = client.get(f"/api/v1/procedures/{linked}").get_json()
    schema = client.get("/api/openapi.json").get_json()
    OAS31Validator({**schema["components"]["schemas"]["ProcedureDetail"], "components": schema["components"]}).validate(body)
    assert [(c["code"], c["agency"]["code"], c["waits_for"]) for c in body["components"]] == components
    assert body["components"][0]["name"]["vi"] in ("Đăng ký khai sinh", "Đăng ký khai tử")
    assert body["fee"] == {"counter": 0, "online": 0, "currency": "VND"}
    assert client.get("/api/v1/procedures/1.004222").get_json()["components"] == []


def test_the_catalog_page_shows_the_components(client):
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get(f"/procedures/{LINKED}").get_data(as_text=True)
    for name, agency in (("Birth registration", "People&#39;s Committee of Ba Dinh Ward"),
                         ("Permanent residence registration", "Ba Dinh Ward Police"),
                         ("Health insurance card for a child under six", "Hanoi Social Security")):
        card = page.split(f'data-component="', 1)[1]
        assert name in page and agency in page, (name, agency, card[:200])
    assert page.count("Starts when “Birth registration” has its result.") == 2
    assert "Children are exempt from the residence registration fee" in page


def _with(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))
    linked = next(p for p in data["procedures"] if p["code"] == LINKED)
    change(linked)
    target = tmp_path / "catalog.yaml"
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


@pytest.mark.parametrize(("change", "message"), [
    (lambda p: p["components"].append({"code": "9.999999"}), "no single procedure"),
    (lambda p: p["components"][1].update(waits_for="9.000001"), "not listed before it"),
    (lambda p: p["components"][1].pop("fee_exemption_vi"), "has a fee"),
    (lambda p: p.update(agency="000.09.27.H26"), "agency of a linked procedure"),
    (lambda p: p.update(components=p["components"][:1]), "at least two"),
])
def test_a_broken_linked_procedure_is_refused_at_load(tmp_path, change, message):
    with pytest.raises(CatalogError, match=message):
        load_catalog_file(_with(tmp_path, change))


def test_statistics_count_components_for_their_agencies_and_the_groups(app, citizen, citizen_id, child_name, client):
    from tests.linked.conftest import _NAMES

    refused = group_of(app, submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name)))
    assert Officer(app, "intake2").act(refused[BIRTH].code, "refuse", note="Thiếu giấy chứng sinh.").status_code == 302
    second = next(_NAMES)
    try:
        done = group_of(app, submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(second)))
        approve(app, done[BIRTH].code, BIRTH)
        before = client.get("/api/v1/stats").get_json()["linked_groups"]
        assert before == {"received": 2, "completed": 0, "ended": 1, "processing": 1}
        approve(app, done[RESIDENCE].code, RESIDENCE)
        approve(app, done[CARD].code, CARD)
    finally:
        from tests.linked.helpers import forget_people

        forget_people(app.config["REGISTRY_DATABASE_URL"], [second])
    body = client.get("/api/v1/stats").get_json()
    assert body["linked_groups"] == {"received": 2, "completed": 1, "ended": 1, "processing": 0}
    schema = client.get("/api/openapi.json").get_json()
    OAS31Validator({**schema["components"]["schemas"]["Stats"], "components": schema["components"]}).validate(body)
    for team, code in (("2", BIRTH), ("1", RESIDENCE), ("4", CARD)):
        agency = client.get("/api/v1/stats", query_string={"agency": AGENCIES[team]}).get_json()
        assert agency["received"]["received"] == 2  # one component dossier of each group, at its own agency
        assert [p["code"] for p in agency["procedures"]] == [code]
        assert agency["linked_groups"]["received"] == 2
    by_agency = client.get("/api/v1/stats", query_string={"agency": AGENCIES["4"]}).get_json()
    assert by_agency["received"]["stopped"] == 1 and by_agency["completed"]["completed"] == 1
    linked = client.get("/api/v1/stats", query_string={"procedure": LINKED}).get_json()
    assert linked["linked_groups"]["received"] == 2 and linked["received"]["received"] == 0
    page = Officer(app, "leader4").client.get("/stats").get_data(as_text=True)
    assert "data-linked-groups" in page
