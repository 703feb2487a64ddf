"""Site-wide behaviour: landmarks, language switch, error pages, migrations."""
from __future__ import annotations

import re

from flask import Flask


def test_home_page_has_landmarks_and_a_search(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert '<main id="main"' in page and "<header" in page and "<footer" in page and "<nav" in page
    assert 'href="#main"' in page  # skip link
    assert "Dịch vụ công trực tuyến toàn trình" in page
    assert re.search(r'<label for="home-q">[^<]+</label>', page)
    assert "Đăng nhập bằng VNeID" in page


def test_language_switch_to_english_and_back(client):
    response = client.post("/language", data={"lang": "en", "next": "/procedures?q=tam"})
    assert response.headers["Location"] == "/procedures?q=tam"
    page = client.get("/procedures?q=tam").get_data(as_text=True)
    assert '<html lang="en">' in page and "Find a procedure" in page
    client.post("/language", data={"lang": "vi", "next": "/"})
    assert "Tìm thủ tục" in client.get("/procedures").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_foreign_targets(client):
    response = client.post("/language", data={"lang": "fr", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Không tìm thấy trang" in page and "Về trang chủ" in page


def test_unknown_api_path_is_json(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.is_json


def test_a_crash_shows_a_calm_500_page(make_app):
    app: Flask = make_app()

    @app.route("/_test/crash")
    def crash():
        raise RuntimeError("boom")

    response = app.test_client().get("/_test/crash")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Hệ thống gặp sự cố" in page and "không bị mất" in page
    assert "boom" not in page and "Traceback" not in page


def test_links_follow_the_prefix_the_site_is_served_under(client):
    """The navigation's and the static files' links are built once per prefix (portal.web.link):
    a site served under /portal links there, the same process serving at / links at /."""
    under = client.get("/track", base_url="http://localhost/portal/").get_data(as_text=True)
    assert 'href="/portal/procedures"' in under and 'href="/portal/static/css/portal.css"' in under
    assert 'action="/portal/language"' in under
    at_root = client.get("/track").get_data(as_text=True)
    assert 'href="/procedures"' in at_root and 'href="/static/css/portal.css"' in at_root
    assert "/portal/" not in at_root


def test_links_with_values_are_built_for_each_page(client):
    """A link naming a record is built where it is drawn (only links to an endpoint alone, or to
    a static file, are kept): two procedures' pages link each to its own application."""
    page = client.get("/procedures").get_data(as_text=True)
    codes = re.findall(r'href="/procedures/([0-9.]+)"', page)
    assert len(set(codes)) > 1


def test_no_url_defaults_are_registered(app: Flask):
    """portal.web.link keeps the links to an endpoint alone: a ``url_defaults`` function would
    make them depend on the request, and link would then have to build them every time."""
    assert not any(app.url_default_functions.values())
