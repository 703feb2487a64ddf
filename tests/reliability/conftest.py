"""Apps on databases of their own, for faults that need real commits and real connections:
outages, lock waits, threads racing, backups. (The rest of the suite runs each test inside a
transaction that is rolled back; these tests do not use the ``app`` fixture, so nothing wraps
them.)"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from portal.extensions import db
from tests.databases import database_beside, drop_database


@pytest.fixture()
def fresh_app(make_app, database_urls: tuple[str, str], tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """``fresh_app(name, seed=True, **config)``: the portal on a new database called ``name``,
    with the catalog, the officers and the demo PKI (``seed``) or empty.

    Errors are handled as in production: one raised by the commit after the view reaches Flask's
    last-resort handler, which the testing configuration would let through to the test instead.
    """
    from portal.demo.seed import seed_reference_data

    made: list[tuple[Flask, str]] = []

    def build(name: str = "reliability", *, seed: bool = True, **config: object) -> Flask:
        folder = tmp_path / name
        folder.mkdir()
        url = database_beside(database_urls[0], name, folder)
        app = make_app(
            SQLALCHEMY_DATABASE_URI=url,
            UPLOAD_DIR=str(folder / "uploads"),
            PKI_DIR=str(tmp_path / "pki"),
            PROPAGATE_EXCEPTIONS=False,
            **config,
        )
        with app.app_context():
            db.create_all()
            if seed:
                seed_reference_data()
            db.session.commit()
        made.append((app, url))
        return app

    yield build
    for app, url in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(url)


def is_postgresql(app: Flask) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


@pytest.fixture()
def postgresql_only(database_urls: tuple[str, str]) -> None:
    if not database_urls[0].startswith("postgresql"):
        pytest.skip("needs PostgreSQL: run with TEST_DATABASE_URL=postgresql+psycopg:///test")
