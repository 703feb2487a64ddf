"""Two app processes, one PostgreSQL, one Redis: they behave as one service (issue 10).

Each process is a real ``gunicorn wsgi:app`` started from the environment alone, as on two
machines behind a load balancer. A session opened on one is honoured by the other (signed
cookies, shared secret, nothing kept in a process), a form's CSRF token from one is accepted by
the other, and a rate limit counts the requests made to both (Redis storage).
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URI = "redis://127.0.0.1:6379/14"
TRACKING_LIMIT = 5

MAIN_URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not MAIN_URL.startswith("postgresql"), reason="the multi-process shape is PostgreSQL's (TEST_DATABASE_URL)"
)


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _fresh_database(name: str) -> str:
    url = make_url(MAIN_URL)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Iterator[tuple[str, str]]:
    if not _redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    import redis

    redis.Redis.from_url(REDIS_URI).flushdb()
    workdir = tmp_path_factory.mktemp("scaleout")
    env = {
        **os.environ,
        "PORTAL_ENV": "production",
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on the loopback; production sits behind TLS
        "SECRET_KEY": "one-secret-for-every-process",
        "DATABASE_URL": _fresh_database("test_scaleout"),
        "REGISTRY_DATABASE_URL": _fresh_database("test_scaleout_registry"),
        "RATELIMIT_ENABLED": "1",
        "RATELIMIT_STORAGE_URI": REDIS_URI,
        "TRACKING_RATE_LIMIT": f"{TRACKING_LIMIT} per minute",
        "UPLOAD_DIR": str(workdir / "uploads"),
        "PKI_DIR": str(workdir / "pki"),
        "PYTHONPATH": str(ROOT),
    }
    flask = [str(BIN / "flask"), "--app", "portal"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*flask, "seed-demo", "--register-size", "40"], env=env, cwd=ROOT, check=True, capture_output=True)

    processes, hosts = [], []
    for _ in range(2):
        port = _free_port()
        processes.append(subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
            env=env, cwd=ROOT, start_new_session=True,
        ))
        hosts.append(f"http://127.0.0.1:{port}")
    try:
        for host in hosts:
            _wait_for(host)
        yield hosts[0], hosts[1]
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        redis.Redis.from_url(REDIS_URI).flushdb()


def _wait_for(host: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{host}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{host} did not start")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_a_session_opened_on_one_process_is_honoured_by_the_other(service):
    first, second = service
    browser = requests.Session()
    token = _csrf(browser.get(f"{first}/login/officer").text)
    signed_in = browser.post(f"{first}/login/officer", data={
        "username": "intake1", "password": "demo-password", "csrf_token": token}, allow_redirects=False)
    assert signed_in.status_code == 302

    queue = browser.get(f"{second}/officer/queues/intake", allow_redirects=False)
    assert queue.status_code == 200
    assert 'action="/logout"' in queue.text

    # A token issued by the first process is good on the second: sign out there.
    token = _csrf(browser.get(f"{first}/officer/queues/intake").text)
    assert browser.post(f"{second}/logout", data={"csrf_token": token}, allow_redirects=False).status_code == 302
    assert browser.get(f"{first}/officer/queues/intake", allow_redirects=False).status_code == 302


def test_a_rate_limit_counts_requests_to_both_processes(service):
    first, second = service
    answers = [
        requests.get(f"{host}/api/v1/tracking/000.09.27.H26-260701-{n:04d}", timeout=10).status_code
        for n, host in enumerate([first, second] * TRACKING_LIMIT)
    ]
    assert answers[:TRACKING_LIMIT] == [404] * TRACKING_LIMIT
    assert set(answers[TRACKING_LIMIT:]) == {429}
