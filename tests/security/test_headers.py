"""Security headers on every response (ASVS V14.4) and a CSP the templates can live with."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.security import is_local_path, mask_personal_ids, parse_number

ROOT = Path(__file__).resolve().parents[2]
STRICT = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@pytest.mark.parametrize(("role", "path"), [
    ("anonymous", "/"),
    ("anonymous", "/track?code=nope"),
    ("anonymous", "/api/v1/procedures"),
    ("anonymous", "/static/js/portal.js"),
    ("anonymous", "/no-such-page"),
    ("citizen_a", "/my/dossiers"),
    ("intake1", "/officer/queues/all"),
])
def test_every_response_carries_the_headers(browser_as, role, path):
    with browser_as(role).get(path) as response:
        headers = response.headers
        assert headers["Content-Security-Policy"] == STRICT
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers  # plain http: HSTS would be ignored


def test_pages_of_a_signed_in_person_are_not_cached(browser_as):
    response = browser_as("citizen_a").get("/my/dossiers")
    assert response.headers["Cache-Control"] == "no-store" and "Cookie" in response.headers["Vary"]
    # The public catalog carries no form token: a proxy may keep it for visitors without a
    # session; once the visitor has one (here the language chosen) it is the browser's own.
    anonymous = browser_as("anonymous")
    assert anonymous.get("/procedures").headers["Cache-Control"] == "public, max-age=30"
    anonymous.post("/language", data={"lang": "en", "next": "/"})
    assert anonymous.get("/procedures").headers["Cache-Control"] == "private, no-cache"


def test_the_officer_page_may_show_uploaded_pdfs_inline(browser_as, world):
    """<object> on the dossier page, and only that page; only the attachment may be framed."""
    page = browser_as("intake1").get(f"/officer/dossiers/{world.submitted}")
    assert "object-src 'self'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    document = browser_as("intake1").get(f"/officer/dossiers/{world.submitted}/attachments/{world.attachment_id}?inline=1")
    assert "frame-ancestors 'self'" in document.headers["Content-Security-Policy"]
    assert "object-src 'none'" in document.headers["Content-Security-Policy"]
    assert document.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_hsts_behind_a_tls_proxy(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    client = app.test_client()
    behind_tls = client.get("/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    assert behind_tls.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/").headers
    # Without a trusted proxy, a client cannot claim TLS (or another address) by itself.
    untrusted = make_app().test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in untrusted.headers


def test_templates_and_scripts_need_no_inline_code():
    """The CSP has no 'unsafe-inline': no <script> body, style attribute or on… handler in any
    page template (the PDF slips under templates/paperwork are not served as HTML)."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "paperwork" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle\s*=", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(path.relative_to(ROOT))
    for path in (ROOT / "static" / "js").glob("*.js"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\beval\(|new Function\(|innerHTML\s*=|setAttribute\(\s*[\"']on", text):
            offenders.append(path.relative_to(ROOT))
    assert offenders == []


@pytest.mark.parametrize(("target", "is_local"), [
    ("/procedures", True),
    ("/my/dossiers?page=2", True),
    ("//evil.example", False),
    ("/\\evil.example", False),
    ("/\t/evil.example", False),
    ("https://evil.example", False),
    ("", False),
])
def test_only_local_paths_are_followed(target, is_local):
    assert is_local_path(target) is is_local


def test_the_language_switch_does_not_leave_the_site(browser_as):
    """Browsers read "/\\evil.example" as "//evil.example": that was an open redirect."""
    response = browser_as("anonymous").post("/language", data={"lang": "en", "next": "/\\evil.example"})
    assert response.headers["Location"] == "/"


def test_sign_in_does_not_leave_the_site(app, browser_as, world):
    client = app.test_client()
    response = client.post("/login/citizen?next=/%5Cevil.example", data={"personal_id": world.citizen_a, "password": "vneid-demo"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(("value", "number"), [
    ("42", 42), ("2147483647", 2147483647), ("2147483648", None), ("²", None), ("١", None), ("-1", None), ("", None), (None, None),
])
def test_numbers_from_forms(value, number):
    assert parse_number(value) == number


def test_personal_ids_are_masked_to_their_last_four_digits():
    assert mask_personal_ids("ID 001090012345, phone 0912345678, code 000.09.27.H26-260701-0001") == (
        "ID ********2345, phone 0912345678, code 000.09.27.H26-260701-0001"
    )
    digest = "628bd136a573a06b128847095681af12ccef300f"  # a hash, not an ID, stays readable
    assert mask_personal_ids(f"script {digest}; personal_id=079203004567") == f"script {digest}; personal_id=********4567"
