"""Real-browser fixtures: the portal served over HTTP, and headless Chromium to drive it.

1. ``live_app`` builds the portal on its own SQLite files, uploads and demo PKI in a temporary
   folder (the shared ``app`` fixture's tests run inside rolled-back transactions a browser
   cannot see), with the catalog and officers seeded and the session's test register read as is.
   The portal's database is SQLite whatever ``TEST_DATABASE_URL`` says (the register follows
   it), so CI runs these tests in its SQLite run only (``.ci/run``); give them the suite's
   database and they belong in both runs again. Payments go to the session's mock gateway
   ledger, never the developer's ``instance/``.
2. ``live_server`` serves it with Werkzeug in a daemon thread on a free port.
3. ``browser`` is Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``), launched
   by Playwright; Playwright's own browser downloads are never used.
4. ``open_page`` opens a fresh browser context (own cookies) at a given window size, with or
   without JavaScript; a page that asks for anything but the portal itself (a CDN font, a
   script) fails the test.
5. ``screenshot`` saves full-page screenshots under ``$E2E_SCREENSHOTS/<test>/``, by default
   ``tests/e2e/artifacts/<test>/`` (not committed; the best go to ``docs/screenshots/``).
6. ``audit`` runs axe-core (``npm ci`` installs it in ``node_modules/``) on a page in both
   languages and fails on any serious or critical WCAG 2.1 A/AA violation. Without axe-core
   the journey still runs, then is reported skipped, saying which pages went unchecked.
"""
from __future__ import annotations

import itertools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

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

