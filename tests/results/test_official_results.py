"""Each procedure's result is the document its law prescribes, filled from the dossier (issue 18)."""
from __future__ import annotations

import pytest

from tests.dossiers.helpers import TEXT
from tests.paperwork.pdf_text import pages, text_of
from tests.results.helpers import INTERNAL_NOTE, approve, dossier_of, save_for_inspection

STREET = "Số 12 phố Đội Cấn"  # every address typed in the e-form (tests.dossiers.helpers)

# procedure: (title and legal wording printed, values from the answers printed)
EXPECTED = {
    "1.004222": (["THÔNG BÁO", "Về kết quả giải quyết, hủy bỏ đăng ký cư trú", "Mẫu CT08",
                  "Đã được đăng ký thường trú", "Nơi thường trú:", "Quan hệ với chủ hộ:", "Ngày đăng ký thường trú:"], [STREET]),
    "1.004194": (["THÔNG BÁO", "Về kết quả giải quyết, hủy bỏ đăng ký cư trú", "Đã được đăng ký tạm trú",
                  "Nơi tạm trú:", "Thời hạn tạm trú: Từ ngày"], [STREET]),
    "1.001193": (["TRÍCH LỤC KHAI SINH", "(Bản chính)", "Ngày, tháng, năm sinh: 15/03/2020", "Quê quán:",
                  "ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi", "Số đăng ký khai sinh:"], [TEXT]),
    "1.004873": (["GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", "Tình trạng hôn nhân:",
                  "Giấy này có giá trị sử dụng trong thời hạn 06 tháng"], []),
    "2.000505": (["PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1", "Tình trạng án tích: Không có án tích"], []),
    "2.000720": (["GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH", "Mã số hộ kinh doanh: HKD-", "1. Tên hộ kinh doanh:"],
                 [TEXT, STREET]),
}


@pytest.mark.parametrize("procedure", sorted(EXPECTED))
def test_result_is_the_legal_document_filled_from_the_dossier(app, make_dossier, procedure):
    code = make_dossier(procedure)
    _, pdf = approve(app, code, procedure)
    save_for_inspection(pdf, f"{procedure}.pdf")
    text = text_of(pdf)
    dossier = dossier_of(app, code)
    wording, answers = EXPECTED[procedure]
    for words in wording + answers:
        assert words in text, words
    # The legal fields every result carries: the person, their ID number, the agency, the
    # number in its register, the dossier, the verification address.
    assert dossier.applicant_name in text and dossier.applicant_personal_id in text
    assert dossier.agency.name_vi.upper() in text
    assert f"Mã hồ sơ: {code}" in text
    assert f"/verify/{dossier.result_token}" in text
    assert "Số: 1/" in text or "Số: " in text
    # The specialist's proposal stays internal.
    assert "GHI CHÚ NỘI BỘ" not in text and "Đề nghị phê duyệt" not in text and INTERNAL_NOTE not in text
    # The result joins the applicant's documents, as the kind of result it is.
    stored = dossier.result_document
    assert stored.kind == "result" and stored.owner_personal_id == dossier.applicant_personal_id
    assert stored.document_key not in ("result", "refusal")
    assert len(pages(pdf)) == 1  # one sheet, as the legal template
    if procedure == "1.004873":
        assert stored.valid_until is not None  # six months (NĐ 123/2015, Điều 23)


def test_a_refusal_on_the_merits_is_the_refusal_notice_with_its_legal_reasons(app, make_dossier):
    code = make_dossier("1.004222")
    reasons = "Chỗ ở đề nghị đăng ký thuộc địa điểm không được đăng ký thường trú."
    _, pdf = approve(app, code, "1.004222", refusal=True, note=reasons)
    save_for_inspection(pdf, "refusal.pdf")
    text = text_of(pdf)
    assert "Về việc từ chối giải quyết hồ sơ" in text
    assert reasons in text
    assert "Luật Cư trú năm 2020, Điều 20" in text
    assert "khiếu nại" in text
    assert dossier_of(app, code).result_document.document_key == "refusal"
