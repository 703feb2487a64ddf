"""Fixtures of the register's tests: its rows, a scratch register, the HTTP service in a thread."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from portal.registry.models import Household, Person
from portal.registry.service import create_service
from portal.registry.store import get_engine


@dataclass(frozen=True)
class RegisterRows:
    people: dict[str, dict[str, Any]]
    households: dict[str, dict[str, Any]]


def read_rows(url: str) -> RegisterRows:
    with get_engine(url).connect() as conn:
        people = conn.execute(select(Person.__table__).order_by(Person.personal_id)).mappings()
        people_by_id = {row["personal_id"]: dict(row) for row in people}
        households = conn.execute(
            select(Household.__table__).order_by(Household.household_number)
        ).mappings()
        households_by_number = {row["household_number"]: dict(row) for row in households}
    return RegisterRows(people_by_id, households_by_number)


@pytest.fixture(scope="session")
def register_rows(register: str) -> RegisterRows:
    return read_rows(register)


@pytest.fixture()
def scratch_url(database_urls: tuple[str, str], tmp_path) -> str:
    """An empty register on the backend under test, apart from the shared one."""
    url = make_url(database_urls[1])
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path}/scratch.sqlite3"
    return url.set(database=f"{url.database}_scratch").render_as_string(hide_password=False)


@dataclass
class RunningService:
    app: Flask
    url: str


@contextmanager
def serve(app: Flask) -> Iterator[RunningService]:
    """Serve ``app`` from a thread on an ephemeral port of 127.0.0.1."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="register-service")
    thread.start()
    try:
        yield RunningService(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture(scope="module")
def service(register: str) -> Iterator[RunningService]:
    """The mock register service serving the test register."""
    with serve(create_service(register)) as running:
        yield running
