"""Tracking under load (issue 19): one round trip per lookup, ETag and 304, caching per page kind."""
from __future__ import annotations

from tests.statements import statements_sent


def _queries(statements) -> list[str]:
    """What the request asked the database, leaving out transaction control (BEGIN, COMMIT)."""
    return [s.sql for s in statements if s.verb in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")]


def test_the_tracking_api_reads_the_dossier_and_its_events_in_one_query(app, make_dossier, officers):
    code = make_dossier()
    officers["intake1"].act(code, "accept", note="Hồ sơ hợp lệ.")
    anonymous = app.test_client()
    anonymous.get(f"/api/v1/tracking/{code}")  # the first request of a process warms caches up
    with statements_sent(app) as statements:
        response = anonymous.get(f"/api/v1/tracking/{code}")
    assert response.status_code == 200 and response.get_json()["timeline"][-1]["note"] == "Hồ sơ hợp lệ."
    assert len(_queries(statements)) == 1, _queries(statements)


def test_the_tracking_page_reads_the_dossier_in_one_query(app, make_dossier):
    code = make_dossier()
    anonymous = app.test_client()
    anonymous.get("/track", query_string={"code": code})
    with statements_sent(app) as statements:
        page = anonymous.get("/track", query_string={"code": code})
    assert page.status_code == 200 and code in page.get_data(as_text=True)
    assert len(_queries(statements)) == 1, _queries(statements)


def test_the_tracking_api_answers_304_until_the_dossier_changes(app, make_dossier, officers):
    code = make_dossier()
    client = app.test_client()
    first = client.get(f"/api/v1/tracking/{code}")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=30"

    again = client.get(f"/api/v1/tracking/{code}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag

    officers["intake1"].act(code, "accept")
    changed = client.get(f"/api/v1/tracking/{code}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["status"] == "accepted"


def test_another_dossier_never_matches_the_tag(app, make_dossier):
    first, second = make_dossier(), make_dossier()
    client = app.test_client()
    etag = client.get(f"/api/v1/tracking/{first}").headers["ETag"]
    other = client.get(f"/api/v1/tracking/{second}", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.get_json()["code"] == second


def test_the_tracking_page_is_shared_and_answers_304_until_the_dossier_changes(app, make_dossier, officers):
    code = make_dossier()
    browser = app.test_client()
    first = browser.get("/track", query_string={"code": code})
    etag = first.headers["ETag"]
    # The page has no form token and opens no session: a proxy may keep it for everyone.
    assert first.headers["Cache-Control"] == "public, max-age=30" and "Cookie" in first.headers["Vary"]
    assert "Set-Cookie" not in first.headers and 'name="csrf_token"' not in first.get_data(as_text=True)

    again = browser.get("/track", query_string={"code": code}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # Another browser holding the code sees the same page, so the same tag is good for it too.
    stranger = app.test_client()
    assert stranger.get("/track", query_string={"code": code}, headers={"If-None-Match": etag}).status_code == 304

    officers["intake1"].act(code, "accept", note="Đã tiếp nhận.")
    changed = browser.get("/track", query_string={"code": code}, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Đã tiếp nhận." in changed.get_data(as_text=True)


def test_a_visitor_who_chose_english_gets_their_own_tracking_page(app, make_dossier):
    code = make_dossier()
    shared = app.test_client().get("/track", query_string={"code": code})
    english = app.test_client()
    english.post("/language", data={"lang": "en", "next": "/"})
    page = english.get("/track", query_string={"code": code}, headers={"If-None-Match": shared.headers["ETag"]})
    assert page.status_code == 200 and "Track a dossier" in page.get_data(as_text=True)
    # Kept by this browser only: the language lives in its session.
    assert page.headers["Cache-Control"] == "private, no-cache" and "Cookie" in page.headers["Vary"]


def test_personal_details_are_never_kept(app, make_dossier, citizen_id, citizen):
    code = make_dossier()
    detailed = app.test_client().post("/track", data={"code": code, "id_last4": citizen_id[-4:]})
    assert detailed.headers["Cache-Control"] == "private, no-store" and "ETag" not in detailed.headers
    by_link = app.test_client().get("/track", query_string={"code": code, "id_last4": citizen_id[-4:]})
    assert by_link.headers["Cache-Control"] == "private, no-store" and "ETag" not in by_link.headers
    own = citizen.get("/track", query_string={"code": code})
    assert "no-store" in own.headers["Cache-Control"] and "ETag" not in own.headers
    own_json = citizen.get(f"/api/v1/tracking/{code}")
    assert own_json.headers["Cache-Control"] == "no-store" and "ETag" not in own_json.headers


def test_an_unknown_code_is_not_cached(app):
    response = app.test_client().get("/api/v1/tracking/000.09.27.H26-260701-9999")
    assert response.status_code == 404 and "ETag" not in response.headers
    assert "public" not in response.headers.get("Cache-Control", "")

