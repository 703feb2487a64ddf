"""The mock national population register (*Cơ sở dữ liệu quốc gia về dân cư*).

1. :func:`init_app` builds the client the configuration asks for (``REGISTRY_CLIENT``:
   ``sql`` reads ``REGISTRY_DATABASE_URL`` in-process, ``http`` asks the mock register service
   at ``REGISTRY_URL`` within ``REGISTRY_TIMEOUT`` seconds, ``failing`` is always out of service)
   and keeps it in ``app.extensions["registry_client"]``.
2. The rest of the portal calls :func:`get_registry` and gets a
   :class:`~portal.registry.client.RegistryClient`; it never touches the register's tables.
3. ``flask registry generate`` fills the register deterministically and ``flask registry show``
   prints one record as JSON, for officers and developers.
"""
from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.registry.client import (
    FailingRegistryClient,
    HttpRegistryClient,
    RegistryClient,
    RegistryUnavailable,
    SqlRegistryClient,
)
from portal.registry.generator import RegisterNotEmpty, generate_register
from portal.registry.ids import InvalidPersonalId, parse_personal_id

__all__ = ["RegistryClient", "RegistryUnavailable", "get_registry", "init_app", "registry_cli"]

EXTENSION_KEY = "registry_client"

registry_cli = AppGroup("registry", help="The mock national population register.")


def build_client(config: dict) -> RegistryClient:
    kind = config.get("REGISTRY_CLIENT", "sql")
    if kind == "sql":
        return SqlRegistryClient(config["REGISTRY_DATABASE_URL"])
    if kind == "http":
        return HttpRegistryClient(
            config.get("REGISTRY_URL", "http://127.0.0.1:5001"),
            timeout=float(config.get("REGISTRY_TIMEOUT", 2.0)),
        )
    if kind == "failing":
        return FailingRegistryClient()
    raise ValueError(f"REGISTRY_CLIENT must be 'sql', 'http' or 'failing', not {kind!r}")


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = build_client(app.config)
    app.cli.add_command(registry_cli)


def get_registry() -> RegistryClient:
    """The current application's register client."""
    return current_app.extensions[EXTENSION_KEY]


def _size(size_bytes: int | None) -> str:
    return "unknown" if size_bytes is None else f"{size_bytes / 1_048_576:.1f} MiB"


@registry_cli.command("generate")
@click.option("--count", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="How many people.")
@click.option("--seed", type=int, default=20250701, show_default=True,
              help="The same seed gives the same people.")
@click.option("--reset", is_flag=True, help="Replace the people already in the register.")
def generate_command(count: int, seed: int, reset: bool) -> None:
    """Fill the register at REGISTRY_DATABASE_URL with COUNT generated people."""
    try:
        report = generate_register(
            current_app.config["REGISTRY_DATABASE_URL"], count=count, seed=seed, reset=reset
        )
    except RegisterNotEmpty as exc:
        raise click.ClickException(
            f"The register already holds {exc.people} people; add --reset to replace them."
        ) from exc
    click.echo(
        f"Generated {report.people} people in {report.households} households "
        f"in {report.seconds:.1f} s ({report.people_per_second:,.0f} people/s); "
        f"database size {_size(report.database_size_bytes)} ({report.url})"
    )


@registry_cli.command("show")
@click.argument("personal_id")
def show_command(personal_id: str) -> None:
    """Print the register's record of PERSONAL_ID as JSON."""
    try:
        parse_personal_id(personal_id)
    except InvalidPersonalId as exc:
        raise click.ClickException(f"{personal_id!r} is not a personal ID: {exc}") from exc
    try:
        record = get_registry().get_person(personal_id)
    except RegistryUnavailable as exc:
        raise click.ClickException(f"The register is unavailable: {exc}") from exc
    if record is None:
        raise click.ClickException(f"No person with personal ID {personal_id} in the register.")
    click.echo(json.dumps(record.to_dict(), ensure_ascii=False, indent=2))
