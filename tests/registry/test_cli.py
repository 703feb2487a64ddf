"""``flask registry show`` and ``flask registry generate`` on a minimal app, and ``init_app``."""
from __future__ import annotations

import json

import pytest
from flask import Flask

from portal.registry import get_registry, init_app
from portal.registry.client import FailingRegistryClient, HttpRegistryClient, SqlRegistryClient
from tests.registry.conftest import read_rows


def make_app(**config) -> Flask:
    app = Flask(__name__)
    app.config.update(config)
    init_app(app)
    return app


@pytest.fixture()
def cli_app(register: str) -> Flask:
    return make_app(REGISTRY_CLIENT="sql", REGISTRY_DATABASE_URL=register)


def test_show_prints_the_record_as_json(cli_app, register_rows):
    personal_id, row = next(iter(register_rows.people.items()))

    result = cli_app.test_cli_runner().invoke(args=["registry", "show", personal_id])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["personal_id"], data["full_name"]) == (personal_id, row["full_name"])
    assert row["full_name"] in result.stdout  # ensure_ascii=False: the name as written
    assert data["household"]["number"] == row["household_number"]


def test_show_unknown_person_fails_with_a_message(cli_app):
    result = cli_app.test_cli_runner().invoke(args=["registry", "show", "001099999999"])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "No person with personal ID 001099999999" in result.stderr


@pytest.mark.parametrize(
    ("value", "reason"),
    [("12345", "12 digits"), ("0010901234AB", "digits 0–9"), ("003090123456", "province code")],
)
def test_show_malformed_id_says_what_is_wrong(cli_app, value, reason):
    result = cli_app.test_cli_runner().invoke(args=["registry", "show", value])

    assert result.exit_code == 1
    assert "is not a personal ID" in result.stderr and reason in result.stderr


def test_show_when_the_register_is_down(register_rows):
    app = make_app(REGISTRY_CLIENT="failing")
    personal_id = next(iter(register_rows.people))

    result = app.test_cli_runner().invoke(args=["registry", "show", personal_id])

    assert result.exit_code == 1
    assert "The register is unavailable" in result.stderr


def test_generate_fills_the_configured_register(tmp_path):
    url = f"sqlite:///{tmp_path}/instance/registry.sqlite3"
    runner = make_app(REGISTRY_DATABASE_URL=url).test_cli_runner()

    result = runner.invoke(args=["registry", "generate", "--count", "40", "--seed", "9"])

    assert result.exit_code == 0, result.output
    assert "Generated 40 people" in result.stdout and "MiB" in result.stdout
    first = read_rows(url)
    assert len(first.people) == 40

    again = runner.invoke(args=["registry", "generate", "--count", "40", "--seed", "9"])
    assert again.exit_code == 1 and "already holds 40 people" in again.stderr

    reset = runner.invoke(args=["registry", "generate", "--count", "40", "--seed", "9", "--reset"])
    assert reset.exit_code == 0, reset.output
    assert read_rows(url) == first


def test_init_app_builds_the_configured_client(register):
    assert isinstance(make_app(REGISTRY_DATABASE_URL=register).extensions["registry_client"],
                      SqlRegistryClient)
    failing = make_app(REGISTRY_CLIENT="failing")
    with failing.app_context():
        assert isinstance(get_registry(), FailingRegistryClient)
    http = make_app(REGISTRY_CLIENT="http", REGISTRY_URL="http://127.0.0.1:5999/",
                    REGISTRY_TIMEOUT=0.5).extensions["registry_client"]
    assert isinstance(http, HttpRegistryClient)
    assert (http.base_url, http.timeout) == ("http://127.0.0.1:5999", 0.5)
    http.close()
    with pytest.raises(ValueError, match="REGISTRY_CLIENT"):
        make_app(REGISTRY_CLIENT="ldap")
