"""Slip 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả) read back from the PDF as a citizen would."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from flask import Flask

from portal.deadlines import VN_TZ
from portal.paperwork import PaperworkError, Slip01, SlipDocument, render_slip01
from tests.paperwork.pdf_text import A4_POINTS, TRACKING_URL_BASE, pages, text_of

CODE = "000.00.19.H26-260212-0007"
TRACKING_URL = f"{TRACKING_URL_BASE}{CODE}"


def online_slip(**changes: object) -> Slip01:
    slip = Slip01(
        dossier_code=CODE,
        agency_name="Ủy ban nhân dân Phường Ba Đình",
        agency_address="Số 10 Phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội",
        procedure_code="1.004222",
        procedure_name="Đăng ký thường trú",
        applicant_name="Nguyễn Thị Hồng Nhung",
        applicant_personal_id="001196012345",
        applicant_address="Số 5 ngõ 12 Phố Liễu Giai, Phường Ba Đình, Thành phố Hà Nội",
        applicant_phone="0912345678",
        channel="online",
        received_at=datetime(2026, 2, 12, 9, 15, tzinfo=VN_TZ),
        appointment_at=datetime(2026, 3, 2, 14, 0, tzinfo=VN_TZ),
        is_appointment_estimated=True,
        legal_due_at=datetime(2026, 3, 4, 10, 30, tzinfo=VN_TZ),
        discount_pct=20,
        documents=(
            SlipDocument("Tờ khai thay đổi thông tin cư trú (Mẫu CT01)"),
            SlipDocument("Giấy tờ chứng minh chỗ ở hợp pháp", copies=2, form="Bản sao chứng thực"),
        ),
        delivery="online",
        fee_amount=10_000,
        fee_status="Đã thanh toán trực tuyến",
        tracking_url=TRACKING_URL,
    )
    return replace(slip, **changes)


def counter_slip() -> Slip01:
    return online_slip(
        channel="counter",
        officer_name="Trần Văn Đức",
        is_appointment_estimated=False,
        discount_pct=0,
        appointment_at=datetime(2026, 3, 4, 10, 30, tzinfo=VN_TZ),
        delivery="post",
        delivery_address="Số 5 ngõ 12 Phố Liễu Giai, Phường Ba Đình, Thành phố Hà Nội",
        fee_amount=0,
        fee_status="",
    )


@pytest.fixture(scope="module")
def vi_pdf(app: Flask) -> bytes:
    with app.app_context():
        return render_slip01(online_slip())


@pytest.fixture(scope="module")
def en_pdf(app: Flask) -> bytes:
    with app.app_context():
        return render_slip01(online_slip(), lang="en")


def test_slip_shows_the_dossier_the_applicant_and_what_was_received(vi_pdf):
    text = text_of(vi_pdf)
    assert CODE in text
    assert "Nguyễn Thị Hồng Nhung" in text
    assert "001196012345" in text
    assert "Số 5 ngõ 12 Phố Liễu Giai, Phường Ba Đình, Thành phố Hà Nội" in text
    assert "0912345678" in text
    assert "Ủy ban nhân dân Phường Ba Đình" in text
    assert "Đăng ký thường trú" in text and "1.004222" in text
    assert "Tờ khai thay đổi thông tin cư trú (Mẫu CT01)" in text
    assert "Giấy tờ chứng minh chỗ ở hợp pháp Bản sao chứng thực 2" in text
    assert "02/03/2026" in text
    assert "10.000 ₫ (Đã thanh toán trực tuyến)" in text
    assert TRACKING_URL in text


def test_vietnamese_slip_has_the_wording_of_form_01(vi_pdf):
    text = text_of(vi_pdf)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert f"Mã hồ sơ: {CODE}" in text
    assert "Thời gian tiếp nhận: 09 giờ 15 phút, ngày 12 tháng 02 năm 2026" in text
    assert "Ngày hẹn trả kết quả (dự kiến): 14 giờ 00 phút, ngày 02/03/2026" in text
    assert "sớm hơn 20 % so với thời hạn giải quyết theo quy định (10 giờ 30 phút, ngày 04/03/2026)" in text
    assert "Hình thức nhận kết quả: Trực tuyến, trên Cổng Dịch vụ công" in text
    assert f"Tra cứu tình trạng hồ sơ tại {TRACKING_URL}" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Hệ thống dịch vụ công trực tuyến" in text


def test_english_slip_is_english_throughout(en_pdf):
    text = text_of(en_pdf)
    assert "SOCIALIST REPUBLIC OF VIET NAM Independence - Freedom - Happiness" in text
    assert "RECEIPT OF DOSSIER AND APPOINTMENT FOR THE RESULT" in text
    assert f"Dossier code: {CODE}" in text
    assert "Received at: 09:15 on 12/02/2026" in text
    assert "Appointment for the result (estimated): 14:00 on 02/03/2026" in text
    assert "Online public service system" in text
    assert f"Track the status of this dossier at {TRACKING_URL}" in text
    for vietnamese in ("CỘNG HÒA", "Mã hồ sơ", "Ngày hẹn", "giờ", "NGƯỜI NỘP"):
        assert vietnamese not in text
    # The applicant's data stays as the register holds it.
    assert "Nguyễn Thị Hồng Nhung" in text


def test_estimated_appointment_says_so_until_the_one_stop_shop_accepts(en_pdf, ctx):
    assert "(estimated)" in text_of(en_pdf)
    assert "The binding appointment is set when the one-stop-shop accepts the dossier." in text_of(en_pdf)

    binding = text_of(render_slip01(online_slip(is_appointment_estimated=False), lang="en"))
    assert "Appointment for the result: 14:00 on 02/03/2026" in binding
    assert "estimate" not in binding


def test_early_return_discount_shows_the_legal_due_time(en_pdf, ctx):
    assert (
        "Submitted and returned online: 20 % sooner than the time limit set by law (10:30 on 04/03/2026)."
        in text_of(en_pdf)
    )
    without = text_of(render_slip01(online_slip(discount_pct=0), lang="en"))
    assert "sooner" not in without and "04/03/2026" not in without


def test_counter_slip_is_signed_by_the_officer_and_names_the_postal_address(ctx):
    text = text_of(render_slip01(counter_slip(), lang="en"))
    assert "How it was submitted: In person at the one-stop-shop" in text
    assert "RECEIVING OFFICER (signature and full name) Trần Văn Đức" in text
    assert "APPLICANT (signature and full name) Nguyễn Thị Hồng Nhung" in text
    assert (
        "By public postal service to: Số 5 ngõ 12 Phố Liễu Giai, Phường Ba Đình, Thành phố Hà Nội" in text
    )
    assert "Fee: Free" in text
    assert "Appointment for the result: 10:30 on 04/03/2026" in text


def test_times_are_printed_in_vietnam_time(ctx):
    slip = online_slip(received_at=datetime(2026, 2, 12, 2, 15, tzinfo=UTC))
    assert "Received at: 09:15 on 12/02/2026" in text_of(render_slip01(slip, lang="en"))


def test_slip_is_one_a4_page_even_in_english(vi_pdf, en_pdf):
    for pdf in (vi_pdf, en_pdf):
        (page,) = pages(pdf)
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_POINTS, abs=0.1)


def test_many_documents_run_onto_a_second_a4_page_that_carries_the_code(ctx):
    documents = tuple(SlipDocument(f"Giấy tờ số {n}") for n in range(1, 26))
    pdf = render_slip01(online_slip(documents=documents), lang="en")
    assert len(pages(pdf)) == 2
    assert all(
        (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_POINTS, abs=0.1)
        for page in pages(pdf)
    )
    assert f"Dossier {CODE}, page 2 of 2" in " ".join(pages(pdf)[1].extract_text().split())
    assert "Giấy tờ số 25" in text_of(pdf)


def test_text_is_set_in_the_shipped_vietnamese_font(vi_pdf):
    """Every glyph comes from the @font-face files in static/fonts, never from a system font that
    Pango falls back to when a glyph is missing (no system font is called "Slip Serif")."""
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for font in pages(vi_pdf)[0]["/Resources"]["/Font"].values()
    }
    assert fonts and all(name.startswith("Slip-Serif") for name in fonts), fonts


def test_qr_code_on_the_page_opens_the_tracking_url(vi_pdf):
    pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 (test extra) rasterises the PDF")
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (test extra) reads the QR code")
    document = pdfium.PdfDocument(vi_pdf)
    image = document[0].render(scale=200 / 72).to_pil()
    document.close()
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [TRACKING_URL]


def test_a_missing_font_fails_loudly_instead_of_falling_back(app, ctx, monkeypatch, tmp_path):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    with pytest.raises(PaperworkError):
        render_slip01(online_slip())


def test_a_weasyprint_failure_is_a_paperwork_error(ctx, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("cairo says no")

    monkeypatch.setattr("portal.paperwork.pdf.HTML.write_pdf", broken)
    with pytest.raises(PaperworkError, match="cairo says no"):
        render_slip01(online_slip())


def test_an_unknown_language_is_a_paperwork_error(ctx):
    with pytest.raises(PaperworkError):
        render_slip01(online_slip(), lang="fr")


@pytest.mark.parametrize(
    "changes",
    [
        {"received_at": datetime(2026, 2, 12, 9, 15)},
        {"channel": "fax"},
        {"delivery": "post", "delivery_address": None},
        {"tracking_url": "/track?code=X"},
        {"fee_amount": -1},
    ],
)
def test_a_slip_with_impossible_values_is_refused_when_built(changes):
    with pytest.raises(ValueError):
        online_slip(**changes)
