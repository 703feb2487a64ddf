"""The mock national portal as a small HTTP service (port 5002 by default).

Run it with ``python -m portal.national_portal.service`` or
``flask --app "portal.national_portal.service:create_service()" run --port 5002``.

- ``POST /status-updates``: one status change (JSON, :mod:`portal.national_portal.protocol`).
  401 when the ``X-Signature`` header is missing or wrong, 400 when the body is not a message,
  200 ``{"result": "recorded" | "duplicate"}``, 409 when the key was received with another body.
- ``GET /dossiers/<code>``: the statuses received for a dossier, in sequence order, and the
  sequence numbers missing between them (an empty list: nothing was skipped); 404 when none.
- ``GET /control`` and ``PUT /control`` (JSON): how the service misbehaves, for tests and
  demonstrations — ``fail_status`` (500–599, or null), ``fail_times`` (how many updates to fail;
  null: until told otherwise) and ``delay`` (seconds before each update is handled). The start
  values come from ``NATIONAL_PORTAL_FAIL_STATUS``, ``NATIONAL_PORTAL_FAIL_TIMES`` and
  ``NATIONAL_PORTAL_DELAY``. Meant for a mock bound to the loopback only.
- ``GET /health``: 200.

``NATIONAL_PORTAL_DATABASE_URL`` says where it keeps what it received and
``NATIONAL_PORTAL_SECRET`` is the secret it shares with the portal (the portal's defaults otherwise).
"""
from __future__ import annotations

import argparse
import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from flask import Flask, Response, jsonify, request

from config import Config
from portal.national_portal import store
from portal.national_portal.protocol import SIGNATURE_HEADER, STATUS_UPDATES_PATH, is_signed

REQUIRED = {"dossier_code": str, "sequence": int, "status_code": int}


@dataclass
class Behaviour:
    """How the service misbehaves now (see the module docstring)."""

    fail_status: int | None = None
    fail_times: int | None = None
    delay: float = 0.0

    @classmethod
    def from_environment(cls) -> Behaviour:
        def number(name: str, parse: Any) -> Any:
            value = os.environ.get(name, "").strip()
            return parse(value) if value else None

        return cls(number("NATIONAL_PORTAL_FAIL_STATUS", int), number("NATIONAL_PORTAL_FAIL_TIMES", int),
                   number("NATIONAL_PORTAL_DELAY", float) or 0.0)

    def update(self, values: dict[str, Any]) -> str | None:
        """Apply ``values``; the reason they are refused, or None."""
        status = values.get("fail_status", self.fail_status)
        times = values.get("fail_times", self.fail_times if "fail_status" not in values else None)
        delay = values.get("delay", self.delay)
        if status is not None and (not isinstance(status, int) or not 500 <= status <= 599):
            return "fail_status must be null or a number from 500 to 599"
        if times is not None and (not isinstance(times, int) or times < 0):
            return "fail_times must be null or a whole number from 0"
        if not isinstance(delay, (int, float)) or not 0 <= delay <= 120:
            return "delay must be a number of seconds from 0 to 120"
        self.fail_status, self.fail_times, self.delay = status, times, float(delay)
        return None

    def failure(self) -> int | None:
        """The status to fail this update with, counting it, or None to handle it."""
        if self.fail_status is None or self.fail_times == 0:
            return None
        if self.fail_times is not None:
            self.fail_times -= 1
        return self.fail_status


def _message(body: bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(body)
    except ValueError:
        return None
    if not isinstance(message, dict):
        return None
    for name, kind in REQUIRED.items():
        if not isinstance(message.get(name), kind) or isinstance(message.get(name), bool):
            return None
    return message if message["dossier_code"] and message["sequence"] >= 1 else None


def create_service(database_url: str | None = None, secret: str | None = None) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False
    url = database_url or os.environ.get("NATIONAL_PORTAL_DATABASE_URL") or Config.NATIONAL_PORTAL_DATABASE_URL
    shared = secret or os.environ.get("NATIONAL_PORTAL_SECRET") or Config.NATIONAL_PORTAL_SECRET
    behaviour = Behaviour.from_environment()
    lock = threading.Lock()
    store.engine(url)  # the schema, before the first request

    def error(status: int, code: str, message: str) -> tuple[Response, int]:
        return jsonify(error=code, message=message), status

    @app.post(STATUS_UPDATES_PATH)
    def receive_status_update():
        with lock:
            failure, delay = behaviour.failure(), behaviour.delay
        if delay:
            time.sleep(delay)
        if failure:
            return error(failure, "unavailable", "the national portal is out of service (mock control)")
        body = request.get_data()
        if not is_signed(body, request.headers.get(SIGNATURE_HEADER), shared):
            return error(401, "bad_signature", f"the {SIGNATURE_HEADER} header does not sign this body")
        message = _message(body)
        if message is None:
            return error(400, "invalid_message", "a message needs dossier_code, sequence (from 1) and status_code")
        result = store.record(url, message, body)
        if result == store.CONFLICT:
            return error(409, "conflict", "this dossier code and sequence were received with another body")
        return jsonify(result=result)

    @app.get("/dossiers/<code>")
    def show_dossier(code: str):
        statuses = store.statuses(url, code)
        if not statuses:
            return error(404, "not_found", f"nothing received for dossier {code}")
        numbers = {s["sequence"] for s in statuses}
        missing = [n for n in range(1, max(numbers)) if n not in numbers]
        return jsonify(dossier_code=code, statuses=statuses, missing_sequences=missing)

    @app.route("/control", methods=["GET", "PUT"])
    def control():
        if request.method == "PUT":
            values = request.get_json(silent=True)
            if not isinstance(values, dict):
                return error(400, "invalid_control", "send a JSON object")
            with lock:
                refused = behaviour.update(values)
            if refused:
                return error(400, "invalid_control", refused)
        with lock:
            return jsonify(asdict(behaviour))

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the mock national public-service portal.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5002)
    parser.add_argument("--database-url", default=None, help="default: $NATIONAL_PORTAL_DATABASE_URL")
    args = parser.parse_args(argv)
    create_service(args.database_url).run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
