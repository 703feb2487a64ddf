"""nginx keeps up to 16 idle connections to gunicorn (its upstream ``keepalive``); gunicorn closes
a kept-alive connection after ``keepalive`` seconds idle. The proxy has to give an idle connection
up first: otherwise a request nginx sends just as gunicorn closes the connection is lost, and
nginx answers a POST sent so (a submission, a payment's return) with a 502, since it retries
only idempotent requests."""
from __future__ import annotations

import re
import runpy
from pathlib import Path

from bench.common import nginx_conf

ROOT = Path(__file__).resolve().parents[2]
NGINX_UPSTREAM_IDLE_DEFAULT = 60  # seconds: nginx's keepalive_timeout in an upstream block (1.15.3 and later)
_UPSTREAM = re.compile(r"upstream\s+portal_app\s*\{(?P<body>[^}]*)\}")
_IDLE = re.compile(r"keepalive_timeout\s+(?P<value>[^;]*);")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000}
_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|M|y)?")


def _seconds(value: str) -> float:
    """An nginx time (``75``, ``75s``, ``1m30s``, ``500ms``) in seconds; anything else fails the test."""
    parts = _PART.findall(value.strip())
    assert parts and "".join(n + unit for n, unit in parts) == value.strip(), f"not an nginx time: {value!r}"
    return sum(int(n) * _UNITS[unit or "s"] for n, unit in parts)


def _upstream_blocks() -> list[tuple[str, str]]:
    """Every ``upstream portal_app { … }`` the repository gives to copy or runs, with where it is."""
    texts = {"README.md": (ROOT / "README.md").read_text(encoding="utf-8"),
             "bench/common.py": nginx_conf(Path("/w"), 8080, 8000, public_cache=True)}
    texts.update({str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
                  for path in sorted((ROOT / "deploy").rglob("*.conf"))})
    return [(where, match["body"]) for where, text in texts.items() for match in _UPSTREAM.finditer(text)]


def test_every_nginx_upstream_of_the_portal_keeps_connections_to_gunicorn_alive():
    blocks = _upstream_blocks()
    assert {where for where, _ in blocks} >= {"README.md", "bench/common.py"}
    for where, body in blocks:
        assert re.search(r"\bkeepalive\s+\d+\s*;", body), where


def test_gunicorn_keeps_an_idle_connection_longer_than_nginx_does():
    gunicorn_idle = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["keepalive"]
    for where, body in _upstream_blocks():
        idle = _IDLE.search(body)
        nginx_idle = _seconds(idle["value"]) if idle else NGINX_UPSTREAM_IDLE_DEFAULT
        assert gunicorn_idle > nginx_idle, f"{where}: nginx keeps an idle connection {nginx_idle:g} s, gunicorn {gunicorn_idle} s"


def test_nginx_times_are_read_as_nginx_reads_them():
    assert [_seconds(v) for v in ("60", "75s", "2m", "1m30s", "500ms", "1h")] == [60, 75, 120, 90, 0.5, 3600]
