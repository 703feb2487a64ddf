"""A citizen submits a dossier in a real browser, as on a phone: VNeID sign-in, catalog, the
prefilled form, the province → ward cascade and the person lookup of static/js/eforms.js, a PDF
upload, delivery, check answers, the mock payment gateway, confirmation and receipt (slip 01).

The live server's database lasts the whole session; each test signs in in its own browser
context and does not depend on what another test left behind.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader, PdfWriter

from portal.registry.records import PersonRecord

pytestmark = pytest.mark.e2e

PHONE = (390, 844)
DESKTOP = (1280, 900)
CODE = re.compile(r"000\.09\.27\.H26-\d{6}-\d{4}")
APPOINTMENT = re.compile(r"Dự kiến hiện nay: (\d\d):(\d\d) (\d\d/\d\d/\d{4})")


def small_pdf() -> bytes:
    """A real one-page PDF, as a scanner would give."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_in(page: Page, live_server: str, citizen: PersonRecord, screenshot: Callable[[Page, str], object]) -> None:
    """Through the mock VNeID page, in Vietnamese; the header then shows the citizen's name."""
    page.goto(f"{live_server}/login/citizen")
    page.get_by_label("Số định danh cá nhân").fill(citizen.personal_id)
    page.get_by_label("Mật khẩu VNeID").fill("vneid-demo")
    screenshot(page, "login")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("navigation").get_by_text(citizen.full_name)).to_be_visible()


def open_procedure(page: Page, *, nav: str, search_label: str, query: str, search: str, name: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name=nav).click()
    page.get_by_label(search_label).fill(query)
    page.get_by_role("button", name=search, exact=True).click()
    page.get_by_role("link", name=name, exact=True).click()


def test_citizen_submits_and_pays_online_on_a_phone(live_server, open_page, screenshot, citizen, spouse):
    page = open_page(*PHONE)
    sign_in(page, live_server, citizen, screenshot)

    open_procedure(page, nav="Thủ tục hành chính", search_label="Tên hoặc mã thủ tục", query="thuong tru",
                   search="Tìm kiếm", name="Đăng ký thường trú")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký thường trú")
    screenshot(page, "procedure")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()

    # Step 1: about you, from the national population database
    expect(page.get_by_text("Bước 1/5")).to_be_visible()
    name = page.get_by_label("Họ, chữ đệm và tên", exact=True)
    expect(name).to_have_value(citizen.full_name)
    expect(name).to_have_attribute("readonly", "")
    expect(name).to_have_attribute("data-prefilled", "registry")
    expect(page.get_by_label("Nơi thường trú hiện nay")).to_have_value(citizen.permanent_address.full)
    page.get_by_label("Số điện thoại liên hệ").fill("0912345678")
    screenshot(page, "step1-applicant")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Step 2: where to register; the ward list is fetched when a province is chosen
    expect(page.get_by_text("Bước 2/5")).to_be_visible()
    ward = page.get_by_label("Xã, phường")
    # eforms.js hides the no-script button once it listens to the province list.
    expect(page.get_by_role("button", name="Hiện danh sách xã, phường")).to_be_hidden()
    page.get_by_label("Tỉnh, thành phố").select_option(label="Thành phố Hà Nội")
    expect(ward.locator("option", has_text="Phường Ba Đình")).to_be_attached()
    ward.select_option(label="Phường Ba Đình")
    page.get_by_label("Số nhà, đường phố hoặc thôn, xóm, ấp, bản").fill("Số 12 phố Đội Cấn")
    basis = page.get_by_label("Trường hợp đăng ký")
    head = page.get_by_role("textbox", name="Số định danh cá nhân")
    expect(head).to_be_hidden()
    basis.select_option("relative")
    expect(head).to_be_visible()
    head.fill(spouse.personal_id)
    expect(page.get_by_text(f"{spouse.full_name}, sinh ngày {spouse.date_of_birth:%d/%m/%Y}")).to_be_visible()
    page.get_by_label("Quan hệ với chủ hộ nơi đăng ký").fill("vợ, chồng")
    page.get_by_label("Nội dung đề nghị").fill("Đăng ký thường trú cùng gia đình tại địa chỉ trên.")
    screenshot(page, "step2-new-residence")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Step 3: documents
    expect(page.get_by_text("Bước 3/5")).to_be_visible()
    pdf = small_pdf()
    for document in ("Tờ khai thay đổi thông tin cư trú (mẫu CT01)", "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp"):
        page.get_by_role("group", name=document).get_by_label("Tải tệp lên").set_input_files(
            {"name": "giay-to.pdf", "mimeType": "application/pdf", "buffer": pdf}
        )
    screenshot(page, "step3-documents")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Step 4: how the result is received
    expect(page.get_by_text("Bước 4/5")).to_be_visible()
    page.get_by_label("Trực tuyến: tải kết quả điện tử").check()
    screenshot(page, "step4-delivery")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Step 5: check answers, then pay now
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra thông tin trước khi nộp")
    main = page.locator("main")
    for shown in (citizen.full_name, "Phường Ba Đình", "Số 12 phố Đội Cấn", spouse.full_name, "10.000\u00a0₫", "trực tuyến", "20 %"):
        expect(main).to_contain_text(shown)
    expect(page.get_by_text("Chưa đính kèm")).to_have_count(1)  # only the optional relationship proof
    screenshot(page, "step5-check")
    page.get_by_role("button", name="Thanh toán và nộp hồ sơ").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thanh toán 10.000\u00a0₫")
    screenshot(page, "gateway")
    page.get_by_role("button", name="Thanh toán", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ")
    code = page.locator("[data-dossier-code]").inner_text().strip()
    assert CODE.fullmatch(code), code
    expect(page.get_by_text("đã được thanh toán")).to_be_visible()
    hour, minute, day = APPOINTMENT.search(page.locator("main").inner_text()).groups()
    screenshot(page, "confirmation")

    # Fetch the slip with the page's cookies (a headless download lands outside the test).
    receipt = page.get_by_role("link", name="Tải giấy tiếp nhận (PDF)")
    response = page.request.get(receipt.evaluate("link => link.href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).split())
    assert code in text
    assert citizen.full_name in text
    assert f"{hour} giờ {minute} phút, ngày {day}" in text  # the appointment the page showed

    page.get_by_role("link", name="Hồ sơ của tôi").first.click()
    expect(page.get_by_text(code)).to_be_visible()
    screenshot(page, "my-dossiers")


def test_first_step_in_english_on_a_desktop(live_server, open_page, screenshot, citizen):
    page = open_page(*DESKTOP)
    sign_in(page, live_server, citizen, screenshot)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    open_procedure(page, nav="Procedures", search_label="Name or code", query="permanent residence",
                   search="Search", name="Permanent residence registration")
    page.get_by_role("link", name="Submit online").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    expect(page.get_by_text("Step 1 of 5")).to_be_visible()
    expect(page.get_by_label("Full name", exact=True)).to_have_value(citizen.full_name)
    for label in ("Date of birth", "Personal ID number", "Contact phone number"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    expect(page.get_by_text("From the national population database").first).to_be_visible()
    expect(page.get_by_role("button", name="Save and continue")).to_be_visible()
    screenshot(page, "step1-applicant-en")
