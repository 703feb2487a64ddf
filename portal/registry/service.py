"""The mock national population register as a small HTTP service.

The portal's :class:`~portal.registry.client.HttpRegistryClient` talks to it, so timeouts and
outages are real: run it with ``python -m portal.registry.service`` (port 5001) or
``flask --app "portal.registry.service:create_service()" run --port 5001``.

- ``GET /people/<personal_id>``: the record as JSON; 400 for a malformed ID, 404 for an unknown
  one, 503 when the register's database does not answer.
- ``POST /births``: the civil-status agency registers a newborn (JSON of
  :class:`~portal.registry.records.Newborn`); 201 with ``{"personal_id"}``, 400 for a body that
  is not one, 503 when the register's database does not answer.
- ``GET /health``: 200 when the register's database answers, 503 otherwise.

``REGISTRY_DATABASE_URL`` says where the register is (the portal's default otherwise), and
``REGISTRY_SERVICE_DELAY`` (seconds) slows every ``/people`` answer to simulate a slow register.
"""
from __future__ import annotations

import argparse
import os
import time

from flask import Flask, Response, current_app, jsonify, request

from portal.registry.client import RegistryUnavailable, SqlRegistryClient
from portal.registry.ids import InvalidPersonalId, make_personal_id, parse_personal_id
from portal.registry.records import Newborn


def default_database_url() -> str:
    from config import Config

    return os.environ.get("REGISTRY_DATABASE_URL") or Config.REGISTRY_DATABASE_URL


def create_service(database_url: str | None = None) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False
    app.config["REGISTRY_DATABASE_URL"] = database_url or default_database_url()
    app.config["REGISTRY_SERVICE_DELAY"] = float(os.environ.get("REGISTRY_SERVICE_DELAY") or 0)
    client = SqlRegistryClient(app.config["REGISTRY_DATABASE_URL"])

    def error(status: int, code: str, message: str) -> tuple[Response, int]:
        return jsonify(error=code, message=message), status

    @app.get("/people/<personal_id>")
    def get_person(personal_id: str):
        delay = current_app.config["REGISTRY_SERVICE_DELAY"]
        if delay:
            time.sleep(delay)
        try:
            parse_personal_id(personal_id)
        except InvalidPersonalId as exc:
            return error(400, "invalid_personal_id", str(exc))
        try:
            record = client.get_person(personal_id)
        except RegistryUnavailable as exc:
            return error(503, "register_unavailable", str(exc))
        if record is None:
            return error(404, "not_found", f"no person with personal ID {personal_id}")
        return jsonify(record.to_dict())

    @app.post("/births")
    def register_birth():
        try:
            newborn = Newborn.from_dict(request.get_json(force=True, silent=True) or {})
            make_personal_id(newborn.birth_registration_province_code, "M", newborn.date_of_birth.year, 0)
        except (KeyError, ValueError, TypeError) as exc:
            return error(400, "invalid_birth", f"not a birth the register can record: {exc}")
        try:
            personal_id = client.register_birth(newborn)
        except RegistryUnavailable as exc:
            return error(503, "register_unavailable", str(exc))
        return jsonify(personal_id=personal_id), 201

    @app.get("/health")
    def health():
        if client.health():
            return jsonify(status="ok")
        return jsonify(status="unavailable"), 503

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the mock national population register.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--database-url", default=None, help="default: $REGISTRY_DATABASE_URL")
    args = parser.parse_args(argv)
    create_service(args.database_url).run(host=args.host, port=args.port)


if __name__ == "__main__":
    main()
