"""Slow clients (issue 16): the production shape survives them. nginx with the repository's
``deploy/nginx/portal-proxy.conf`` in front of ``gunicorn -c gunicorn.conf.py wsgi:app``; 50
clients on the loopback each send a form body one byte at a time and are held open for a few
seconds, while ``/healthz`` is asked ten times a second and must answer within a second each
time. (Straight at gunicorn, the same clients take every thread, and ``/healthz`` waits.)
The same nginx keeps public answers with ``deploy/nginx/portal-public-cache.conf`` (issue 19).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bench.common import NGINX, start_nginx
from bench.load import free_port, stop_all, wait_for

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SLOW_CLIENTS = 50
HOLD_SECONDS = 6.0
LATENCY_LIMIT = 1.0

pytestmark = pytest.mark.skipif(NGINX is None, reason="needs nginx (Debian: apt-get install nginx-light; .ci/run installs it)")


def _prepare(database: str, register: str) -> None:
    """The portal's tables and catalog in the served database."""
    from portal import create_app
    from portal.demo.seed import seed_reference_data
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "REGISTRY_DATABASE_URL": register})
    with app.app_context():
        db.create_all()
        seed_reference_data()
        db.session.commit()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    """The portal as production serves it, on the loopback: nginx → gunicorn (2 workers × 4
    threads, fewer threads than slow clients by far). Yields nginx's address."""
    work = tmp_path_factory.mktemp("slow_clients")
    app_port, port = free_port(), free_port()
    database, register = f"sqlite:///{work}/portal.sqlite3", f"sqlite:///{work}/registry.sqlite3"
    _prepare(database, register)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database,
        "REGISTRY_DATABASE_URL": register,
        "UPLOAD_DIR": str(work / "uploads"),
        "PKI_DIR": str(work / "pki"),
        "RATELIMIT_ENABLED": "0",
        "WEB_CONCURRENCY": "2",
        "PORTAL_THREADS": "4",
    }
    with (work / "gunicorn.log").open("w") as log:
        gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{app_port}",
             "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
        )
    nginx = start_nginx(work, port, app_port, public_cache=True)
    try:
        wait_for(f"http://127.0.0.1:{app_port}/healthz", 30, gunicorn, work / "gunicorn.log")
        wait_for(f"http://127.0.0.1:{port}/healthz", 30, nginx, work / "nginx.log")
        yield f"127.0.0.1:{port}"
    finally:
        stop_all(nginx, gunicorn)


def _open_slow_body(address: str) -> socket.socket:
    """A client that announces a 100 kB form and has sent none of it yet."""
    host, port = address.split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(
        b"POST /login/citizen HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
    )
    return sock


def test_fifty_slow_bodies_do_not_stop_healthz_answering_within_a_second(served):
    clients = [_open_slow_body(served) for _ in range(SLOW_CLIENTS)]
    latencies: list[float] = []
    statuses: list[int] = []
    session = requests.Session()
    try:
        deadline = time.monotonic() + HOLD_SECONDS
        next_byte = 0.0
        while time.monotonic() < deadline:
            now = time.monotonic()
            if now >= next_byte:  # one more byte of every slow body, twice a second
                for sock in clients:
                    sock.sendall(b"a")
                next_byte = now + 0.5
            started = time.perf_counter()
            try:
                statuses.append(session.get(f"http://{served}/healthz", timeout=5).status_code)
            except requests.RequestException:
                statuses.append(0)
            latencies.append(time.perf_counter() - started)
            time.sleep(0.1)
        for sock in clients:  # every slow client is still connected, still sending
            sock.sendall(b"a")
    finally:
        for sock in clients:
            sock.close()
        session.close()
    print(f"/healthz under {SLOW_CLIENTS} slow bodies: {len(latencies)} requests, "
          f"max {max(latencies) * 1000:.1f} ms, median {sorted(latencies)[len(latencies) // 2] * 1000:.1f} ms")
    assert len(latencies) >= 30
    assert statuses == [200] * len(statuses)
    assert max(latencies) < LATENCY_LIMIT


def test_after_the_slow_clients_the_portal_serves_pages(served):
    response = requests.get(f"http://{served}/procedures", timeout=5)
    assert response.status_code == 200 and "1.004222" in response.text


def test_nginx_keeps_a_public_page_and_never_a_session_s(served):
    """deploy/nginx/portal-public-cache.conf: the catalog page of a visitor without a session is
    answered by nginx the second time; one with a session (English chosen) always reaches the
    portal, and gets its own language."""
    url = f"http://{served}/procedures?q=c%C6%B0%20tr%C3%BA"
    first, second = requests.get(url, timeout=5), requests.get(url, timeout=5)
    assert first.headers["Cache-Control"] == "public, max-age=30" and "Set-Cookie" not in first.headers
    assert (first.headers["X-Cache-Status"], second.headers["X-Cache-Status"]) == ("MISS", "HIT")
    assert second.text == first.text
    english = requests.Session()
    english.post(f"http://{served}/language", data={"lang": "en", "next": "/"}, timeout=5)
    own = english.get(url, timeout=5)
    assert own.headers["X-Cache-Status"] == "BYPASS" and '<html lang="en">' in own.text
    assert own.headers["Cache-Control"] == "private, no-cache"
