"""The specialist drafts the result from the dossier, the leader checks the exact PDF (issue 18)."""
from __future__ import annotations

import re

from tests.paperwork.pdf_text import text_of
from tests.results.helpers import dossier_of, take_to_proposal, team, user_id


def _version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_specialist_sees_sources_and_changes_only_what_the_law_leaves_open(app, make_dossier):
    code = make_dossier("1.004194")
    officers = team(app, "1.004194")
    officers["intake"].act(code, "accept")
    officers["intake"].act(code, "assign", assignee=str(user_id(app, "specialist1")))
    specialist = officers["specialist"].client
    page = specialist.get(f"/officer/dossiers/{code}/result").get_data(as_text=True)
    assert "Nơi tạm trú" in page and "Số 12 phố Đội Cấn" in page
    assert "Tờ khai" in page or "E-form" in page  # each line names its source
    assert 'name="period"' in page and 'name="full_name"' not in page  # only the law's choices are inputs

    period = "Từ ngày 05/12/2026 đến ngày 04/06/2027"
    response = specialist.post(f"/officer/dossiers/{code}/result", data={
        "version": _version(page), "period": period, "full_name": "Người Khác",
    })
    assert response.status_code == 302
    empty = specialist.post(f"/officer/dossiers/{code}/result", data={"version": _version(specialist.get(f"/officer/dossiers/{code}/result").get_data(as_text=True)), "period": "  "})
    assert empty.status_code == 422 and "field-error" in empty.get_data(as_text=True)

    specialist_note = "Đề nghị phê duyệt — nội bộ"
    officers["specialist"].act(code, "propose_result", note=specialist_note)
    leader = officers["leader"].client
    assert "result-preview.pdf" in leader.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    preview = leader.get(f"/officer/dossiers/{code}/result-preview.pdf")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    previewed = text_of(preview.data)
    assert period in previewed and "Người Khác" not in previewed and specialist_note not in previewed

    assert officers["leader"].act(code, "approve").status_code == 302
    signed = text_of(leader.get(f"/officer/dossiers/{code}/result.pdf").data)
    dossier = dossier_of(app, code)
    # The preview promises no number (another result may be signed first): it is given at signing.
    assert "Số: (số sẽ cấp khi ký)" in previewed
    number = dossier.result_number.split("/")[0]
    assert f"Số: {number}/" in signed
    # What was signed is what was previewed, but for the verification code and the number it
    # then received.
    def same_minute(text: str) -> str:
        return re.sub(r"\d\d:\d\d", "hh:mm", text)

    signed_as_previewed = re.sub(rf"Số: {number}/\S+", "Số: (số sẽ cấp khi ký)", signed.replace(dossier.result_token, "xxxxxxxxxx"))
    # ... and the signature: the preview says it is not signed, and names no signer.
    assert "Bản xem trước — chưa ký số" in previewed and "Ký số bởi" not in previewed
    assert "Ký số bởi" in signed and "Bản xem trước" not in signed

    def without_signature(text: str) -> str:
        return re.sub(r"(Ký số bởi|Bản xem trước).*?(?=Kiểm tra tính xác thực)", "", text)

    assert same_minute(without_signature(signed_as_previewed)) == same_minute(without_signature(previewed))


def test_the_intake_officer_neither_drafts_nor_previews(app, make_dossier):
    code = make_dossier("1.004194")
    officers = team(app, "1.004194")
    take_to_proposal(app, code, "1.004194")
    assert officers["intake"].client.get(f"/officer/dossiers/{code}/result").status_code == 403
    assert officers["intake"].client.get(f"/officer/dossiers/{code}/result-preview.pdf").status_code == 403
