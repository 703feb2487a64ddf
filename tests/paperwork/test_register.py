"""Slip 07, the dossier register (Sổ theo dõi hồ sơ): landscape PDF and CSV for Excel."""
from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime

import pytest
from flask import Flask

from portal.deadlines import VN_TZ
from portal.paperwork import PaperworkError, RegisterRow, Slip07, render_slip07, slip07_csv
from tests.paperwork.pdf_text import A4_POINTS, page_size, pages, text_of

LANDSCAPE_A4 = (A4_POINTS[1], A4_POINTS[0])


def at(day: int, hour: int, minute: int = 0, month: int = 2) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN_TZ)


ROWS = (
    RegisterRow(
        code="000.09.27.H26-260203-0001",
        procedure_name="Đăng ký thường trú",
        applicant_name="Nguyễn Thị Hồng Nhung",
        received_at=at(3, 8, 5),
        due_at=at(24, 8, 5),
        completed_at=at(20, 15, 30),
        returned_at=at(21, 9, 0),
        status_label="Đã trả kết quả",
        outcome="early",
    ),
    RegisterRow(
        code="000.09.27.H26-260210-0002",
        procedure_name="Đăng ký tạm trú",
        applicant_name="Trần Quốc Bảo",
        received_at=at(10, 14, 40),
        due_at=at(13, 14, 40),
        completed_at=at(26, 10, 0),
        status_label="Đã xử lý xong",
        outcome="late",
    ),
    RegisterRow(
        code="000.09.27.H26-260226-0003",
        procedure_name="Xác nhận thông tin về cư trú",
        applicant_name="Lê Thị Mai",
        received_at=at(26, 7, 45),
        due_at=at(2, 17, 0, month=3),
        status_label="Đang xử lý",
    ),
)


def register(**changes: object) -> Slip07:
    slip = Slip07(
        agency_name="Công an phường Ba Đình",
        period_from=date(2026, 2, 1),
        period_to=date(2026, 2, 28),
        rows=ROWS,
    )
    return replace(slip, **changes)


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture(scope="module")
def vi_text(app: Flask) -> str:
    with app.app_context():
        return text_of(render_slip07(register()))


def test_register_is_landscape_a4_with_the_period(app, vi_text):
    with app.app_context():
        (page,) = pages(render_slip07(register()))
    assert page_size(page) == pytest.approx(LANDSCAPE_A4, abs=0.1)
    assert "SỔ THEO DÕI HỒ SƠ" in vi_text
    assert "CÔNG AN PHƯỜNG BA ĐÌNH" in vi_text
    assert "Từ ngày 01/02/2026 đến ngày 28/02/2026" in vi_text
    assert "Sổ theo dõi hồ sơ, trang 1/1" in vi_text


def test_register_has_a_row_per_dossier_with_dates_and_outcome(vi_text):
    for column in ("STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Tên cá nhân, tổ chức", "Thời gian tiếp nhận",
                   "Ngày hẹn trả kết quả", "Ngày có kết quả", "Ngày trả kết quả", "Trạng thái"):
        assert column in vi_text
    assert "Kết quả (Trước hạn / Đúng hạn / Quá hạn)" in vi_text
    rows = [
        "1 000.09.27.H26-260203-0001 Đăng ký thường trú Nguyễn Thị Hồng Nhung 03/02/2026 08:05 "
        "24/02/2026 08:05 20/02/2026 15:30 21/02/2026 09:00 Đã trả kết quả Trước hạn",
        "2 000.09.27.H26-260210-0002 Đăng ký tạm trú Trần Quốc Bảo 10/02/2026 14:40 "
        "13/02/2026 14:40 26/02/2026 10:00 Đã xử lý xong Quá hạn",
        "3 000.09.27.H26-260226-0003 Xác nhận thông tin về cư trú Lê Thị Mai 26/02/2026 07:45 "
        "02/03/2026 17:00 Đang xử lý",
    ]
    positions = [vi_text.index(row) for row in rows]
    assert positions == sorted(positions)


