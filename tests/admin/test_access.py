"""Who may open the administration: every /admin route × every kind of account.

The routes come from the URL map, so a new administration route without a case here fails.
"""
from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from portal.auth.models import User
from portal.catalog.models import CalendarException
from portal.extensions import db
from tests.admin.helpers import audit_entries, sign_in


def _sample_urls(app: Flask) -> dict[str, tuple[str, ...]]:
    """Endpoint → (methods…, url) for every administration route, with real objects in it."""
    with app.app_context():
        intake = db.session.execute(select(User.id).where(User.username == "intake1")).scalar_one()
    values = {
        "admin.show_index": {},
        "admin.list_procedures": {},
        "admin.edit_procedure": {"code": "1.004194"},
        "admin.list_calendar_exceptions": {},
        "admin.add_calendar_exception": {},
        "admin.delete_calendar_exception": {"exception_id": 1},
        "admin.preview_replan": {},
        "admin.apply_replan": {},
        "admin.list_officers": {},
        "admin.create_officer": {},
        "admin.edit_officer": {"user_id": intake},
        "admin.set_officer_status": {"user_id": intake},
        "admin.reset_officer_password": {"user_id": intake},
        "admin.list_agencies": {},
        "admin.edit_agency": {"code": "000.09.27.H26"},
        "admin.list_audit_entries": {},
        "admin.verify_audit_trail": {},
    }
    routes = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("admin."):
                continue
            assert rule.endpoint in values, f"no access case for {rule.endpoint}"
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                url = rule.build({**(rule.defaults or {}), **values[rule.endpoint]}, append_unknown=False)[1]
                routes[f"{method} {url}"] = (method, url)
    return routes


@pytest.fixture()
def routes(app: Flask) -> list[tuple[str, str]]:
    return sorted(_sample_urls(app).values())


def test_every_route_is_covered(routes):
    # 12 pages and 10 forms that post.
    assert ("POST", "/admin/calendar/1/delete") in routes
    assert ("GET", "/admin/audit/verify") in routes
    assert ("POST", "/admin/calendar/replan") in routes
    assert len(routes) == 22


def test_anonymous_visitors_are_sent_to_the_officer_sign_in(client, routes):
    for method, url in routes:
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login/officer"), (method, url)


@pytest.mark.parametrize("who", ["citizen", "intake1", "specialist1", "leader1"])
def test_other_accounts_get_403_and_change_nothing(app, client, routes, who, citizen_id):
    with app.app_context():
        db.session.add(CalendarException(id=1, day=date(2026, 7, 2), is_working_day=False, legal_reference="Test"))
        db.session.commit()
    sign_in(client, who, citizen_id)
    for method, url in routes:
        response = client.open(url, method=method, data={"is_published": "y", "password": "a-long-password"})
        assert response.status_code == 403, (who, method, url)
        assert "You cannot open this page" in response.get_data(as_text=True)
    with app.app_context():
        assert audit_entries() == []
        assert db.session.get(CalendarException, 1) is not None


def test_administrators_open_every_page(client, routes):
    sign_in(client, "admin")
    for method, url in routes:
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 200, url
            assert 'aria-label="Administration"' in response.get_data(as_text=True)
