"""Nobody learns who has an account — not from the messages, not from the lockout, not from the
time an answer takes — and repeated guessing is slowed down (ASVS V2.2, V3.2).

Names used here are unique to each test: failures of names without an account are counted in
the rate limiter's store, which the database rollback between tests does not reset.
"""
from __future__ import annotations

import re
import statistics
import time

import pytest

from portal.registry.ids import is_valid_personal_id

ERROR = re.compile(r'<p class="error-message"[^>]*>(.*?)</p>|role="alert"[^>]*>(.*?)</', re.S)


def _message(response) -> str:
    page = response.get_data(as_text=True)
    main = page[page.index("<main"):page.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


def _attempts(client, path: str, field: str, name: str, count: int) -> list[str]:
    return [_message(client.post(path, data={field: name, "password": "wrong-password"})) for _ in range(count)]


def test_officer_lockout_reads_the_same_with_or_without_an_account(app):
    known = _attempts(app.test_client(), "/login/officer", "username", "leader1", 7)
    unknown = _attempts(app.test_client(), "/login/officer", "username", "leader9-enum", 7)
    assert known == [text.replace("leader1", "leader9-enum") for text in known] == unknown
    assert "sai" in known[0] or "không đúng" in known[0]
    assert "15 phút" in known[4] and "15 phút" in known[6]


def test_citizen_lockout_reads_the_same_with_or_without_an_account(app, world):
    """Citizen A has an account; a well-formed ID nobody signed in with has none."""
    unknown_id = next(f"001090{n:06d}" for n in range(900_000, 999_999) if is_valid_personal_id(f"001090{n:06d}"))
    with_account = _attempts(app.test_client(), "/login/citizen", "personal_id", world.citizen_a, 6)
    without = _attempts(app.test_client(), "/login/citizen", "personal_id", unknown_id, 6)
    assert [text.replace(world.citizen_a, "X") for text in with_account] == [text.replace(unknown_id, "X") for text in without]
    assert "15 phút" in with_account[4]


def test_a_locked_name_without_an_account_cannot_sign_in_either(app, world):
    """The first sign-in of a register citizen is refused while their ID is locked, as an
    account would be: the lockout protects the name, whether or not an account exists."""
    client = app.test_client()
    citizen = world.citizen_b
    _attempts(client, "/login/citizen", "personal_id", citizen, 5)
    response = client.post("/login/citizen", data={"personal_id": citizen, "password": "vneid-demo"})
    assert response.status_code == 422 and "15 phút" in _message(response)


def _median_seconds(client, path: str, data: dict[str, str], rounds: int = 7) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        client.post(path, data=data)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@pytest.mark.slow
def test_a_wrong_password_takes_as_long_with_or_without_an_account(make_app):
    """Both cost one password hash; an account does not answer measurably faster or slower.
    Limits are high so no attempt locks; the bound is loose for a shared, noisy machine."""
    from datetime import timedelta

    app = make_app(LOGIN_LOCKOUT_THRESHOLD=1000, LOGIN_LOCKOUT_DURATION=timedelta(seconds=1))
    client = app.test_client()
    known = _median_seconds(client, "/login/officer", {"username": "intake1", "password": "wrong"})
    unknown = _median_seconds(client, "/login/officer", {"username": "nobody-timing", "password": "wrong"})
    assert 0.5 < known / unknown < 2.0, (known, unknown)


def test_person_lookups_are_limited_as_configured(make_app, world):
    app = make_app(RATELIMIT_ENABLED=True, PERSON_LOOKUP_RATE_LIMIT="3 per minute")
    client = app.test_client()
    client.post("/login/citizen", data={"personal_id": world.citizen_a, "password": "vneid-demo"})
    statuses = [client.get(f"/eforms/person?personal_id={world.citizen_b}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
