"""The e-form is the declaration (issue 17): no procedure asks to upload its own declaration or
request form; at submission the portal renders it from the answers, with the legal template's
title and items, and attaches it as "generated from the e-form" for the citizen and the officer."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.dossiers.storage import file_store
from portal.eforms.definitions import get_form_definition
from portal.extensions import db
from portal.paperwork import PaperworkError
from portal.workflow import declaration as declaration_module
from tests.conftest import Officer
from tests.dossiers.helpers import apply_until_check, submit_online, submitted

# procedure → (declaration document, the legal form's title as printed, one item of the form)
FORMS = {
    "1.004222": ("ct01", "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ", "Mẫu CT01 ban hành kèm theo Thông tư số 66/2023/TT-BCA"),
    "1.004194": ("ct01", "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ", "10. Nội dung đề nghị"),
    "1.001193": ("birth_form", "TỜ KHAI ĐĂNG KÝ KHAI SINH", "Tôi cam đoan nội dung đề nghị đăng ký khai sinh"),
    "1.004873": ("marital_form", "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", "Mục đích sử dụng Giấy xác nhận"),
    "2.000505": ("judicial_form", "TỜ KHAI YÊU CẦU CẤP PHIẾU LÝ LỊCH TƯ PHÁP", "QUÁ TRÌNH CƯ TRÚ CỦA BẢN THÂN"),
    "2.000720": ("hkd_form", "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH", "HỘ KINH DOANH HOA MAI"),
}


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


@pytest.mark.parametrize("code", sorted(FORMS))
def test_no_procedure_uploads_its_declaration(code):
    definition = get_form_definition(code)
    assert definition.declaration == FORMS[code][0]
    assert FORMS[code][0] not in {f.document for f in definition.file_fields}


@pytest.mark.parametrize("code", sorted(FORMS))
def test_submission_renders_the_declaration_from_the_answers(app, citizen, citizen_id, person, code):
    key, title, item = FORMS[code]
    dossier_code = submit_online(app, citizen, code, citizen_id, person.spouse_id)
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.code == dossier_code)).scalar_one()
        generated = [a for a in dossier.attachments if a.source == "eform"]
        assert [a.document_key for a in generated] == [key]
        document = generated[0].document
        assert document.kind == "eform" and document.content_type == "application/pdf"
        pdf = file_store().read(document.storage_name)
        attachment_id = generated[0].id
    if os.environ.get("DECLARATION_DUMP"):  # to look at them: DECLARATION_DUMP=/tmp/decl pytest …
        Path(os.environ["DECLARATION_DUMP"]).mkdir(parents=True, exist_ok=True)
        (Path(os.environ["DECLARATION_DUMP"]) / f"{code}.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    assert title in text and item in text
    assert person.full_name.upper() in text.upper() and person.personal_id in text
    assert dossier_code in text
    # The citizen sees it among the dossier's documents and can open it …
    page = citizen.get(f"/my/dossiers/{dossier_code}").get_data(as_text=True)
    assert f"/attachments/{attachment_id}" in page
    assert ("Generated from the e-form" in page) or ("Được tạo từ biểu mẫu điện tử" in page)
    assert citizen.get(f"/my/dossiers/{dossier_code}/attachments/{attachment_id}").data == pdf


def test_the_officer_sees_the_generated_declaration(app, citizen, citizen_id, person):
    dossier_code = submit_online(app, citizen, "1.004222", citizen_id, person.spouse_id)
    page = Officer(app, "intake1").page(dossier_code)
    assert "Tờ khai thay đổi thông tin cư trú (mẫu CT01)" in page
    assert ("Generated from the e-form" in page) or ("Được tạo từ biểu mẫu điện tử" in page)


def test_check_page_carries_the_commitment_of_the_declaration(app, citizen, citizen_id, person):
    draft = apply_until_check(app, citizen, "1.004222", citizen_id, person.spouse_id)
    page = citizen.get(f"/apply/{draft.public_id}/check").get_data(as_text=True)
    assert ("Tôi xin cam đoan những nội dung khai trên đây là đúng sự thật" in page
            or "I declare that the information given above is true" in page)
    assert "Tờ khai thay đổi thông tin cư trú (mẫu CT01)" in page


def test_a_declaration_that_cannot_be_rendered_refuses_the_submission(app, citizen, citizen_id, person, monkeypatch):
    def broken(_declaration):
        raise PaperworkError("fonts missing")

    monkeypatch.setattr(declaration_module, "render_declaration", broken)
    draft = apply_until_check(app, citizen, "1.001193", citizen_id, person.spouse_id)  # free: no payment step
    response = citizen.post(f"/apply/{draft.public_id}/submit", data={"payment": "none"})
    assert response.status_code == 503
    assert "not submitted" in response.get_data(as_text=True) or "chưa được nộp" in response.get_data(as_text=True)
    after = submitted(app, draft.public_id)
    assert after.status == "draft" and after.code is None
    assert not [a for a in after.attachments if a.source == "eform"]
    monkeypatch.undo()
    response = citizen.post(f"/apply/{draft.public_id}/submit", data={"payment": "none"})
    assert response.status_code == 302
    assert submitted(app, draft.public_id).status == "submitted"


ONLINE_CONFIRMATION = "Đã xác nhận bằng tài khoản định danh điện tử khi nộp hồ sơ trực tuyến"


def _declaration_text(app, dossier_code: str) -> tuple[str, str]:
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.code == dossier_code)).scalar_one()
        document = next(a for a in dossier.attachments if a.source == "eform").document
        officer = dossier.created_by.full_name if dossier.created_by else ""
        return pdf_text(file_store().read(document.storage_name)), officer


@pytest.mark.parametrize("code", ["1.004194", "1.004873"])  # CT01 and a form built on _form.html
def test_an_online_declaration_is_confirmed_by_the_vneid_account(app, citizen, citizen_id, person, code):
    text, _officer = _declaration_text(app, submit_online(app, citizen, code, citizen_id, person.spouse_id))
    assert ONLINE_CONFIRMATION in " ".join(text.split())
    assert "Bộ phận Một cửa" not in text


@pytest.mark.parametrize("code", ["1.004194", "1.004873"])
def test_a_counter_declaration_is_received_by_the_officer_and_signed(app, client, citizen_id, person, code):
    from tests.conftest import login_officer
    from tests.dossiers.helpers import current_draft, fill_all_steps

    for name in ("intake1", "intake2", "intake3"):  # the one-stop counter of the agency that handles it
        login_officer(client, name)
        if client.post("/officer/counter/new", data={"procedure": code, "personal_id": citizen_id}).status_code == 302:
            break
        client.post("/logout")
    else:
        raise AssertionError(f"no intake officer takes {code}")
    dossier = current_draft(app, citizen_id, channel="counter")
    fill_all_steps(app, client, dossier, person.spouse_id)
    client.post(f"/apply/{dossier.public_id}/delivery", data={"delivery": "counter"})
    assert client.post(f"/apply/{dossier.public_id}/submit").status_code == 302
    text, officer = _declaration_text(app, submitted(app, dossier.public_id).code)
    flat = " ".join(text.split())
    assert ONLINE_CONFIRMATION not in flat and "định danh điện tử khi nộp hồ sơ trực tuyến" not in flat
    assert "Tiếp nhận trực tiếp tại Bộ phận Một cửa" in flat
    assert officer and officer in flat
    assert "Người kê khai ký tên dưới đây" in flat


TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "paperwork" / "declarations"
_READS = re.compile(r'd\.(?:value\(|choices\.get\(|choices\[)"([a-z0-9_]+)"')
# CT01 prints items 7–9 for the household joined only when the form asks on what basis (1.004222).
_RELATIVE_BRANCH = re.compile(r'\{%-? if d\.choices\.get\("residence_basis"\) == "relative" %\}.*?\{%-? (?:else|endif) %\}', re.S)


@pytest.mark.parametrize("code", sorted(FORMS))
def test_every_item_a_declaration_reads_is_an_answer_or_a_documented_derived_value(code):
    definition = get_form_definition(code)
    source = (TEMPLATES / f"{definition.declaration}.html").read_text(encoding="utf-8")
    keys = {f.key for f in definition.fields}
    if "residence_basis" not in keys:
        source = _RELATIVE_BRANCH.sub("", source)
    unknown = set(_READS.findall(source)) - keys - set(declaration_module.DERIVED_VALUES)
    assert not unknown, f"{definition.declaration}.html reads {sorted(unknown)}, which {code}'s form does not have"


@pytest.mark.parametrize("code", ["1.004194", "1.001193"])
def test_register_items_are_printed_not_left_blank(app, citizen, citizen_id, person, code):
    text, _officer = _declaration_text(app, submit_online(app, citizen, code, citizen_id, person.spouse_id))
    flat = " ".join(text.split())
    if code == "1.004194":
        assert person.household and f"9. Số định danh cá nhân của chủ hộ: {person.household.head_id}" in flat
    else:
        assert person.current_address.street in flat  # the applicant parent's residence
        assert not re.search(r"Nơi cư trú:\s*(Họ|$)", flat)
