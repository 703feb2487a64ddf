"""The dashboard pages, their CSV exports and the API, on the known set; who may see what."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openapi_schema_validator import OAS31Validator

from tests.conftest import login_citizen, login_officer
from tests.stats.conftest import POLICE, WARD

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _officer(app, username: str):
    client = app.test_client()
    login_officer(client, username)
    return client


def test_anyone_sees_the_public_figures(known_set, client):
    page = client.get("/stats", query_string=MARCH).get_data(as_text=True)
    assert "<h1>Chỉ số chất lượng phục vụ</h1>" in page
    assert 'id="table-rates"' in page and "58,3\u00a0%" in page  # online: 7 of 12
    assert "<svg" in page and "<script>" not in page and "style=" not in page
    assert "/officer/stats/dossiers" not in page  # no drill-down for the public
    assert 'href="/stats"' in client.get("/").get_data(as_text=True)  # linked from every page


def test_csv_exports_say_what_the_page_says(known_set, client):
    rows = _csv(client.get("/stats/outcomes.csv", query_string=MARCH))
    assert [row[1:] for row in rows[1:]] == [["2", "2"], ["2", "3"], ["1", "0"], ["5", "5"]]
    rates = {row[0]: row[1:] for row in _csv(client.get("/stats/rates.csv", query_string=MARCH))[1:]}
    assert rates["Tỷ lệ thanh toán trực tuyến"][:3] == ["4", "11", "36.4"]
    months = _csv(client.get("/stats/months.csv", query_string={"from": "2026-02-01", "to": "2026-03-31"}))
    assert [row[:3] for row in months[1:]] == [["2026-02", "1", "0"], ["2026-03", "12", "7"]]
    assert client.get("/stats/nothing.csv").status_code == 404


def test_the_api_gives_the_page_numbers(app, known_set, client):
    body = client.get("/api/v1/stats", query_string=MARCH).get_json()
    document = client.get("/api/openapi.json").get_json()
    OAS31Validator({"$ref": "#/components/schemas/Stats", "components": document["components"]}).validate(body)
    assert body["scope"] == {"from": "2026-03-01", "to": "2026-03-31", "agency": None, "procedure": None}
    assert body["received"]["received"] == 12 and body["rates"]["online"] == {"numerator": 7, "denominator": 12,
                                                                               "rate": 0.5833}
    assert body["completed"]["legal"] == {"early": 2, "on_time": 3, "late": 0}
    assert body["completed"]["processing_days"] == {"average": 1.62, "median": 1.12}
    assert body["satisfaction"]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    # Every count of every exported table is the API's.
    intake = {row[0]: int(row[1]) for row in _csv(client.get("/stats/intake.csv", query_string=MARCH))[1:]}
    assert list(intake.values()) == [body["received"][k] for k in
                                     ("received", "accepted", "not_accepted", "withdrawn", "stopped", "waiting_intake")]
    procedures = _csv(client.get("/stats/procedures.csv", query_string=MARCH))[1:]
    assert [(row[1], int(row[2]), int(row[4])) for row in procedures] == [
        (p["code"], p["received"], p["completed"]) for p in body["procedures"]]
    scores = _csv(client.get("/stats/scores.csv", query_string=MARCH))[1:]
    assert [float(row[1]) for row in scores[:-1]] == [s["score"] for s in body["scores"]]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"from": "2026-3-1"}, "from"),
        ({"from": "2026-02-30"}, "from"),
        ({"to": "1999-12-31"}, "to"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "to"),
        ({"from": "2023-01-01", "to": "2026-01-01"}, "to"),
        ({"agency": WARD, "procedure": "1.004194"}, "procedure"),
    ],
)
def test_the_api_names_the_bad_parameter(client, query, parameter):
    response = client.get("/api/v1/stats", query_string=query)
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter


@pytest.mark.parametrize("query", [{"agency": "000.00.00.X00"}, {"procedure": "9.999999"}])
def test_unknown_agency_or_procedure_is_404(client, query):
    response = client.get("/api/v1/stats", query_string=query)
    assert response.status_code == 404 and response.is_json


def test_a_bad_period_on_the_page_is_explained(client):
    response = client.get("/stats", query_string={"from": "2026-03-31", "to": "2026-03-01"})
    assert response.status_code == 400
    assert 'href="#f-to"' in response.get_data(as_text=True)


def test_officers_see_their_agency_with_the_dossiers_behind_each_number(app, known_set):
    intake = _officer(app, "intake1")
    page = intake.get("/officer/stats", query_string=MARCH).get_data(as_text=True)
    assert "Công an phường Ba Đình" in page
    links = re.findall(r'href="(/officer/stats/dossiers\?[^"]+)"', page)
    on_time = next(link for link in links if "measure=on_time" in link and "procedure" not in link)
    listed = intake.get(on_time.replace("&amp;", "&")).get_data(as_text=True)
    # D2 is the police's dossier completed on time; D6, on time too, is the ward's.
    assert known_set.codes["D2"] in listed and known_set.codes["D6"] not in listed
    assert "(1)" in listed
    # A page past the end, even one larger than any offset the database takes, is the last page.
    last = intake.get(on_time.replace("&amp;", "&") + "&page=2147483647")
    assert last.status_code == 200 and known_set.codes["D2"] in last.get_data(as_text=True)


def test_a_large_count_is_written_as_the_dashboard_writes_it(app, known_set, monkeypatch):
    import portal.stats.views as views

    monkeypatch.setattr(views, "count_rows", lambda statement: 200_997)  # a ministry's year
    intake = _officer(app, "intake1")
    query = {"measure": "received", **MARCH}
    page = intake.get("/officer/stats/dossiers", query_string=query).get_data(as_text=True)
    assert '<span class="count">(200.997)</span>' in page and "<span>Trang 1/10.050</span>" in page
    intake.post("/language", data={"lang": "en", "next": "/officer/stats"})
    page = intake.get("/officer/stats/dossiers", query_string=query).get_data(as_text=True)
    assert '<span class="count">(200,997)</span>' in page and "<span>Page 1 of 10,050</span>" in page


def test_an_officer_cannot_look_into_another_agency(app, known_set):
    intake = _officer(app, "intake1")
    assert intake.get("/officer/stats", query_string={"agency": WARD}).status_code == 403
    assert intake.get("/officer/stats/dossiers", query_string={"measure": "on_time", "agency": WARD,
                                                               **MARCH}).status_code == 403
    assert intake.get("/officer/stats/months.csv", query_string={"agency": WARD}).status_code == 403


def test_the_administrator_picks_any_agency(app, known_set):
    admin = _officer(app, "admin")
    page = admin.get("/officer/stats", query_string={"agency": WARD, **MARCH}).get_data(as_text=True)
    assert "UBND phường Ba Đình" in page or "Ủy ban nhân dân phường Ba Đình" in page
    listed = admin.get("/officer/stats/dossiers", query_string={"measure": "on_time", "agency": WARD, **MARCH})
    assert known_set.codes["D6"] in listed.get_data(as_text=True)
    assert known_set.codes["D2"] not in listed.get_data(as_text=True)
    assert POLICE in admin.get("/officer/stats", query_string=MARCH).get_data(as_text=True)


def test_only_officers_open_the_agency_pages(app, client, citizen_id):
    assert client.get("/officer/stats").status_code == 302  # to the sign-in page
    assert client.get("/officer/stats/dossiers?measure=received").status_code == 302
    login_citizen(client, citizen_id)
    assert client.get("/officer/stats").status_code == 403
    assert client.get("/stats").status_code == 200
