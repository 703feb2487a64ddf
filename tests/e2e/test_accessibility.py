"""Accessibility beyond what the journeys' axe-core audits see.

1. The audit itself finds violations when there are some (a checker that never fails proves
   nothing).
2. A citizen who only uses the keyboard signs in, fills the e-form (selects, a person looked up
   by ID, file uploads), chooses the delivery, pays and submits: Tab, Shift+Tab, Enter, Space
   and arrow keys only, with a visible focus indicator on every element reached.
3. A step submitted with problems puts the focus on the error summary, says "Error:" in the
   title, and each link of the summary takes the focus to its field; in both languages, and the
   error pages pass axe-core too.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.eforms.definitions import get_form_definition
from tests.e2e.conftest import AXE_MISSING, describe_violation, use_language
from tests.e2e.people import DESKTOP, PHONE, Words, address_ready, file_input, found, pdf_file, sign_in_citizen, sign_in_officer

pytestmark = pytest.mark.e2e

MAX_TABS = 60

# What the focused element looks like: a focus indicator is an outline of at least 2 px or a
# box shadow (the house style has both: yellow outline, dark ring).
FOCUS_STYLE = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    return {
        element: element.outerHTML.slice(0, 120),
        visible: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none",
    };
}"""


def expect_focus_visible(page: Page) -> None:
    focus = page.evaluate(FOCUS_STYLE)
    assert focus["visible"], f"no visible focus on {focus['element']}"


def tab_to(page: Page, target: Locator, *, key: str = "Tab") -> None:
    """Press Tab until ``target`` has the focus, checking that every stop shows its focus."""
    page.wait_for_load_state()  # the style sheet too: the focus style comes with it
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        expect_focus_visible(page)
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} not reached in {MAX_TABS} presses of {key}")


def choose(page: Page, select: Locator, option: str) -> None:
    """Move through a focused select with the arrow key until ``option`` is chosen."""
    for _ in range(MAX_TABS):
        if select.evaluate("s => s.selectedOptions[0].textContent.trim()") == option:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{option!r} not found in {select}")


def test_audit_reports_violations(live_server, open_page, audit):
    if audit.script is None:
        pytest.skip(AXE_MISSING)
    page = open_page(*DESKTOP)
    page.goto(f"{live_server}/track")
    page.evaluate("() => { document.documentElement.removeAttribute('lang'); document.querySelector('[for=code]').remove(); }")
    violations = audit.run(page)
    assert {v["id"] for v in violations} == {"html-has-lang", "label"}
    assert "#code" in describe_violation(next(v for v in violations if v["id"] == "label"), "track", "vi")


