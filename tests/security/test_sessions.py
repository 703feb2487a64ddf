"""Sessions end when they should and cannot be replayed (ASVS V3). The 15-minute idle timeout of
citizens, cookie flags and the fresh session at sign-in are in tests/auth/test_login.py."""
from __future__ import annotations

import html
import re
import time

import pytest

from tests.conftest import Officer, login_citizen, login_officer

SIGNED_IN = "Đăng xuất"
REDIS = "redis://127.0.0.1:6379/0"


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, world):
    client = app.test_client()
    login_citizen(client, world.citizen_a)
    stolen = client.get_cookie("session").value
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/my/dossiers")
    assert response.status_code == 302 and "/login/citizen" in response.headers["Location"]
    assert SIGNED_IN not in replay.get("/procedures").get_data(as_text=True)


def test_each_sign_in_starts_a_new_session_id(app, world):
    client = app.test_client()
    login_citizen(client, world.citizen_a)
    with client.session_transaction() as session:
        first = session["session_id"]
    login_citizen(client, world.citizen_a)
    with client.session_transaction() as session:
        assert session["session_id"] != first


def test_an_active_session_still_ends_after_its_absolute_lifetime(app, world):
    client = app.test_client()
    login_officer(client, "intake1")
    with client.session_transaction() as session:
        session["started_at"] = time.time() - 8 * 3600 - 60
        session["last_seen"] = time.time()  # active a moment ago
    response = client.get("/officer/queues/all")
    assert response.status_code == 302 and "/login/officer" in response.headers["Location"]


@pytest.mark.parametrize(("idle_minutes", "is_signed_in"), [(59, True), (61, False)])
def test_officers_are_signed_out_after_an_hour_idle(app, idle_minutes, is_signed_in):
    client = app.test_client()
    login_officer(client, "specialist1")
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - idle_minutes * 60
    assert (client.get("/officer/queues/all").status_code == 200) is is_signed_in


def test_sign_out_cookie_is_cleared(app, world):
    client = app.test_client()
    login_citizen(client, world.citizen_a)
    client.post("/logout")
    with client.session_transaction() as session:
        assert "_user_id" not in session and "session_id" not in session


def test_sign_out_and_lockout_work_with_the_shared_redis_store(make_app, world):
    """Several app processes share these through Redis (RATELIMIT_STORAGE_URI)."""
    import uuid

    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS}")
    app = make_app(RATELIMIT_STORAGE_URI=REDIS)
    client = app.test_client()
    login_citizen(client, world.citizen_a)
    stolen = client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/my/dossiers").status_code == 302
    nobody = f"nobody-{uuid.uuid4().hex[:8]}"
    answers = [client.post("/login/officer", data={"username": nobody, "password": "x"}) for _ in range(5)]
    assert "15 phút" in answers[-1].get_data(as_text=True)


def test_a_preview_still_loading_when_the_officer_acts_keeps_the_done_message(app, make_dossier):
    """The session lives in the cookie. A document preview the dossier page was still loading
    when the officer pressed "Accept" answers after the button's answer; it must not send the
    cookie it read before, or the browser drops the button's "Done" message with it."""
    code = make_dossier()
    intake = Officer(app, "intake1")
    preview_url = _preview_url(intake.page(code))
    cookie_the_page_had = intake.client.get_cookie("session").value
    assert intake.act(code, "accept").status_code == 302
    preview = app.test_client()
    preview.set_cookie("session", cookie_the_page_had)
    late = preview.get(preview_url, headers={"Sec-Fetch-Dest": "object"})
    assert late.status_code == 200
    for cookie in late.headers.getlist("Set-Cookie"):  # what the browser would do with it
        name, value = cookie.split(";", 1)[0].split("=", 1)
        intake.client.set_cookie(name, value)
    assert "Đã thực hiện: Tiếp nhận" in intake.page(code)


def test_pages_refresh_the_idle_clock_at_most_once_a_minute(app):
    client = app.test_client()
    login_officer(client, "specialist1")
    client.get("/officer/queues/all")  # the welcome message shown, the form token made
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 30
    assert "Set-Cookie" not in client.get("/officer/queues/all").headers  # nothing changed to send
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 90
    assert "Set-Cookie" in client.get("/officer/queues/all").headers
    with client.session_transaction() as session:
        assert time.time() - session["last_seen"] < 5


def test_a_preview_or_an_image_is_not_activity(app, make_dossier):
    """What a page loads by itself neither rewrites the session nor keeps it alive."""
    code = make_dossier()
    intake = Officer(app, "intake1")
    preview_url = _preview_url(intake.page(code))
    with intake.client.session_transaction() as session:
        session["last_seen"] = seen = time.time() - 90
    for dest in ("object", "image", "iframe"):
        response = intake.client.get(preview_url, headers={"Sec-Fetch-Dest": dest})
        assert response.status_code == 200 and "Set-Cookie" not in response.headers
    with intake.client.session_transaction() as session:
        assert session["last_seen"] == seen
        session["last_seen"] = time.time() - 61 * 60  # an officer idle for an hour
    response = intake.client.get(preview_url, headers={"Sec-Fetch-Dest": "image"})
    assert response.status_code == 302 and "/login/officer" in response.headers["Location"]


def _preview_url(page: str) -> str:
    """The address of the first document preview (an image or a PDF object) on a dossier page."""
    return html.unescape(re.search(r'(?:src|data)="([^"]+inline=1)"', page).group(1))
