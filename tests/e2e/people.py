"""What citizens and officers do on the portal's pages, shared by the browser journeys.

The journeys run in Vietnamese or English: ``Words(lang)`` gives the portal's own words in the
language of the page (the English message ids looked up in the Vietnamese catalog), and the
e-form's labels come from the form definition, so one journey reads the same in both languages.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader, PdfWriter

from portal.workflow.results import pki_dir
from portal.paperwork import SignatureCheck, verify_pdf
from portal.registry.records import PersonRecord
from portal.demo.seed import DEMO_OFFICERS, DEMO_PASSWORD
from tests.e2e.conftest import TIMEOUT_MS, use_language

PHONE = (390, 844)
DESKTOP = (1280, 900)
CODE = re.compile(r"000\.09\.27\.H26-\d{6}-\d{4}")
FULL_NAMES = {username: full_name for username, full_name, _role, _agency in DEMO_OFFICERS}
CATALOG = Path(__file__).resolve().parents[2] / "portal" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"

Screenshot = Callable[[Page, str], object]


@cache
def _vietnamese() -> dict[str, str]:
    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="vi")
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}


class Words:
    """``words("Save and continue")`` → "Lưu và tiếp tục" in Vietnamese, itself in English."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, msgid: str, **values: Any) -> str:
        text = _vietnamese().get(msgid, msgid) if self.lang == "vi" else msgid
        return text % values if values else text


def found(words: Words, person: PersonRecord) -> str:
    """What the e-form says under a personal ID it found in the register."""
    return words("%(name)s, born %(date)s", name=person.full_name, date=f"{person.date_of_birth:%d/%m/%Y}")


def address_ready(address: Locator, words: Words) -> None:
    """Wait until the page's script runs the address: it hides the "show its wards" button once
    it refills the ward list by itself, so a province chosen before then lists no wards (the
    page then waits for the button, as without JavaScript)."""
    expect(address.get_by_role("button", name=words("Show its wards and communes"))).to_be_hidden()


def file_input(scope: Page | Locator, words: Words, document: str) -> Locator:
    """The upload input in the group of the document named ``document``."""
    return scope.get_by_role("group", name=document).get_by_label(words("Upload a file (PDF, JPEG or PNG, at most 10 MB)"))


def small_pdf() -> bytes:
    """A real one-page PDF, as a scanner would give."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_file(name: str = "giay-to.pdf") -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": small_pdf()}


def pdf_text(body: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())


def fetch(page: Page, link: Locator) -> bytes:
    """The file behind a link, with the page's cookies (a headless download lands outside the test)."""
    response = page.request.get(link.evaluate("link => link.href"))
    assert response.ok and response.headers["content-type"] == "application/pdf", response.status
    return response.body()


def sign_in_citizen(page: Page, live_server: str, citizen: PersonRecord, words: Words,
                    audit: Callable[[Page, str], None] | None = None) -> None:
    """Through the mock VNeID page; the header then shows the citizen's name."""
    page.goto(f"{live_server}/login/citizen")
    use_language(page, words.lang)
    if audit:
        audit(page, "citizen-sign-in")
    page.get_by_label(words("Personal ID number"), exact=True).fill(citizen.personal_id)
    page.get_by_label(words("VNeID password")).fill("vneid-demo")
    page.get_by_role("button", name=words("Sign in"), exact=True).click()
    page.wait_for_url(lambda url: "/login/" not in url)  # the sign-in page's own menu is not the one to open
    expect(signed_in_as(page, words)).to_contain_text(citizen.full_name)


def main_navigation(page: Page, words: Words) -> Locator:
    """The main navigation as a person reaches it: the bar on a wide screen; on a phone, behind
    the "Menu" button of the header (a disclosure: it opens without JavaScript too)."""
    menu = page.locator("details.site-menu")
    if menu.is_visible() and menu.get_attribute("open") is None:
        menu.locator("summary").click()  # its name may be the icon only (on a narrow screen)
    navigation = page.get_by_role("navigation", name=words("Main navigation"))
    expect(navigation).to_be_visible()
    return navigation


def signed_in_as(page: Page, words: Words) -> Locator:
    """Who the header says is signed in: beside the language button on a wide screen, at the
    end of the menu on a phone."""
    main_navigation(page, words)
    return page.get_by_role("banner").locator(".account").filter(visible=True)


def sign_in_officer(page: Page, live_server: str, username: str, words: Words,
                    audit: Callable[[Page, str], None] | None = None) -> None:
    page.goto(f"{live_server}/login/officer")
    use_language(page, words.lang)
    if audit:
        audit(page, "officer-sign-in")
    page.get_by_label(words("Username")).fill(username)
    page.get_by_label(words("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=words("Sign in"), exact=True).click()
    page.wait_for_url(lambda url: "/login/" not in url)
    expect(signed_in_as(page, words)).to_contain_text(FULL_NAMES[username])


def open_from_queue(page: Page, queue: str, code: str, words: Words) -> None:
    """Through the queue's link in the navigation (its name ends with the count)."""
    link = re.compile(rf"^{re.escape(queue)} \d+$")
    main_navigation(page, words).get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(queue)
    expect(page.get_by_role("link", name=code, exact=True)).to_be_visible()


def open_dossier(page: Page, code: str) -> None:
    page.get_by_role("link", name=code, exact=True).click()
    expect(page.locator("[data-dossier-code]")).to_have_text(code)


def fact(scope: Page | Locator, term: str) -> Locator:
    """The value next to ``term`` in the dossier's facts (of the page, or of a part of it)."""
    page = scope if isinstance(scope, Page) else scope.page
    return scope.locator("dl.facts > div").filter(has=page.get_by_text(term, exact=True)).locator("dd")


def act(page: Page, words: Words, action: str, **fields: str | list[str]) -> None:
    """Fill an action's form (fields by label; a list ticks those boxes; a group of choices
    picks the one whose label starts with the value), press its button, and see it done.
    ``action`` is the English name of the transition."""
    label = words(action)
    form = page.locator("form.action-form").filter(has=page.get_by_role("heading", name=label, exact=True))
    for field, value in fields.items():
        if isinstance(value, list):
            for box in value:
                form.get_by_label(box).check()
            continue
        group = form.get_by_role("group", name=field, exact=True)
        if group.count():
            group.get_by_label(re.compile(rf"^{re.escape(value)}")).check()
            continue
        control = form.get_by_label(field)
        if control.evaluate("element => element.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    form.get_by_role("button", name=label, exact=True).click()
    expect(page.get_by_role("status").filter(has_text=words("Done: %(action)s.", action=label))).to_be_visible()


def expect_status(page: Page, words: Words, status: str, national_code: int) -> None:
    """``status`` is the English label of the dossier's state."""
    expect(fact(page, words("Status"))).to_have_text(
        f"{words(status)} ({words('national status code %(code)d', code=national_code)})"
    )


def verify_signature(live_app: Flask, pdf: bytes) -> SignatureCheck:
    """``verify_pdf`` against the live app's demo CA, in a thread of its own: pyHanko runs its
    own asyncio loop, which cannot start in this thread, where Playwright's loop is running."""

    def verify() -> SignatureCheck:
        with live_app.test_request_context():
            return verify_pdf(pdf, pki_dir())

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(verify).result(timeout=TIMEOUT_MS / 1000)
