"""The catalog answers 304 to a client that already holds it (issue 19)."""
from __future__ import annotations

from portal.security import is_shareable


def test_the_catalog_page_answers_304_and_may_be_kept_by_a_proxy(app):
    browser = app.test_client()
    first = browser.get("/procedures", query_string={"q": "cư trú"})
    # No form token, no session: the same page for every visitor who has not signed in.
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=30"
    assert "Set-Cookie" not in first.headers
    etag = first.headers["ETag"]
    again = browser.get("/procedures", query_string={"q": "cư trú"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # Another search is another page.
    other = browser.get("/procedures", query_string={"q": "khai sinh"}, headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_a_procedure_page_answers_304_and_never_in_another_language(app):
    browser = app.test_client()
    etag = browser.get("/procedures/1.004194").headers["ETag"]
    assert browser.get("/procedures/1.004194", headers={"If-None-Match": etag}).status_code == 304
    assert app.test_client().get("/procedures/1.004194", headers={"If-None-Match": etag}).status_code == 304
    # A browser that chose English gets the page drawn in English, kept by that browser only.
    english = app.test_client()
    english.post("/language", data={"lang": "en", "next": "/"})
    page = english.get("/procedures/1.004194", headers={"If-None-Match": etag})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-cache"
    assert '<html lang="en">' in page.get_data(as_text=True)


def test_the_catalog_api_may_be_kept_by_a_proxy_and_answers_304(app):
    client = app.test_client()
    first = client.get("/api/v1/procedures/1.004194")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=30"
    again = client.get("/api/v1/procedures/1.004194", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    listing = client.get("/api/v1/procedures")
    assert client.get("/api/v1/procedures", headers={"If-None-Match": listing.headers["ETag"]}).status_code == 304


def test_a_signed_in_person_s_catalog_page_is_not_kept(citizen):
    page = citizen.get("/procedures")
    assert page.headers["Cache-Control"] == "no-store" and "ETag" not in page.headers


def test_the_home_page_may_be_kept_by_a_proxy_and_answers_304(app, citizen):
    visitor = app.test_client()
    first = visitor.get("/")
    assert first.headers["Cache-Control"] == "public, max-age=30" and "Set-Cookie" not in first.headers
    assert visitor.get("/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    signed_in = citizen.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert signed_in.status_code == 200 and signed_in.headers["Cache-Control"] == "no-store"
    assert "ETag" not in signed_in.headers


def test_a_page_showing_a_message_once_is_never_shared(app):
    """A message shown once leaves the session empty after the page is drawn: the page is still
    this browser's own, since the request came with its session."""
    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "Bạn đã đăng xuất.")]
    page = visitor.get("/")
    assert "Bạn đã đăng xuất." in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-cache"
    # Whatever the session holds once drawn, a request that came with one is not shared.
    with app.test_request_context("/", headers={"Cookie": "session=anything"}):
        assert not is_shareable()
    with app.test_request_context("/"):
        assert is_shareable()
