"""The catalog answers 304 to a client that already holds it (issue 19)."""
from __future__ import annotations


def test_the_catalog_page_answers_304_to_the_same_browser(app):
    browser = app.test_client()
    first = browser.get("/procedures", query_string={"q": "cư trú"})
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    again = browser.get("/procedures", query_string={"q": "cư trú"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # Another search is another page.
    other = browser.get("/procedures", query_string={"q": "khai sinh"}, headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_a_procedure_page_answers_304_and_never_to_another_session(app):
    browser = app.test_client()
    etag = browser.get("/procedures/1.004194").headers["ETag"]
    assert browser.get("/procedures/1.004194", headers={"If-None-Match": etag}).status_code == 304
    # Its forms carry the first browser's token: another browser gets the page drawn for it.
    assert app.test_client().get("/procedures/1.004194", headers={"If-None-Match": etag}).status_code == 200


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
