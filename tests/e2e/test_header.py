"""The header on a phone: one line on every kind of page, a menu that opens without script,
and no failed request for an icon (a console error in every browser before)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import use_language
from tests.e2e.people import DESKTOP, PHONE, Words, main_navigation, sign_in_citizen, sign_in_officer

pytestmark = pytest.mark.e2e

ONE_LINE = 64  # px: the 44 px buttons and their padding


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_phone_header_is_one_line_and_its_menu_opens_without_script(lang, live_server, open_page, couples):
    citizen, _spouse = couples[4]
    words = Words(lang)
    page = open_page(*PHONE, javascript=False)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live_server}/")
    use_language(page, lang)
    sign_in_citizen(page, live_server, citizen, words)
    for path in ("/", "/procedures", "/track", "/procedures/1.004194/apply", "/my/dossiers"):
        page.goto(f"{live_server}{path}")
        header = page.get_by_role("banner").bounding_box()
        assert header["height"] <= ONE_LINE, (path, header)
        # The navigation is folded away until the menu button is pressed.
        expect(page.get_by_role("navigation", name=words("Main navigation"))).to_be_hidden()
    navigation = main_navigation(page, words)
    expect(navigation.get_by_role("link", name=words("My dossiers"))).to_be_visible()
    expect(page.locator("details.site-menu")).to_have_attribute("open", "")
    navigation.get_by_role("link", name=words("Track a dossier")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words("Track a dossier"))
    assert not failed, failed


def test_an_officer_page_asks_for_nothing_missing(live_server, open_page):
    """The browser fetches the favicon (and the page's icons): every request answers, no console error."""
    words = Words("vi")
    page = open_page(*DESKTOP)
    failed: list[str] = []
    errors: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    with page.expect_response(lambda r: r.url.endswith((".ico", ".svg")) and "icon" in r.url) as icon:
        sign_in_officer(page, live_server, "intake1", words)
    assert icon.value.status == 200
    assert page.url.endswith("/officer/queues/intake")  # an officer lands on their work
    assert not failed and not errors, (failed, errors)
