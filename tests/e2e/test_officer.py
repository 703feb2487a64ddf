"""Officers take a dossier from intake to the result returned by post, in a real browser.

1. The citizen submits a temporary-residence dossier (1.004194) online, result by post, and pays.
2. ``intake1`` finds it in "Chờ tiếp nhận", accepts it and assigns it to ``specialist1``.
3. ``specialist1`` finds it in "Hồ sơ của tôi" and proposes the decision text.
4. ``leader1`` finds it in "Chờ phê duyệt" and approves it: the result PDF is signed.
5. ``intake1`` finds it in "Trả kết quả", sends it by post (the postal service gives the S10
   tracking number) and records its delivery.
6. The citizen sees the result returned, the tracking number and the same signed PDF.

Each person works in their own browser context (own cookies), on the pages they would use.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from portal.backoffice.operations import pki_dir
from portal.backoffice.postal import is_valid_tracking_number
from portal.paperwork import SignatureCheck, verify_pdf
from portal.registry.records import PersonRecord
from portal.seed import DEMO_OFFICERS, DEMO_PASSWORD
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_submission import CODE, DESKTOP, open_procedure, sign_in, small_pdf

pytestmark = pytest.mark.e2e

FULL_NAMES = {username: full_name for username, full_name, _role, _agency in DEMO_OFFICERS}
S10 = re.compile(r"[A-Z]{2}\d{9}VN")
DECISION = "Đồng ý đăng ký tạm trú tại địa chỉ đã khai, thời hạn 12 tháng."
NAVIGATION = "Điều hướng chính"

Screenshot = Callable[[Page, str], object]


def submit_by_post(page: Page, live_server: str, citizen: PersonRecord, host: PersonRecord,
                   screenshot: Screenshot) -> str:
    """The citizen applies for temporary residence, result by post, pays online; returns the code."""
    sign_in(page, live_server, citizen, screenshot)
    open_procedure(page, nav="Thủ tục hành chính", search_label="Tên hoặc mã thủ tục", query="tam tru",
                   search="Tìm kiếm", name="Đăng ký tạm trú")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()

    expect(page.get_by_text("Bước 1/5")).to_be_visible()
    page.get_by_label("Nghề nghiệp, nơi làm việc").fill("Kỹ sư, Công ty TNHH Sông Hồng")
    page.get_by_label("Số điện thoại liên hệ").fill("0912345678")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    expect(page.get_by_text("Bước 2/5")).to_be_visible()
    # eforms.js hides the no-script button once it listens to the province: choose one only then.
    expect(page.get_by_role("button", name="Hiện danh sách xã, phường")).to_be_hidden()
    ward = page.get_by_label("Xã, phường")
    page.get_by_label("Tỉnh, thành phố").select_option(label="Thành phố Hà Nội")
    expect(ward.locator("option", has_text="Phường Ba Đình")).to_be_attached()
    ward.select_option(label="Phường Ba Đình")
    page.get_by_label("Số nhà, đường phố hoặc thôn, xóm, ấp, bản").fill("Số 12 phố Đội Cấn")
    page.get_by_label("Hình thức chỗ ở").select_option("rented")
    page.get_by_role("textbox", name="Số định danh cá nhân").fill(host.personal_id)
    expect(page.get_by_text(f"{host.full_name}, sinh ngày {host.date_of_birth:%d/%m/%Y}")).to_be_visible()
    page.get_by_label("Thời hạn tạm trú (tháng)").fill("12")
    page.get_by_label("Lý do tạm trú").select_option("work")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    expect(page.get_by_text("Bước 3/5")).to_be_visible()
    for document in ("Tờ khai thay đổi thông tin cư trú (mẫu CT01)", "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp"):
        page.get_by_role("group", name=document).get_by_label("Tải tệp lên").set_input_files(
            {"name": "giay-to.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}
        )
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    expect(page.get_by_text("Bước 4/5")).to_be_visible()
    page.get_by_label("Qua dịch vụ bưu chính công ích tới địa chỉ của bạn").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra thông tin trước khi nộp")
    expect(page.locator("main")).to_contain_text("bưu chính")
    page.get_by_role("button", name="Thanh toán và nộp hồ sơ").click()
    page.get_by_role("button", name="Thanh toán", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ")
    code = page.locator("[data-dossier-code]").inner_text().strip()
    assert CODE.fullmatch(code), code
    return code


def sign_in_officer(open_page: Callable[..., Page], live_server: str, username: str) -> Page:
    page = open_page(*DESKTOP)
    page.goto(f"{live_server}/login/officer")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("navigation", name=NAVIGATION)).to_contain_text(FULL_NAMES[username])
    return page


def open_from_queue(page: Page, queue: str, code: str, screenshot: Screenshot, name: str) -> None:
    """Through the queue's link in the navigation (its name ends with the count) to the dossier."""
    link = re.compile(rf"^{re.escape(queue)} \d+$")
    page.get_by_role("navigation", name=NAVIGATION).get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(queue)
    screenshot(page, name)
    page.get_by_role("link", name=code, exact=True).click()
    expect(page.locator("[data-dossier-code]")).to_have_text(code)


def fact(page: Page, term: str) -> Locator:
    """The value next to ``term`` in the dossier's facts at the top of the page."""
    return page.locator("dl.facts > div").filter(has=page.get_by_text(term, exact=True)).locator("dd")