def test_a_long_register_repeats_the_header_on_every_page(app):
    rows = tuple(
        RegisterRow(
            code=f"000.09.27.H26-260203-{n:04d}",
            procedure_name="Đăng ký thường trú",
            applicant_name="Nguyễn Văn An",
            received_at=at(3, 8, 5),
            due_at=at(24, 8, 5),
            status_label="Đang xử lý",
        )
        for n in range(1, 61)
    )
    with app.app_context():
        pdf = render_slip07(register(rows=rows))
    assert len(pages(pdf)) >= 2
    for number, page in enumerate(pages(pdf), start=1):
        text = " ".join(page.extract_text().split())
        assert page_size(page) == pytest.approx(LANDSCAPE_A4, abs=0.1)
        assert "Mã hồ sơ" in text
        assert f"Sổ theo dõi hồ sơ, trang {number}/{len(pages(pdf))}" in text
    assert "000.09.27.H26-260203-0060" in text_of(pdf)


def test_an_empty_register_says_so(app):
    with app.app_context():
        assert "Không có hồ sơ nào được tiếp nhận trong kỳ." in text_of(render_slip07(register(rows=())))


def test_csv_for_excel_has_vietnamese_headers_and_every_row(ctx):
    table = read_csv(slip07_csv(register()))
    assert table[0] == [
        "STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Tên cá nhân, tổ chức", "Thời gian tiếp nhận",
        "Ngày hẹn trả kết quả", "Ngày có kết quả", "Ngày trả kết quả", "Trạng thái",
        "Kết quả (Trước hạn / Đúng hạn / Quá hạn)",
    ]
    assert table[1:] == [
        ["1", "000.09.27.H26-260203-0001", "Đăng ký thường trú", "Nguyễn Thị Hồng Nhung", "03/02/2026 08:05",
         "24/02/2026 08:05", "20/02/2026 15:30", "21/02/2026 09:00", "Đã trả kết quả", "Trước hạn"],
        ["2", "000.09.27.H26-260210-0002", "Đăng ký tạm trú", "Trần Quốc Bảo", "10/02/2026 14:40",
         "13/02/2026 14:40", "26/02/2026 10:00", "", "Đã xử lý xong", "Quá hạn"],
        ["3", "000.09.27.H26-260226-0003", "Xác nhận thông tin về cư trú", "Lê Thị Mai", "26/02/2026 07:45",
         "02/03/2026 17:00", "", "", "Đang xử lý", ""],
    ]


def test_csv_in_english(ctx):
    table = read_csv(slip07_csv(register(), lang="en"))
    assert table[0][:4] == ["No.", "Dossier code", "Administrative procedure", "Applicant (person or organisation)"]
    assert table[0][-1] == "Outcome (early / on time / late)"
    assert [row[-1] for row in table[1:]] == ["Early", "Late", ""]


def test_csv_prints_times_in_vietnam_time(ctx):
    row = RegisterRow(
        code="X-1", procedure_name="P", applicant_name="A",
        received_at=datetime.fromisoformat("2026-02-03T01:05:00+00:00"),
        due_at=datetime.fromisoformat("2026-02-24T01:05:00+00:00"),
    )
    assert read_csv(slip07_csv(register(rows=(row,))))[1][4:6] == ["03/02/2026 08:05", "24/02/2026 08:05"]


def test_csv_cells_that_look_like_formulas_stay_text(ctx):
    row = replace(ROWS[0], applicant_name='=HYPERLINK("http://evil.example","x")')
    assert read_csv(slip07_csv(register(rows=(row,))))[1][3] == '\'=HYPERLINK("http://evil.example","x")'


def test_csv_in_an_unknown_language_is_a_paperwork_error(ctx):
    with pytest.raises(PaperworkError):
        slip07_csv(register(), lang="fr")


@pytest.mark.parametrize(
    "changes",
    [
        {"period_from": datetime(2026, 2, 1, tzinfo=VN_TZ)},
        {"period_from": date(2026, 3, 1)},
    ],
)
def test_a_register_with_an_impossible_period_is_refused(changes):
    with pytest.raises(ValueError):
        register(**changes)


def test_a_row_with_a_naive_time_or_an_unknown_outcome_is_refused():
    with pytest.raises(ValueError):
        RegisterRow(code="X", procedure_name="P", applicant_name="A",
                    received_at=datetime(2026, 2, 3, 8, 5), due_at=at(24, 8, 5))
    with pytest.raises(ValueError):
        RegisterRow(code="X", procedure_name="P", applicant_name="A",
                    received_at=at(3, 8, 5), due_at=at(24, 8, 5), outcome="soon")
