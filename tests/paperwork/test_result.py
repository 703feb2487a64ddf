"""The result document (an official letter) read back from its PDF, before it is signed."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from flask import Flask

from portal.deadlines import VN_TZ
from portal.paperwork import ResultDocument, render_result
from tests.paperwork.pdf_text import A4_POINTS, TRACKING_URL_BASE, page_size, pages, text_of

CODE = "000.09.27.H26-260212-0007"
TRACKING_URL = f"{TRACKING_URL_BASE}{CODE}"


def result_document(**changes: object) -> ResultDocument:
    doc = ResultDocument(
        dossier_code=CODE,
        agency_name="Công an phường Ba Đình",
        agency_address="1 Phố Phan Đình Phùng, phường Ba Đình, Thành phố Hà Nội",
        procedure_name="Đăng ký thường trú",
        result_title="Thông báo kết quả đăng ký thường trú",
        applicant_name="Nguyễn Thị Hồng Nhung",
        applicant_personal_id="001196012345",
        body=(
            "Bà Nguyễn Thị Hồng Nhung, sinh ngày 15/06/1996, đã được đăng ký thường trú tại "
            "số 5 ngõ 12 phố Liễu Giai, phường Ba Đình, Thành phố Hà Nội kể từ ngày 04/03/2026.\n"
            "Quan hệ với chủ hộ: Con.\n"
            "\n"
            "Thông tin cư trú của công dân đã được cập nhật vào Cơ sở dữ liệu về cư trú."
        ),
        is_refusal=False,
        signer_name="Lê Minh Tuấn",
        signer_title="Trưởng Công an phường",
        issued_at=datetime(2026, 3, 4, 9, 30, tzinfo=VN_TZ),
        tracking_url=TRACKING_URL,
        document_number="125/TB-CAP",
    )
    return replace(doc, **changes)


def refusal_document() -> ResultDocument:
    return result_document(
        result_title="Văn bản từ chối giải quyết hồ sơ",
        body="Chỗ ở đề nghị đăng ký thường trú nằm trong khu vực cấm, không được đăng ký thường trú "
        "theo khoản 1 Điều 23 Luật Cư trú năm 2020.",
        is_refusal=True,
        document_number="",
    )


@pytest.fixture(scope="module")
def vi_text(app: Flask) -> str:
    with app.app_context():
        return text_of(render_result(result_document()))


def test_result_is_an_official_letter(vi_text):
    assert vi_text.startswith(
        "CÔNG AN PHƯỜNG BA ĐÌNH Số: 125/TB-CAP CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc "
        "Ngày 04 tháng 03 năm 2026 THÔNG BÁO KẾT QUẢ ĐĂNG KÝ THƯỜNG TRÚ"
    )
    assert f"Mã hồ sơ: {CODE}" in vi_text
    assert "Kính gửi: Nguyễn Thị Hồng Nhung, số định danh cá nhân 001196012345" in vi_text
    assert (
        "Xét hồ sơ đề nghị “Đăng ký thường trú”, Công an phường Ba Đình thông báo kết quả giải quyết như sau:"
    ) in vi_text
    assert "kể từ ngày 04/03/2026. Quan hệ với chủ hộ: Con. Thông tin cư trú của công dân" in vi_text
    assert "khiếu nại" not in vi_text


def test_signature_block_says_the_letter_is_signed_digitally(vi_text):
    assert "TRƯỞNG CÔNG AN PHƯỜNG (Đã ký số) Lê Minh Tuấn" in vi_text
    assert "Nơi nhận: - Nguyễn Thị Hồng Nhung; - Lưu: hồ sơ 000.09.27.H26-260212-0007." in vi_text
    assert (
        "Văn bản điện tử này được ký số bởi Công an phường Ba Đình "
        "(1 Phố Phan Đình Phùng, phường Ba Đình, Thành phố Hà Nội)"
    ) in vi_text
    assert f"Tra cứu hồ sơ tại {TRACKING_URL}" in vi_text


def test_a_refusal_gives_its_reasons_and_the_right_to_complain(app):
    with app.app_context():
        text = text_of(render_result(refusal_document()))
    assert "VĂN BẢN TỪ CHỐI GIẢI QUYẾT HỒ SƠ" in text
    assert "Số:" not in text
    assert (
        "Công an phường Ba Đình không giải quyết yêu cầu của Ông/Bà vì những lý do sau: "
        "Chỗ ở đề nghị đăng ký thường trú nằm trong khu vực cấm"
    ) in text
    assert "Ông/Bà có quyền khiếu nại hoặc khởi kiện theo quy định của pháp luật." in text


def test_result_in_english(app):
    with app.app_context():
        english = result_document(result_title="Notice of permanent residence registration")
        text = text_of(render_result(english, lang="en"))
    assert "NOTICE OF PERMANENT RESIDENCE REGISTRATION" in text
    assert "No.: 125/TB-CAP" in text
    assert "Issued on 04/03/2026" in text
    assert "To: Nguyễn Thị Hồng Nhung, personal ID number 001196012345" in text
    assert "“Đăng ký thường trú”, Công an phường Ba Đình gives the following result:" in text
    assert "TRƯỞNG CÔNG AN PHƯỜNG (digitally signed) Lê Minh Tuấn" in text
    assert "Recipients:" in text
    for vietnamese in ("CỘNG HÒA", "Kính gửi", "Đã ký số", "Nơi nhận"):
        assert vietnamese not in text


def test_a_long_decision_runs_onto_more_a4_pages(app):
    body = "\n\n".join(f"Đoạn {n}: " + "nội dung quyết định " * 30 for n in range(1, 13))
    with app.app_context():
        pdf = render_result(result_document(body=body))
    assert len(pages(pdf)) >= 2
    assert all(page_size(page) == pytest.approx(A4_POINTS, abs=0.1) for page in pages(pdf))
    assert f"Hồ sơ {CODE}, trang 2/{len(pages(pdf))}" in text_of(pdf)


def test_body_is_split_into_paragraphs_at_blank_lines():
    doc = result_document(body="  Đoạn một,\ndòng hai.\r\n \r\nĐoạn hai.\n\n\n\nĐoạn ba.  ")
    assert doc.paragraphs == ["Đoạn một,\ndòng hai.", "Đoạn hai.", "Đoạn ba."]


@pytest.mark.parametrize(
    "changes",
    [
        {"body": " \n\n "},
        {"issued_at": datetime(2026, 3, 4, 9, 30)},
        {"tracking_url": "track?code=X"},
        {"signer_name": ""},
    ],
)
def test_a_result_with_impossible_values_is_refused_when_built(changes):
    with pytest.raises(ValueError):
        result_document(**changes)
