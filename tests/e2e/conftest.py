"""Real-browser fixtures: the portal served over HTTP, and headless Chromium to drive it.

1. ``live_app`` builds the portal on its own SQLite files, uploads and demo PKI in a temporary
   folder (the shared ``app`` fixture's tests run inside rolled-back transactions a browser
   cannot see), with the catalog and officers seeded and the session's test register read as is.
2. ``live_server`` serves it with Werkzeug in a daemon thread on a free port.
3. ``browser`` is Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``), launched
   by Playwright; Playwright's own browser downloads are never used.
4. ``open_page`` opens a fresh browser context (own cookies) at a given window size;
   ``screenshot`` saves full-page screenshots under ``$E2E_SCREENSHOTS/<test>/`` or ``tmp_path``.
"""
from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from portal.registry import get_registry
from portal.registry.records import PersonRecord

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# Every wait is bounded: a page that does not answer fails the test instead of hanging it.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives the portal in a real browser (headless Chromium)")


@pytest.fixture(scope="session")
def live_app(register: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from portal.seed import seed_reference_data

    folder = tmp_path_factory.mktemp("e2e")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/portal.sqlite3",
            "REGISTRY_DATABASE_URL": register,
            "REGISTRY_CLIENT": "sql",
            "UPLOAD_DIR": str(folder / "uploads"),
            # Results are signed with a demo CA made here, never the one in the developer's instance/.
            "PKI_DIR": str(folder / "pki"),
            # A browser sends the forms' real tokens, so CSRF protection stays on as in production.
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        db.create_all()
        seed_reference_data()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The base URL of the portal served over HTTP, e.g. ``http://127.0.0.1:41234``."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def citizen(live_app: Flask, citizen_id: str) -> PersonRecord:
    """The register record of the citizen who signs in (married, so the spouse can be named)."""
    with live_app.app_context():
        person = get_registry().get_person(citizen_id)
    assert person is not None and person.spouse_id
    return person


@pytest.fixture(scope="session")
def spouse(live_app: Flask, citizen: PersonRecord) -> PersonRecord:
    """The citizen's spouse, named as the head of the household the citizen joins."""
    with live_app.app_context():
        person = get_registry().get_person(citizen.spouse_id)
    assert person is not None
    return person


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=TIMEOUT_MS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture()
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """``open_page(width, height)``: a page in a new context (no cookies) of that window size."""
    contexts: list[BrowserContext] = []

    def open_(width: int, height: int) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN", accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture()
def screenshot(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[Page, str], Path]:
    """``screenshot(page, name)`` saves ``NN-name.png`` (numbered in the order taken)."""
    root = os.environ.get("E2E_SCREENSHOTS")
    folder = Path(root) / request.node.name if root else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    numbers = itertools.count(1)

    def take(page: Page, name: str) -> Path:
        path = folder / f"{next(numbers):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