ARTIFACTS = Path(__file__).parent / "artifacts"
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_MISSING = f"axe-core is not installed ({AXE_SCRIPT} is missing): run `make install-test` or `npm ci`"
# WCAG 2.1 level A and AA; a violation of impact serious or critical fails the page.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
LANGUAGES = ("vi", "en")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives the portal in a real browser (headless Chromium)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A journey that passed while axe-core was missing is reported skipped, never passed: its
    pages were not checked for accessibility."""
    result = yield
    audit = getattr(item, "funcargs", {}).get("audit")
    if isinstance(audit, Audit) and audit.unchecked:
        pytest.skip(f"its other checks passed, but {', '.join(audit.unchecked)} went unchecked: {AXE_MISSING}")
    return result


@pytest.fixture(scope="session")
def live_app(register: str, gateway_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from portal.demo.seed import seed_reference_data

    folder = tmp_path_factory.mktemp("e2e")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/portal.sqlite3",
            "REGISTRY_DATABASE_URL": register,
            "REGISTRY_CLIENT": "sql",
            "GATEWAY_DATABASE_URL": gateway_url,
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


def _body_closed_before_sending(app: Flask) -> Callable:
    """The app with each response's body read and closed before the server sends it.

    Werkzeug's development server closes a body (an open static file) only after draining what
    is left on the socket; when the browser has already dropped the connection (a page closed
    while its icon loads), that read raises and the close is skipped, so the file is left to the
    garbage collector and its ResourceWarning fails whichever test runs then."""

    def serve(environ, start_response):  # noqa: ANN001, ANN202
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The base URL of the portal served over HTTP, e.g. ``http://127.0.0.1:41234``."""
    server = make_server("127.0.0.1", 0, _body_closed_before_sending(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def couples(live_app: Flask, register: str) -> list[tuple[PersonRecord, PersonRecord]]:
    """Married register citizens with their spouses. Each test signs in as a citizen no other
    test uses: a draft one leaves behind, or the phone number it gave, never shows in another."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from portal.registry.models import Person
    from portal.registry.store import get_engine

    with Session(get_engine(register)) as session:
        ids = session.scalars(
            select(Person.personal_id)
            .where(Person.spouse_id.is_not(None), Person.father_id.is_not(None))
            .order_by(Person.personal_id)
            .limit(6)
        ).all()
    with live_app.app_context():
        registry = get_registry()
        people = [registry.get_person(personal_id) for personal_id in ids]
        return [(person, registry.get_person(person.spouse_id)) for person in people]


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
def open_page(request: pytest.FixtureRequest, browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    """``open_page(width, height, javascript=True)``: a page in a new context (no cookies) of
    that window size. Every request it makes must go to the portal: no asset from a CDN.
    In a test that audits pages, axe-core is loaded into every page of the context."""
    audit = request.getfixturevalue("audit") if "audit" in request.fixturenames else None
    contexts: list[BrowserContext] = []
    elsewhere: list[str] = []
    portal = urlsplit(live_server).netloc

    def note_request(sent) -> None:
        url = urlsplit(sent.url)
        if url.scheme in ("http", "https") and url.netloc != portal:
            elsewhere.append(sent.url)

    def open_(width: int, height: int, *, javascript: bool = True) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="vi-VN", accept_downloads=True,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", note_request)
        if audit is not None and audit.script is not None:
            # Run through the DevTools protocol before the page's own scripts: allowed by the
            # portal's CSP (script-src 'self'), and cheaper than sending it for each audit.
            context.add_init_script(script=audit.script)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()
    assert not elsewhere, f"pages loaded assets from outside the portal: {sorted(set(elsewhere))}"


def switch_language(page: Page) -> str:
    """Press the language button in the header; returns the language the page is now in."""
    now = page.locator("html").get_attribute("lang")
    other = LANGUAGES[1 - LANGUAGES.index(now)]
    page.locator("form.lang-switch").get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", other)
    return other


def use_language(page: Page, lang: str) -> None:
    if page.locator("html").get_attribute("lang") != lang:
        switch_language(page)


class Audit:
    """``audit(page, name)`` checks the page with axe-core as it is shown, switches the language
    with the header's button, checks it again, and switches back; ``audit.check(page, name)``
    checks it in its language only, for a state that reloading the page would lose (a form's
    errors). A page name audited once in the session is not audited again (the journeys share
    many pages). Fails on any serious or critical violation, listing each with the elements."""

    def __init__(self, script: str | None, audited: set[str]) -> None:
        self.script = script
        self.audited = audited
        self.unchecked: list[str] = []

    def __call__(self, page: Page, name: str) -> None:
        self._audit(page, name, languages=len(LANGUAGES))

    def check(self, page: Page, name: str) -> None:
        self._audit(page, name, languages=1)

    def _audit(self, page: Page, name: str, languages: int) -> None:
        if name in self.audited:
            return
        self.audited.add(name)
        if self.script is None:
            self.unchecked.append(name)
            return
        problems: list[str] = []
        for turn in range(languages):
            lang = switch_language(page) if turn else page.locator("html").get_attribute("lang")
            problems += [describe_violation(v, name, lang) for v in self.run(page)]
        if languages > 1:
            switch_language(page)
        assert not problems, "accessibility violations:\n" + "\n".join(problems)

    def run(self, page: Page) -> list[dict]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.script)  # a page opened elsewhere than ``open_page``
        return page.evaluate(
            """async ([tags, blocking]) => {
                const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
                return result.violations.filter(v => blocking.includes(v.impact));
            }""",
            [AXE_TAGS, list(BLOCKING_IMPACTS)],
        )


def describe_violation(violation: dict, name: str, lang: str) -> str:
    lines = [f"- {name} ({lang}): [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"]
    for node in violation["nodes"][:5]:
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"    {' '.join(node['target'])}: {summary}")
    if len(violation["nodes"]) > 5:
        lines.append(f"    … and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def audited() -> set[str]:
    return set()


@pytest.fixture()
def audit(audited: set[str]) -> Audit:
    return Audit(AXE_SCRIPT.read_text(encoding="utf-8") if AXE_SCRIPT.exists() else None, audited)


@pytest.fixture()
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """``screenshot(page, name)`` saves ``NN-name.png`` (numbered in the order taken)."""
    root = Path(os.environ["E2E_SCREENSHOTS"]) if os.environ.get("E2E_SCREENSHOTS") else ARTIFACTS
    folder = root / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    numbers = itertools.count(1)

    def take(page: Page, name: str) -> Path:
        path = folder / f"{next(numbers):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
