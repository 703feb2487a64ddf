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
CHANGES = sorted(key for key in RULES if key[1] not in ("GET", "HEAD", "OPTIONS"))


@pytest.fixture()
def csrf_on(app: Flask, monkeypatch: pytest.MonkeyPatch):
    """Switches the protection on (after the test's visitors signed in)."""
    return lambda: monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def _token(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_every_state_changing_route_is_a_post_form():
    """No PUT, PATCH or DELETE, and no JSON endpoint that changes state: the API is read-only."""
    assert {method for _, method in CHANGES} == {"POST"}
    assert [endpoint for endpoint, _ in CHANGES if endpoint.startswith(("api.", "eforms."))] == []


@pytest.mark.parametrize(("endpoint", "method"), [key for key in CHANGES if key[0] not in EXEMPT])
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
