"""The citizen's core path works with JavaScript switched off (progressive enhancement).

Sign-in, the prefilled form, the ward list (the "show wards" button reloads the step instead of
the script's fetch), the fields that depend on an answer (all shown, the server keeps only
those that apply), uploads, delivery, check, the payment gateway, the confirmation with the
receipt, and tracking by code: all plain HTML forms and links.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.eforms.definitions import get_form_definition
from tests.e2e.people import CODE, PHONE, Words, file_input, main_navigation, pdf_file, sign_in_citizen

pytestmark = pytest.mark.e2e


def test_core_path_without_javascript(live_server, open_page, couples):
    citizen, _spouse = couples[4]
    words = Words("vi")
    definition = get_form_definition("1.004222")
    label = lambda key: definition.field(key).label("vi")  # noqa: E731
    page = open_page(*PHONE, javascript=False)

    sign_in_citizen(page, live_server, citizen, words)
    page.goto(f"{live_server}/procedures/1.004222")
    page.get_by_role("link", name=words("Submit online")).click()

    full_name = page.get_by_label(label("full_name"), exact=True)
    expect(full_name).to_have_value(citizen.full_name)
    expect(full_name).to_have_attribute("readonly", "")
    page.get_by_label(label("phone")).fill("0901234567")
    page.get_by_role("button", name=words("Save and continue")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(definition.steps[1].title("vi"))
    # Without the script the fields for "moving in with a relative" stay on show; not needed here.
    expect(page.get_by_role("group", name=label("new_household_head"))).to_be_visible()
    page.get_by_label(label("residence_basis")).select_option("owned")
    page.get_by_role("button", name=words("Save and continue")).click()

    # The home (issue 17: filled in when the register or an earlier dossier knows it).
    expect(page.get_by_role("heading", level=1)).to_have_text(definition.steps[2].title("vi"))
    place = page.get_by_role("group", name=label("new_address"))
    place.get_by_label(words("Province or city")).select_option(label="Thành phố Hà Nội")
    place.get_by_role("button", name=words("Show its wards and communes")).click()
    place.get_by_label(words("Ward or commune")).select_option(label="Phường Ba Đình")
    place.get_by_label(words("House number and street, or hamlet or village")).fill("Số 3 phố Liễu Giai")
    page.get_by_label(label("reason")).fill("Cùng vợ và con.")
    page.get_by_role("button", name=words("Save and continue")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(definition.steps[3].title("vi"))
    for key in ("doc_legal_residence",):  # the CT01 is the e-form itself (issue 17)
        file_input(page, words, label(key)).set_input_files(pdf_file())
    page.get_by_role("button", name=words("Save and continue")).click()

    page.get_by_label(words("At the counter of the agency")).check()
    page.get_by_role("button", name=words("Save and continue")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(words("Check your answers before submitting"))
    expect(page.locator("main")).to_contain_text("Số 3 phố Liễu Giai")
    page.get_by_role("button", name=words("Pay and submit the dossier")).click()
    page.get_by_role("button", name=words("Pay"), exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(words("Dossier submitted"))
    code = page.locator("[data-dossier-code]").inner_text().strip()
    assert CODE.fullmatch(code), code
    receipt = page.get_by_role("link", name=words("Download the receipt (PDF)"))
    assert page.request.get(receipt.evaluate("link => link.href")).ok

    # The header's menu opens without script (a disclosure) on a phone.
    main_navigation(page, words).get_by_role("link", name=words("Track a dossier")).click()
    page.get_by_label(words("Dossier code")).fill(code)
    page.get_by_role("button", name=words("Track"), exact=True).click()
    expect(page.locator("[data-dossier-code]")).to_have_text(code)
    expect(page.locator(".tracking-result")).to_contain_text(words("Submitted, waiting for intake"))