def act(page: Page, action: str, **fields: str) -> None:
    """Fill the fields of an action's form (by label), press its button, and see it done."""
    form = page.locator("form.action-form").filter(has=page.get_by_role("heading", name=action, exact=True))
    for label, value in fields.items():
        control = form.get_by_label(label)
        if control.evaluate("element => element.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    form.get_by_role("button", name=action, exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Đã thực hiện")).to_have_text(f"Đã thực hiện: {action}.")


def expect_status(page: Page, label: str, national_code: int) -> None:
    expect(fact(page, "Trạng thái")).to_have_text(f"{label} (mã trạng thái quốc gia {national_code})")


def verify_signature(live_app: Flask, pdf: bytes) -> SignatureCheck:
    """``verify_pdf`` against the live app's demo CA, in a thread of its own: pyHanko runs its
    own asyncio loop, which cannot start in this thread, where Playwright's loop is running."""

    def verify() -> SignatureCheck:
        with live_app.test_request_context():
            return verify_pdf(pdf, pki_dir())

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(verify).result(timeout=TIMEOUT_MS / 1000)


def test_officers_take_a_dossier_from_intake_to_return_by_post(
    live_app: Flask, live_server, open_page, screenshot, citizen, spouse
):
    applicant = open_page(*DESKTOP)
    code = submit_by_post(applicant, live_server, citizen, spouse, screenshot)

    intake = sign_in_officer(open_page, live_server, "intake1")
    open_from_queue(intake, "Chờ tiếp nhận", code, screenshot, "queue-intake")
    expect_status(intake, "Mới đăng ký, chờ tiếp nhận", 1)
    expect(fact(intake, "Kênh nộp và nhận kết quả")).to_contain_text("qua dịch vụ bưu chính công ích")
    screenshot(intake, "intake-dossier")
    act(intake, "Tiếp nhận hồ sơ")
    expect_status(intake, "Được tiếp nhận", 2)
    screenshot(intake, "intake-accepted")
    act(intake, "Phân công chuyên viên", **{"Chuyên viên": FULL_NAMES["specialist1"]})
    expect_status(intake, "Đang xử lý", 4)
    expect(fact(intake, "Chuyên viên")).to_have_text(FULL_NAMES["specialist1"])
    screenshot(intake, "intake-assigned")

    specialist = sign_in_officer(open_page, live_server, "specialist1")
    open_from_queue(specialist, "Hồ sơ của tôi", code, screenshot, "queue-mine")
    expect_status(specialist, "Đang xử lý", 4)
    act(specialist, "Trình lãnh đạo phê duyệt kết quả", **{"Nội dung kết quả giải quyết": DECISION})
    expect_status(specialist, "Đang xử lý, chờ lãnh đạo phê duyệt", 4)
    screenshot(specialist, "specialist-proposed")

    leader = sign_in_officer(open_page, live_server, "leader1")
    open_from_queue(leader, "Chờ phê duyệt", code, screenshot, "queue-approval")
    expect(leader.locator(".result-body")).to_have_text(DECISION)
    screenshot(leader, "leader-dossier")
    act(leader, "Phê duyệt và ký số kết quả")
    expect_status(leader, "Đã xử lý xong", 9)
    screenshot(leader, "leader-approved")

    # Fetch the signed result with the leader's cookies (a headless download lands outside the test).
    link = leader.get_by_role("link", name="Kết quả đã ký số (PDF)")
    response = leader.request.get(link.evaluate("link => link.href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    result = response.body()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(result)).pages).split())
    assert code in text and DECISION in text
    check = verify_signature(live_app, result)
    assert check.is_valid and check.is_intact

    open_from_queue(intake, "Trả kết quả", code, screenshot, "queue-returns")
    expect_status(intake, "Đã xử lý xong", 9)
    screenshot(intake, "returns-dossier")
    act(intake, "Gửi kết quả qua bưu chính")
    expect_status(intake, "Đã xử lý xong, đã gửi kết quả qua bưu chính", 9)
    tracking = fact(intake, "Mã bưu gửi").inner_text().strip()
    assert S10.fullmatch(tracking) and is_valid_tracking_number(tracking), tracking
    expect(intake.get_by_text(f"Ghi mã bưu gửi {tracking} lên phong bì.")).to_be_visible()
    screenshot(intake, "shipped")
    act(intake, "Ghi nhận bưu chính đã phát")
    expect_status(intake, "Đã trả kết quả", 10)
    expect(fact(intake, "Mã bưu gửi")).to_have_text(tracking)
    screenshot(intake, "delivered")

    applicant.get_by_role("link", name="Hồ sơ của tôi").first.click()
    row = applicant.get_by_role("row").filter(has=applicant.get_by_role("link", name=code, exact=True))
    expect(row).to_contain_text("Đã trả kết quả")
    row.get_by_role("link", name=code, exact=True).click()
    expect(fact(applicant, "Trạng thái")).to_have_text("Đã trả kết quả (mã trạng thái quốc gia 10)")
    expect(applicant.get_by_text(f"Đã gửi qua bưu chính, mã bưu gửi {tracking}.")).to_be_visible()
    download = applicant.get_by_role("link", name="Tải kết quả (PDF)")
    assert applicant.request.get(download.evaluate("link => link.href")).body() == result
    screenshot(applicant, "citizen-result")
