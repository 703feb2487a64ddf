from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from config import ProductionConfig

from portal.auth.models import User
from portal.extensions import db
from tests.conftest import login_citizen, login_officer


def test_citizen_signs_in_through_mock_vneid_and_gets_an_account(app, client, citizen_id):
    response = login_citizen(client, citizen_id)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    with app.app_context():
        user = db.session.execute(select(User).where(User.personal_id == citizen_id)).scalar_one()
        assert user.kind == "citizen"
        assert user.full_name in page
        assert user.password_hash != "vneid-demo" and user.check_password("vneid-demo")
    assert "Đăng xuất" in page


def test_passwords_are_hashed_the_configured_way_and_production_pays_scrypts_default(make_app):
    # Production keeps werkzeug's default: scrypt with n = 32768 (the suite uses n = 1024).
    assert generate_password_hash("x", method=ProductionConfig.PASSWORD_HASH_METHOD).startswith("scrypt:32768:8:1$")
    app = make_app(PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    with app.app_context():
        user = User(kind="officer", username="hash-check", full_name="H", profile={})
        user.set_password("right")
        assert user.password_hash.startswith("pbkdf2:sha256:1000$")
        assert user.check_password("right") and not user.check_password("wrong")


def _stored_hash(app, username: str) -> str:
    with app.app_context():
        return db.session.execute(select(User.password_hash).where(User.username == username)).scalar_one()


def test_a_password_hashed_at_an_older_cost_is_hashed_anew_at_its_next_sign_in(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")
    assert login_officer(client, "intake1").status_code == 302  # signed in, as before
    rehashed = _stored_hash(app, "intake1")
    assert rehashed.startswith("pbkdf2:sha256:1000$")
    client.post("/logout")
    assert login_officer(client, "intake1").status_code == 302  # signed in with the new hash
    assert _stored_hash(app, "intake1") == rehashed  # hashed once, not at every sign-in


def test_a_wrong_password_never_hashes_anew(app, client, monkeypatch):
    before = _stored_hash(app, "intake1")
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")
    assert login_officer(client, "intake1", password="not-the-password").status_code == 422
    assert _stored_hash(app, "intake1") == before


def test_the_portal_refuses_to_start_with_a_bad_or_in_production_cheap_password_hash(monkeypatch, make_app):
    with pytest.raises(RuntimeError, match="PASSWORD_HASH_METHOD 'md5'"):
        make_app(PASSWORD_HASH_METHOD="md5")
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test")
    monkeypatch.setenv("PASSWORD_HASH_METHOD", "scrypt:1024:8:1")
    with pytest.raises(RuntimeError, match="costs less than werkzeug's default scrypt"):
        make_app()
    monkeypatch.setenv("PASSWORD_HASH_METHOD", "scrypt:abc")  # a typo: said plainly, not a bare ValueError
    with pytest.raises(RuntimeError, match="PASSWORD_HASH_METHOD 'scrypt:abc'"):
        make_app()


def test_malformed_personal_id_shows_a_message_next_to_the_field(client):
    response = client.post("/login/citizen", data={"personal_id": "12345", "password": "vneid-demo"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in page
    assert 'id="personal_id-error"' in page
    assert 'value="12345"' in page
    assert "<title>Lỗi:" in page
    assert 'aria-describedby="personal_id-hint personal_id-error"' in page
    assert 'type="password"' in page and '="None"' not in page


def test_unknown_province_code_is_refused(client):
    response = client.post("/login/citizen", data={"personal_id": "999012345678", "password": "x"})
    assert response.status_code == 422
    assert "không phải là số định danh cá nhân hợp lệ" in response.get_data(as_text=True)


def test_wrong_password_and_unknown_id_get_the_same_message(client, citizen_id):
    wrong_password = client.post("/login/citizen", data={"personal_id": citizen_id, "password": "nope"})
    unknown_id = client.post(
        "/login/citizen", data={"personal_id": "001099000001", "password": "vneid-demo"}
    )
    message = "Số định danh hoặc mật khẩu không đúng."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_id.get_data(as_text=True)
    assert wrong_password.status_code == unknown_id.status_code == 422


@pytest.mark.parametrize(
    ("username", "role", "agency", "shown"),
    [
        ("intake1", "intake", "000.09.27.H26", "Cán bộ Bộ phận Một cửa"),
        ("specialist1", "specialist", "000.09.27.H26", "Chuyên viên"),
        ("leader1", "leader", "000.09.27.H26", "Lãnh đạo"),
        ("admin", "admin", "000.09.27.H26", "Quản trị viên"),
        ("intake2", "intake", "000.09.19.H26", "Cán bộ Bộ phận Một cửa"),
    ],
)
def test_officers_sign_in_with_role_and_agency(app, client, username, role, agency, shown):
    assert login_officer(client, username).status_code == 302
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        assert (user.role, user.agency.code) == (role, agency)
    assert shown in client.get("/").get_data(as_text=True)


def test_officer_wrong_password(client):
    response = login_officer(client, "intake1", "wrong")
    assert response.status_code == 422
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_account_locks_after_repeated_failures_and_says_so(client):
    for _ in range(5):
        login_officer(client, "leader1", "wrong")
    response = login_officer(client, "leader1")  # the right password no longer helps
    assert response.status_code == 422
    assert "tài khoản bị tạm khóa" in response.get_data(as_text=True)


def test_logout_from_any_page(client, citizen_id):
    login_citizen(client, citizen_id)
    page = client.get("/procedures").get_data(as_text=True)
    assert 'action="/logout"' in page
    client.post("/logout")
    assert "Đăng nhập bằng VNeID" in client.get("/procedures").get_data(as_text=True)


def test_citizen_session_expires_after_15_minutes_idle(client, citizen_id):
    login_citizen(client, citizen_id)
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 16 * 60
    response = client.get("/procedures")
    assert response.status_code == 302
    assert "/login/citizen" in response.headers["Location"]
    assert "Đăng xuất" not in client.get("/procedures").get_data(as_text=True)


def test_citizen_session_survives_14_minutes_idle(client, citizen_id):
    login_citizen(client, citizen_id)
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 14 * 60
    assert "Đăng xuất" in client.get("/procedures").get_data(as_text=True)


def test_login_gives_a_fresh_session(client, citizen_id):
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    login_citizen(client, citizen_id)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_next_parameter_cannot_redirect_off_site(client, citizen_id):
    response = client.post(
        "/login/citizen?next=//evil.example/x",
        data={"personal_id": citizen_id, "password": "vneid-demo"},
    )
    assert response.headers["Location"] == "/"
    response = client.post(
        "/login/citizen?next=/procedures", data={"personal_id": citizen_id, "password": "vneid-demo"}
    )
    assert response.headers["Location"] == "/procedures"


def test_register_outage_keeps_existing_accounts_working(app, client, citizen_id, monkeypatch):
    from portal.registry.client import FailingRegistryClient

    login_citizen(client, citizen_id)
    client.post("/logout")
    monkeypatch.setitem(app.extensions, "registry_client", FailingRegistryClient())
    assert login_citizen(client, citizen_id).status_code == 302
    client.post("/logout")
    # A first sign-in needs the register: it is refused with the reason, not a generic error.
    response = login_citizen(client, "001199000002")
    assert response.status_code == 422
    assert "CSDL quốc gia về dân cư" in response.get_data(as_text=True)


def test_cookies_are_httponly_and_samesite(client, citizen_id):
    response = login_citizen(client, citizen_id)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the demo runs on plain http://127.0.0.1


def test_production_cookies_are_secure(monkeypatch, make_app):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test")
    app = make_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] == "a-real-secret-for-this-test"


def test_production_refuses_the_default_secret(monkeypatch):
    from portal import create_app

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_login_attempts_are_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [
        client.post("/login/officer", data={"username": "nobody", "password": "x"}).status_code
        for _ in range(4)
    ]
    assert codes == [422, 422, 422, 429]
    assert "Quá nhiều lần thử" in client.post("/login/officer", data={}).get_data(as_text=True)
