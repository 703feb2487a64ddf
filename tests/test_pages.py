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
