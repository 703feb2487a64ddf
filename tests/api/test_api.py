from __future__ import annotations

import pytest
from openapi_spec_validator import validate


def test_list_procedures(client):
    body = client.get("/api/v1/procedures").get_json()
    assert body["count"] == 12  # the six of the first waves, four components and two linked procedures (issue 21)
    codes = {p["code"] for p in body["items"]}
    assert {"1.004222", "1.004194", "1.001193"} <= codes


def test_list_procedures_filters_like_the_page(client):
    body = client.get("/api/v1/procedures", query_string={"q": "tam tru"}).get_json()
    assert [p["code"] for p in body["items"]] == ["1.004194"]
    body = client.get("/api/v1/procedures", query_string={"field": "ho-tich"}).get_json()
    assert {p["code"] for p in body["items"]} == {"1.001193", "1.004873", "1.000656"}


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


@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        ("/api/v1/procedures", {"q": "x" * 201}, "q"),
        ("/api/v1/procedures", {"field": "Cư trú"}, "field"),
        ("/api/v1/procedures", {"agency": ""}, "agency"),
        ("/api/v1/procedures/1.4222", {}, "code"),
        ("/api/v1/stats", {"to": ""}, "to"),
        ("/api/v1/stats", {"from": "2026-02-30"}, "from"),
        ("/api/v1/stats", {"from": "2026-01-01", "to": "2026-03-01\n"}, "to"),
        ("/api/v1/deadline", {"procedure": "1.004222", "received_at": "2026-07-01T08:00:00+07:00", "channel": ["online", "post"]}, "channel"),
        ("/api/v1/deadline", {"procedure": "1.004222", "received_at": "1999-12-31T08:00:00+07:00"}, "received_at"),
        ("/api/v1/deadline", {"procedure": "1.004222", "received_at": "2026-07-01T08:00:00+07:00", "pause": "2026-07-01T09:00"}, "pause"),
    ],
)
def test_a_parameter_not_of_the_documented_form_is_400_naming_it(client, path, query, parameter):
    response = client.get(path, query_string=query)
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter and parameter in response.get_json()["message"]


def test_what_the_document_allows_is_accepted(client):
    assert client.get("/api/v1/procedures", query_string={"q": "x" * 200}).get_json()["count"] == 0
    # An unencoded "+" arrives as a space; without an offset the time is Vietnam time.
    for received_at in ("2026-07-01T08:00 07:00", "2026-07-01T08:00", "2026-07-01T01:00:00.5Z"):
        response = client.get("/api/v1/deadline", query_string={"procedure": "1.004222", "received_at": received_at})
        assert response.status_code == 200 and response.get_json()["received_at"].startswith("2026-07-01T08:00")
    assert client.get("/api/v1/tracking/000.09.27.h26-260701-0001").status_code == 404  # lower case read as upper


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("post", "/api/v1/procedures", {"GET", "HEAD", "OPTIONS"}),
    ("delete", "/api/v1/tracking/000.09.27.H26-260701-0001", {"GET", "HEAD", "OPTIONS"}),
    ("put", "/track", {"GET", "HEAD", "OPTIONS", "POST"}),
])
def test_a_method_not_allowed_says_which_are(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed


def test_a_value_is_checked_as_it_was_sent(client):
    """The portal tidies people's text (spaces, ends); an API parameter must be of the
    documented form as sent."""
    response = client.get("/api/v1/procedures/1.004222%20")
    assert response.status_code == 400 and response.get_json()["parameter"] == "code"
    response = client.get("/api/v1/stats?to=2026-03-01%0A")
    assert response.status_code == 400 and response.get_json()["parameter"] == "to"
    # 201 characters as sent (133 once its double spaces are made single): longer than the 200 allowed.
    response = client.get("/api/v1/procedures?q=" + "x%20%20" * 67)
    assert response.status_code == 400 and response.get_json()["parameter"] == "q"