def test_keyboard_only_citizen_submits(live_server, open_page, couples):
    citizen, host = couples[3]
    words = Words("vi")
    definition = get_form_definition("1.004194")
    label = lambda key: definition.field(key).label("vi")  # noqa: E731
    page = open_page(*DESKTOP)
    page.goto(f"{live_server}/procedures/1.004194")

    # The skip link comes first and shows itself when focused.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=words("Skip to main content"))
    expect(skip).to_be_focused()
    expect_focus_visible(page)
    assert skip.bounding_box()["x"] >= 0
    tab_to(page, page.get_by_role("link", name=words("Submit online")))
    page.keyboard.press("Enter")

    # Signing in sends the citizen on to the form.
    expect(page.get_by_role("heading", level=1)).to_have_text(words("Sign in with VNeID"))
    tab_to(page, page.get_by_label(words("Personal ID number")))
    page.keyboard.type(citizen.personal_id)
    page.keyboard.press("Tab")
    page.keyboard.type("vneid-demo")
    page.keyboard.press("Enter")

    # Step 1: the prefilled, read-only fields are in the tab order, so they can be read.
    expect(page.get_by_role("heading", level=1)).to_have_text(definition.steps[0].title("vi"))
    tab_to(page, page.get_by_label(label("full_name"), exact=True))
    tab_to(page, page.get_by_label(label("occupation")))
    page.keyboard.type("Giáo viên, Trường THCS Ba Đình")
    tab_to(page, page.get_by_label(label("phone")))
    page.keyboard.type("0987654321")
    page.keyboard.press("Enter")

    # Step 2: selects by arrow keys; the ward list follows the province, the host is looked up.
    expect(page.get_by_role("heading", level=1)).to_have_text(definition.steps[1].title("vi"))
    place = page.get_by_role("group", name=label("temporary_address"))
    address_ready(place, words)
    province = place.get_by_label(words("Province or city"))
    tab_to(page, province)
    choose(page, province, "Thành phố Hà Nội")
    ward = place.get_by_label(words("Ward or commune"))
    expect(ward.locator("option", has_text="Phường Ba Đình")).to_be_attached()
    tab_to(page, ward)
    choose(page, ward, "Phường Ba Đình")
    page.keyboard.press("Tab")
    page.keyboard.type("Số 5 phố Kim Mã")
    accommodation = page.get_by_label(label("accommodation"))
    tab_to(page, accommodation)
    choose(page, accommodation, definition.field("accommodation").option_label("rented", "vi"))
    tab_to(page, page.get_by_role("group", name=label("host")).get_by_role("textbox"))
    page.keyboard.type(host.personal_id)
    expect(page.get_by_text(found(words, host))).to_be_visible()
    tab_to(page, page.get_by_label(label("months")))
    page.keyboard.type("6")
    purpose = page.get_by_label(label("purpose"))
    tab_to(page, purpose)
    choose(page, purpose, definition.field("purpose").option_label("work", "vi"))
    tab_to(page, page.get_by_role("button", name=words("Save and continue")))
    page.keyboard.press("Enter")

    # Step 3: a file input opens the file chooser with Space. Listening before any key is pressed
    # makes sure Playwright intercepts the chooser from the first press on.
    expect(page.get_by_role("heading", level=1)).to_have_text(definition.steps[2].title("vi"))
    page.on("filechooser", lambda chooser: None)
    for field in definition.steps[2].fields:
        upload = file_input(page, words, field.label("vi"))
        tab_to(page, upload)
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files(pdf_file())
    tab_to(page, page.get_by_role("button", name=words("Save and continue")))
    page.keyboard.press("Enter")

    # Delivery: a radio is chosen with Space.
    expect(page.get_by_role("heading", level=1)).to_have_text(words("How do you want to receive the result?"))
    online = page.get_by_label(words("Online: download the electronic result (signed) from the portal"))
    tab_to(page, online)
    page.keyboard.press("Space")
    expect(online).to_be_checked()
    tab_to(page, page.get_by_role("button", name=words("Save and continue")))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(words("Check your answers before submitting"))
    tab_to(page, page.get_by_role("button", name=words("Pay and submit the dossier")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(words("Pay %(amount)s", amount="7.000\u00a0₫"))
    tab_to(page, page.get_by_role("button", name=words("Pay"), exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(words("Dossier submitted"))
    tab_to(page, page.get_by_role("link", name=words("See the dossier")))
    tab_to(page, page.get_by_role("link", name=words("Download the receipt (PDF)")), key="Shift+Tab")


def expect_summary_focused(page: Page, words: Words, field: Locator) -> None:
    """The error summary has the focus, the title says "Error:", and the summary's link to
    ``field`` puts the focus on it."""
    summary = page.locator("[data-error-summary], .error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    assert page.title().startswith(f"{words('Error:')} "), page.title()
    field_id = field.get_attribute("id")
    summary.locator(f"a[href='#{field_id}']").click()
    expect(field).to_be_focused()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_errors_are_announced(lang, live_server, open_page, audit, couples):
    citizen, _spouse = couples[5]
    words = Words(lang)
    page = open_page(*PHONE)
    page.goto(f"{live_server}/login/citizen")
    use_language(page, lang)
    page.get_by_role("button", name=words("Sign in"), exact=True).click()
    expect_summary_focused(page, words, page.get_by_label(words("Personal ID number")))
    expect(page.get_by_role("alert")).to_contain_text(words("Enter your 12-digit personal ID."))
    audit.check(page, f"citizen-sign-in-errors-{lang}")

    sign_in_citizen(page, live_server, citizen, words)
    page.goto(f"{live_server}/procedures/1.004194/apply")
    definition = get_form_definition("1.004194")
    phone = page.get_by_label(definition.field("phone").label(lang))
    phone.fill("")
    page.get_by_role("button", name=words("Save and continue")).click()
    expect_summary_focused(page, words, page.get_by_label(definition.field("occupation").label(lang)))
    expect(phone).to_have_attribute("aria-invalid", "true")
    audit.check(page, f"step-errors-{lang}")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_statistics_pages_pass_the_audit(lang, live_server, open_page, audit):
    """The dashboards: charts, tables that scroll sideways on a phone, filters, drill-down."""
    if audit.script is None:
        pytest.skip(AXE_MISSING)
    words = Words(lang)
    page = open_page(*PHONE)
    page.goto(f"{live_server}/stats")
    use_language(page, lang)
    audit.check(page, f"stats-{lang}")
    officer = open_page(*DESKTOP)
    sign_in_officer(officer, live_server, "leader1", words)
    officer.goto(f"{live_server}/officer/stats")
    audit.check(officer, f"officer-stats-{lang}")
