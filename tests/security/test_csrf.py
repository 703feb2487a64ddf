"""Every request that changes something carries the form's CSRF token (ASVS V4.2.2, V13.2.3).

The tests of the rest of the suite switch CSRF protection off; here it is on, as in
production. Each state-changing route of the access matrix is posted, by a visitor allowed to
use it, once without a token (400, nothing changed) and once with a token taken from a page.
"""
from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.extensions import db
from tests.security.conftest import World
from tests.security.test_access_matrix import RULES, allowed_role, urls

# The mock payment gateway stands for another site: its forms and API carry no portal token, and
# what it sends back — the browser's return and its server-to-server notification — is trusted
# only through its HMAC signature (tests/payments/).
EXEMPT = {"gateway.pay", "gateway.refund", "payments.notify"}
# Two posts carry no token, so public pages need no session (a proxy may share them, issue 19):
# the language switch only changes how the pages read to this browser and ignores another site's
# post (which would come without the session cookie and replace it), and the "last four digits"
# form of tracking only reads (a forged one shows its sender nothing).
NO_TOKEN_NEEDED = {"web.set_language", "tracking.track"}
CHANGES = sorted(key for key in RULES if key[1] not in ("GET", "HEAD", "OPTIONS"))


@pytest.fixture()
def csrf_on(app: Flask, monkeypatch: pytest.MonkeyPatch):
    """Switches the protection on (after the test's visitors signed in)."""
    return lambda: monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def _token(client) -> str:
    """The token of a form this visitor is shown: a signed-in person's sign-out form, anyone
    else's sign-in form."""
    for path in ("/", "/login/officer"):
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError("no page shows this visitor a form token")


def test_every_state_changing_route_is_a_post_form():
    """No PUT, PATCH or DELETE, and no JSON endpoint that changes state: the API is read-only."""
    assert {method for _, method in CHANGES} == {"POST"}
    assert [endpoint for endpoint, _ in CHANGES if endpoint.startswith(("api.", "eforms."))] == []


@pytest.mark.parametrize(("endpoint", "method"), [key for key in CHANGES if key[0] not in EXEMPT | NO_TOKEN_NEEDED])
def test_a_post_without_the_token_is_refused(app: Flask, world: World, browser_as, csrf_on, endpoint, method):
    rule = RULES[(endpoint, method)]
    role = allowed_role(endpoint, method)
    client = browser_as(role, fresh=endpoint == "auth.logout")
    csrf_on()
    with app.app_context():
        values, data = rule.values(world), rule.data(world)
    for url in urls(app, endpoint, values):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 400, (url, role)
        assert "Yêu cầu không hợp lệ" in response.get_data(as_text=True)
        # With the page's token the same visitor gets through (not refused, not sent to sign in).
        response = client.open(url, method=method, data={**data, "csrf_token": _token(client)})
        assert response.status_code != 400, (url, role)
        assert "/login/" not in response.headers.get("Location", ""), (url, role)


def test_the_posts_without_a_token_only_change_this_browser_s_language_or_read(app: Flask, world: World, csrf_on):
    csrf_on()
    visitor = app.test_client()
    switched = visitor.post("/language", data={"lang": "en", "next": "/procedures"})
    assert switched.status_code == 302 and switched.headers["Location"] == "/procedures"
    assert '<html lang="en">' in visitor.get("/procedures").get_data(as_text=True)
    # Elsewhere is never a target, even by a forged post.
    assert visitor.post("/language", data={"lang": "vi", "next": "https://evil.example/"}).headers["Location"] == "/"
    shown = visitor.post("/track", data={"code": world.submitted, "id_last4": world.citizen_a[-4:]})
    assert shown.status_code == 200 and "private, no-store" == shown.headers["Cache-Control"]


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}, {"Origin": "null"}])
def test_another_site_s_language_switch_changes_nothing(app: Flask, csrf_on, headers):
    """The browser sends another site's post without the session cookie (SameSite=Lax): a session
    made for it would replace the visitor's, signing them out. None is made."""
    csrf_on()
    forged = app.test_client().post("/language", data={"lang": "en", "next": "/"}, headers=headers)
    assert forged.status_code == 302 and "Set-Cookie" not in forged.headers
    own = app.test_client()
    switched = own.post("/language", data={"lang": "en", "next": "/"},
                        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"})
    assert "Set-Cookie" in switched.headers and '<html lang="en">' in own.get("/").get_data(as_text=True)


def test_a_refused_post_changes_nothing(app: Flask, world: World, browser_as, csrf_on):
    client = browser_as("citizen_a")
    csrf_on()
    assert client.post(f"/my/dossiers/{world.submitted}/withdraw", data={"confirm": "yes"}).status_code == 400
    assert client.post(f"/apply/{world.draft}/discard").status_code == 400
    with app.app_context():
        assert db.session.execute(select(Dossier.status).where(Dossier.code == world.submitted)).scalar_one() == "submitted"
        assert db.session.execute(select(Dossier).where(Dossier.public_id == world.draft)).scalar_one_or_none() is not None


def test_the_token_is_bound_to_the_session(app: Flask, world: World, browser_as, csrf_on):
    """A token read by an attacker in their own session does not work in the victim's."""
    attacker_token = _token(browser_as("citizen_b"))
    victim = browser_as("citizen_a")
    csrf_on()
    response = victim.post(f"/my/dossiers/{world.submitted}/withdraw", data={"confirm": "yes", "csrf_token": attacker_token})
    assert response.status_code == 400
