"""Slips 02–06 of Thông tư 03/2025/TT-VPCP, annex I, read back from the PDF: each carries the
fields its form asks for, in Vietnamese and in English."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from flask import Flask

from portal.deadlines import VN_TZ
from portal.paperwork import (
    Handoff,
    PaperworkError,
    Slip02,
    Slip03,
    Slip04,
    Slip05,
    Slip06,
    render_slip02,
    render_slip03,
    render_slip04,
    render_slip05,
    render_slip06,
)
from tests.paperwork.pdf_text import A4_POINTS, TRACKING_URL_BASE, page_size, pages, text_of

CODE = "000.09.27.H26-260212-0007"
TRACKING_URL = f"{TRACKING_URL_BASE}{CODE}"
HEADER = dict(
    dossier_code=CODE,
    agency_name="Công an phường Ba Đình",
    procedure_name="Đăng ký thường trú",
    applicant_name="Nguyễn Thị Hồng Nhung",
    tracking_url=TRACKING_URL,
)
RECEIVED_AT = datetime(2026, 2, 12, 9, 15, tzinfo=VN_TZ)


def at(day: int, hour: int, minute: int = 0, month: int = 2) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN_TZ)


def slip02(**changes: object) -> Slip02:
    slip = Slip02(
        **HEADER,
        received_at=RECEIVED_AT,
        items=(
            "Giấy tờ, tài liệu chứng minh việc sở hữu chỗ ở hợp pháp (bản sao có chứng thực)",
            "Văn bản đồng ý cho đăng ký thường trú của chủ hộ",
        ),
        reason="Hồ sơ chưa có giấy tờ chứng minh chỗ ở hợp pháp và ý kiến đồng ý của chủ hộ.",
        officer_name="Trần Văn Đức",
        issued_at=at(13, 10),
    )
    return replace(slip, **changes)


def slip03() -> Slip03:
    return Slip03(
        **HEADER,
        received_at=RECEIVED_AT,
        reasons="Địa chỉ đăng ký thường trú không thuộc địa bàn phường Ba Đình.\n"
        "Đề nghị nộp hồ sơ tại Công an xã, phường nơi có chỗ ở hợp pháp.",
        officer_name="Trần Văn Đức",
        issued_at=at(12, 10, 30),
    )


def slip04(**changes: object) -> Slip04:
    slip = Slip04(
        **HEADER,
        received_at=RECEIVED_AT,
        previous_due_at=at(4, 10, 30, month=3),
        new_due_at=at(11, 14, 0, month=3),
        reason="Cần xác minh thêm thông tin về chỗ ở hợp pháp với Ủy ban nhân dân phường.",
        leader_name="Lê Minh Tuấn",
        issued_at=at(3, 16, 0, month=3),
    )
    return replace(slip, **changes)


def slip05() -> Slip05:
    return Slip05(
        **HEADER,
        reason="Công dân có văn bản đề nghị dừng giải quyết hồ sơ ngày 20/02/2026.",
        leader_name="Lê Minh Tuấn",
        issued_at=at(21, 9, 0),
    )


def slip06(**changes: object) -> Slip06:
    slip = Slip06(
        **HEADER,
        received_at=RECEIVED_AT,
        due_at=at(4, 10, 30, month=3),
        handoffs=(
            Handoff(
                from_party="Bộ phận Một cửa – Trần Văn Đức",
                to_party="Chuyên viên Phạm Thu Hà",
                at=at(12, 15, 0),
                outcome="early",
            ),
            Handoff(
                from_party="Chuyên viên Phạm Thu Hà",
                to_party="Lãnh đạo Lê Minh Tuấn",
                at=at(25, 9, 0),
                note="Đề xuất giải quyết",
                outcome="on_time",
            ),
            Handoff(
                from_party="Lãnh đạo Lê Minh Tuấn",
                to_party="Bộ phận Một cửa – Trần Văn Đức",
                at=at(5, 8, 0, month=3),
                note="Đã ký số kết quả",
                outcome="late",
            ),
        ),
        result_outcome="late",
    )
    return replace(slip, **changes)


@pytest.fixture(scope="module")
def texts(app: Flask) -> dict[str, str]:
    """Each slip in Vietnamese, read back; rendered once for the module."""
    with app.app_context():
        return {
            "02": text_of(render_slip02(slip02())),
            "03": text_of(render_slip03(slip03())),
            "04": text_of(render_slip04(slip04())),
            "05": text_of(render_slip05(slip05())),
            "06": text_of(render_slip06(slip06())),
        }


@pytest.mark.parametrize("number", ["02", "03", "04", "05", "06"])
def test_every_slip_names_its_dossier_under_the_national_header(texts, number):
    text = texts[number]
    assert text.startswith("CÔNG AN PHƯỜNG BA ĐÌNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc")
    assert f"Mã hồ sơ: {CODE}" in text
    assert "Tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung" in text
    assert "Nội dung yêu cầu giải quyết: Đăng ký thường trú" in text
    assert f"Tra cứu tình trạng hồ sơ tại {TRACKING_URL}" in text
    assert f"Hồ sơ {CODE}, trang 1/1" in text


def test_supplement_request_lists_every_item_and_the_reason(texts):
    text = texts["02"]
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Ngày 13 tháng 02 năm 2026" in text
    assert "Thời gian tiếp nhận: 09 giờ 15 phút, ngày 12/02/2026" in text
    assert (
        "1. Giấy tờ, tài liệu chứng minh việc sở hữu chỗ ở hợp pháp (bản sao có chứng thực) "
        "2. Văn bản đồng ý cho đăng ký thường trú của chủ hộ"
    ) in text
    assert "Lý do: Hồ sơ chưa có giấy tờ chứng minh chỗ ở hợp pháp và ý kiến đồng ý của chủ hộ." in text
    assert "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên) Trần Văn Đức" in text


def test_supplement_request_in_english(app):
    with app.app_context():
        text = text_of(render_slip02(slip02(), lang="en"))
    assert "REQUEST TO SUPPLEMENT AND COMPLETE THE DOSSIER" in text
    assert f"Dossier code: {CODE}" in text
    assert "Received at: 09:15 on 12/02/2026" in text
    assert "Issued on 13/02/2026" in text
    assert "1. Giấy tờ, tài liệu chứng minh việc sở hữu chỗ ở hợp pháp" in text
    assert "Reason: Hồ sơ chưa có giấy tờ" in text
    assert "GUIDING OFFICER (signature and full name) Trần Văn Đức" in text
    for vietnamese in ("CỘNG HÒA", "Mã hồ sơ", "Lý do", "giờ", "NGƯỜI HƯỚNG DẪN", "PHIẾU"):
        assert vietnamese not in text


def test_refusal_gives_the_reasons_line_by_line(texts):
    text = texts["03"]
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Ngày 12 tháng 02 năm 2026" in text
    assert "Thời gian tiếp nhận: 09 giờ 15 phút, ngày 12/02/2026" in text
    assert (
        "Công an phường Ba Đình không tiếp nhận giải quyết hồ sơ này với lý do cụ thể như sau: "
        "Địa chỉ đăng ký thường trú không thuộc địa bàn phường Ba Đình. "
        "Đề nghị nộp hồ sơ tại Công an xã, phường nơi có chỗ ở hợp pháp."
    ) in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Trần Văn Đức" in text


def test_apology_gives_the_missed_and_the_new_appointment(texts):
    text = texts["04"]
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Ngày 03 tháng 03 năm 2026" in text
    assert "Ngày hẹn trả kết quả: 10 giờ 30 phút, ngày 04/03/2026" in text
    assert "Cần xác minh thêm thông tin về chỗ ở hợp pháp với Ủy ban nhân dân phường." in text
    assert "xin lỗi Ông/Bà và hẹn trả kết quả giải quyết hồ sơ vào 14 giờ 00 phút, ngày 11/03/2026" in text
    assert "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu) Lê Minh Tuấn" in text


def test_stop_notice_gives_the_reason_and_the_leader(texts):
    text = texts["05"]
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "Ngày 21 tháng 02 năm 2026" in text
    assert "Công an phường Ba Đình dừng giải quyết hồ sơ với lý do như sau: " in text
    assert "Công dân có văn bản đề nghị dừng giải quyết hồ sơ ngày 20/02/2026." in text
    assert "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu) Lê Minh Tuấn" in text


def test_control_sheet_has_a_row_per_handoff_with_its_outcome(texts):
    text = texts["06"]
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Ngày hẹn trả kết quả: 10 giờ 30 phút, ngày 04/03/2026" in text
    assert "Kết quả giải quyết hồ sơ (Trước hạn / Đúng hạn / Quá hạn)" in text
    rows = [
        "1 Bên giao: Bộ phận Một cửa – Trần Văn Đức Bên nhận: Chuyên viên Phạm Thu Hà "
        "15 giờ 00 phút, ngày 12/02/2026 Trước hạn",
        "2 Bên giao: Chuyên viên Phạm Thu Hà Bên nhận: Lãnh đạo Lê Minh Tuấn "
        "09 giờ 00 phút, ngày 25/02/2026 Đúng hạn Đề xuất giải quyết",
        "3 Bên giao: Lãnh đạo Lê Minh Tuấn Bên nhận: Bộ phận Một cửa – Trần Văn Đức "
        "08 giờ 00 phút, ngày 05/03/2026 Quá hạn Đã ký số kết quả",
    ]
    positions = [text.index(row) for row in rows]
    assert positions == sorted(positions)
    assert "Kết quả giải quyết hồ sơ: Quá hạn" in text


def test_control_sheet_of_an_open_dossier(app):
    with app.app_context():
        text = text_of(render_slip06(slip06(handoffs=(), result_outcome="")))
    assert "Chưa có lần giao, nhận hồ sơ nào." in text
    assert "Kết quả giải quyết hồ sơ: chưa có kết quả" in text
    outside_the_column_header = text.replace("(Trước hạn / Đúng hạn / Quá hạn)", "")
    assert not any(word in outside_the_column_header for word in ("Trước hạn", "Đúng hạn", "Quá hạn"))


def test_control_sheet_in_english_uses_the_english_outcome_words(app):
    with app.app_context():
        text = text_of(render_slip06(slip06(), lang="en"))
    assert "PROCESSING-CONTROL SHEET OF THE DOSSIER" in text
    assert "09:00 on 25/02/2026 On time" in text
    assert "Outcome of the dossier: Late" in text


def test_a_long_supplement_list_runs_onto_a_second_a4_page(app):
    items = tuple(f"Giấy tờ bổ sung số {n}" for n in range(1, 61))
    with app.app_context():
        pdf = render_slip02(slip02(items=items))
    assert len(pages(pdf)) >= 2
    assert all(page_size(page) == pytest.approx(A4_POINTS, abs=0.1) for page in pages(pdf))
    assert "60. Giấy tờ bổ sung số 60" in text_of(pdf)


def test_an_unknown_language_is_a_paperwork_error(ctx):
    with pytest.raises(PaperworkError):
        render_slip05(slip05(), lang="fr")


@pytest.mark.parametrize(
    "build",
    [
        lambda: slip02(items=()),
        lambda: slip02(items=("Tờ khai", " ")),
        lambda: slip02(officer_name=" "),
        lambda: slip02(received_at=datetime(2026, 2, 12, 9, 15)),
        lambda: slip02(tracking_url="dichvucong.example.gov.vn/track"),
        lambda: slip04(new_due_at=datetime(2026, 3, 4, 10, 30, tzinfo=VN_TZ)),
        lambda: slip06(result_outcome="soon"),
        lambda: Handoff(from_party="A", to_party="B", at=datetime(2026, 2, 12, 9, 15)),
        lambda: Handoff(from_party="A", to_party="B", at=RECEIVED_AT, outcome="in_time"),
    ],
)
def test_a_slip_with_impossible_values_is_refused_when_built(build):
    with pytest.raises(ValueError):
        build()
