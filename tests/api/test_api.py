from __future__ import annotations

import pytest
from openapi_spec_validator import validate


def test_list_procedures(client):
    body = client.get("/api/v1/procedures").get_json()
    assert body["count"] == 6
    codes = {p["code"] for p in body["items"]}
    assert {"1.004222", "1.004194", "1.001193"} <= codes


def test_list_procedures_filters_like_the_page(client):
    body = client.get("/api/v1/procedures", query_string={"q": "tam tru"}).get_json()
    assert [p["code"] for p in body["items"]] == ["1.004194"]
    body = client.get("/api/v1/procedures", query_string={"field": "ho-tich"}).get_json()
    assert {p["code"] for p in body["items"]} == {"1.001193", "1.004873"}


def test_procedure_detail(client):
    body = client.get("/api/v1/procedures/1.004222").get_json()
    assert body["name"]["vi"] == "Đăng ký thường trú"
    assert body["fee"] == {"counter": 20000, "online": 10000, "currency": "VND"}
    assert body["processing_time"] == {"value": 7, "unit": "working_days"}
    assert body["online_discount_pct"] == 20
    assert body["agency"]["code"] == "000.09.27.H26"
    assert "post" in body["result_deliveries"]
    assert body["required_documents"][0]["key"] == "ct01"


def test_unknown_procedure_is_a_json_404(client):
    response = client.get("/api/v1/procedures/0.000000")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["status"] == 404
    assert "0.000000" in response.get_json()["message"]


def test_openapi_document_is_valid_openapi_3(client):
    document = client.get("/api/openapi.json").get_json()
    validate(document)
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/procedures", "/api/v1/procedures/{code}", "/api/v1/deadline"} <= set(document["paths"])


def test_every_api_route_is_documented(app):
    document = app.test_client().get("/api/openapi.json").get_json()
    documented = set(document["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule.replace("<", "{").replace(">", "}")
            assert path in documented, f"{rule.rule} is missing from the OpenAPI document"


@pytest.mark.parametrize("url", [
    "/api/v1/procedures?q=h%00",
    "/api/v1/procedures/1.0%0004222",
    "/procedures?q=h%00",
])
def test_a_nul_character_is_refused_not_a_server_error(client, url):
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api"):
        assert response.json["message"] == "Yêu cầu chứa ký tự không được phép."
