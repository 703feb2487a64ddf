"""Officer accounts: create, change role and agency, disable and enable, reset the password."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.catalog.models import Agency
from portal.extensions import db
from tests.admin.helpers import audit_entries, field_error, input_value, last_audit, sign_in
from tests.conftest import login_officer

NEW_PASSWORD = "mat-khau-moi-2026"


@pytest.fixture()
def admin_client(client):
    sign_in(client, "admin")
    return client


def _user(app, username: str) -> User:
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        db.session.expunge(user)
        return user


def _agency_id(app, code: str) -> int:
    with app.app_context():
        return db.session.execute(select(Agency.id).where(Agency.code == code)).scalar_one()


def _new_officer(app, **changes: str) -> dict[str, str]:
    return {
        "username": "intake9",
        "full_name": "Trịnh Thị Thu",
        "role": "intake",
        "agency_id": str(_agency_id(app, "000.09.19.H26")),
        "password": NEW_PASSWORD,
        **changes,
    }


def test_the_list_shows_officers_only(admin_client, citizen_id, app):
    body = admin_client.get("/admin/officers").get_data(as_text=True)
    assert ">intake1</a>" in body and "One-stop officer" in body
    assert citizen_id not in body


def test_creating_an_officer_who_can_then_sign_in(app, admin_client):
    response = admin_client.post("/admin/officers/new", data=_new_officer(app))
    assert response.status_code == 302
    officer = _user(app, "intake9")
    assert (officer.kind, officer.role, officer.full_name, officer.is_enabled) == ("officer", "intake", "Trịnh Thị Thu", True)
    assert officer.agency_id == _agency_id(app, "000.09.19.H26")
    with app.app_context():
        entry = last_audit("officer.create")
    assert entry["object_id"] == str(officer.id)
    assert entry["details"] == {
        "after": {"username": "intake9", "full_name": "Trịnh Thị Thu", "role": "intake", "agency": "000.09.19.H26"}
    }
    assert NEW_PASSWORD not in json.dumps(entry, ensure_ascii=False)
    assert login_officer(app.test_client(), "intake9", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "intake1"}, "username", "This username is already taken."),
        ({"username": "INTAKE1"}, "username", "This username is already taken."),
        ({"username": "nguyễn văn a"}, "username", "Use lower-case letters, digits, dots, hyphens or underscores."),
        ({"password": "ngan"}, "password", "The password must have at least 10 characters."),
        ({"password": ""}, "password", "Enter a password."),
        ({"full_name": ""}, "full_name", "Enter the officer's full name."),
        ({"role": "superuser"}, "role", "Choose the officer's role."),
        ({"agency_id": "999"}, "agency_id", "Choose the officer's agency."),
    ],
)
def test_invalid_accounts_are_refused_with_what_was_typed(app, admin_client, changes, field, message):
    data = _new_officer(app, **changes)
    response = admin_client.post("/admin/officers/new", data=data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert field_error(body, field) == message
    assert input_value(body, "username") == data["username"].lower()
    assert input_value(body, "full_name") == data["full_name"]
    assert input_value(body, "password") == ""  # a password is never sent back
    with app.app_context():
        assert db.session.execute(select(User).where(User.full_name == data["full_name"], User.username != "intake1")).first() is None
        assert audit_entries() == []


def test_changing_role_and_agency_is_audited_with_agency_codes(app, admin_client):
    officer = _user(app, "intake1")
    response = admin_client.post(
        f"/admin/officers/{officer.id}", data={"role": "specialist", "agency_id": str(_agency_id(app, "000.09.19.H26"))}
    )
    assert response.status_code == 302
    changed = _user(app, "intake1")
    assert changed.role == "specialist"
    assert changed.agency_id == _agency_id(app, "000.09.19.H26")
    with app.app_context():
        entry = last_audit("officer.update")
    assert entry["details"] == {
        "username": "intake1",
        "before": {"role": "intake", "agency": "000.09.27.H26"},
        "after": {"role": "specialist", "agency": "000.09.19.H26"},
    }


def test_an_administrator_cannot_drop_their_own_admin_role(app, admin_client):
    me = _user(app, "admin")
    response = admin_client.post(f"/admin/officers/{me.id}", data={"role": "leader", "agency_id": str(me.agency_id)})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "role") == "You cannot remove your own administrator role."
    assert _user(app, "admin").role == "admin"


def test_disabling_an_officer_stops_their_sign_in_and_enabling_restores_it(app, admin_client):
    officer = _user(app, "intake1")
    other = app.test_client()
    assert login_officer(other, "intake1").status_code == 302
    assert other.get("/officer/counter/new").status_code == 200
    assert admin_client.post(f"/admin/officers/{officer.id}/disable").status_code == 302
    assert _user(app, "intake1").is_enabled is False
    # The officer's open session ends, and they cannot sign in again.
    assert other.get("/officer/counter/new").status_code == 302
    assert login_officer(app.test_client(), "intake1").status_code == 422
    assert admin_client.post(f"/admin/officers/{officer.id}/enable").status_code == 302
    assert _user(app, "intake1").is_enabled is True
    assert login_officer(app.test_client(), "intake1").status_code == 302
    with app.app_context():
        assert [(e.action, e.details) for e in audit_entries()] == [
            ("officer.disable", {"username": "intake1", "before": {"is_enabled": True}, "after": {"is_enabled": False}}),
            ("officer.enable", {"username": "intake1", "before": {"is_enabled": False}, "after": {"is_enabled": True}}),
        ]


def test_an_administrator_cannot_disable_themselves(app, admin_client):
    me = _user(app, "admin")
    page = admin_client.get(f"/admin/officers/{me.id}").get_data(as_text=True)
    assert f"/admin/officers/{me.id}/disable" not in page
    response = admin_client.post(f"/admin/officers/{me.id}/disable")
    assert response.status_code == 422
    assert "You cannot disable your own account." in response.get_data(as_text=True)
    assert _user(app, "admin").is_enabled is True
    with app.app_context():
        assert audit_entries() == []


def test_resetting_a_password_is_audited_without_the_password(app, admin_client):
    officer = _user(app, "intake1")
    response = admin_client.post(f"/admin/officers/{officer.id}/password", data={"password": NEW_PASSWORD})
    assert response.status_code == 302
    assert login_officer(app.test_client(), "intake1").status_code == 422  # the demo password is gone
    assert login_officer(app.test_client(), "intake1", NEW_PASSWORD).status_code == 302
    with app.app_context():
        entry = last_audit("officer.password_reset")
        stored = json.dumps([(e.details, e.hash) for e in audit_entries()], ensure_ascii=False)
    assert entry["details"] == {"username": "intake1"}
    assert NEW_PASSWORD not in stored


def test_a_short_new_password_is_refused(app, admin_client):
    officer = _user(app, "intake1")
    response = admin_client.post(f"/admin/officers/{officer.id}/password", data={"password": "123456789"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "password") == "The password must have at least 10 characters."
    assert login_officer(app.test_client(), "intake1").status_code == 302


def test_citizen_accounts_are_not_managed_here(app, admin_client, citizen_id):
    sign_in(app.test_client(), "citizen", citizen_id)
    with app.app_context():
        citizen = db.session.execute(select(User.id).where(User.personal_id == citizen_id)).scalar_one()
    assert admin_client.get(f"/admin/officers/{citizen}").status_code == 404
    assert admin_client.post(f"/admin/officers/{citizen}/disable").status_code == 404
