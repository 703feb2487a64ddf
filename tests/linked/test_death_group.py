"""Linked procedure 2.002913 (issue 21): death registration, removal from permanent residence and
the funeral allowance with one e-form; removal and the allowance wait for the death extract."""
from __future__ import annotations

import subprocess

from sqlalchemy import func, select

from portal.dossiers.models import DossierGroup, StoredDocument
from portal.dossiers.storage import file_store
from portal.extensions import db
from portal.registry.models import Person
from portal.registry.store import get_engine
from tests.conftest import login_officer
from tests.linked.helpers import DEATH, FUNERAL, REMOVAL, approve, death_answers, fill_linked, group_of, submit_linked

LINKED = "2.002913"


def _pdf_text(data: bytes) -> str:
    return " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                                   check=True).stdout.decode().split())


def test_the_death_of_a_parent_in_one_e_form(app, register, citizen, citizen_id, person):
    father = person.father_id
    _draft, typed = fill_linked(app, citizen, LINKED, citizen_id, death_answers(father))
    # The deceased's sex, ethnicity, nationality and (a parent's) residence come from the register.
    assert "deceased_residence" not in typed and "deceased_sex" not in typed


def test_removal_and_allowance_wait_for_the_death_extract(app, register, citizen, citizen_id, person):
    with get_engine(register).connect() as conn:
        people = conn.execute(select(func.count()).select_from(Person)).scalar_one()
    group_code = submit_linked(app, citizen, LINKED, citizen_id, death_answers(person.father_id))
    dossiers = group_of(app, group_code)
    assert {code: d.agency.code for code, d in dossiers.items()} == {
        DEATH: "000.09.19.H26", REMOVAL: "000.09.27.H26", FUNERAL: "000.00.45.H26"}
    assert dossiers[REMOVAL].answers["removed_person"]["personal_id"] == person.father_id
    assert dossiers[REMOVAL].answers["removal_reason"] == "died"
    with app.app_context():
        ct01 = next(a for a in dossiers[REMOVAL].attachments if a.source == "eform").document
        text = _pdf_text(file_store().read(ct01.storage_name))
    father_name = dossiers[DEATH].answers["deceased"]["full_name"]
    assert "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ" in text and father_name in text and "Xóa đăng ký thường trú tại" in text
    assert "trích lục khai tử: được bổ sung khi có kết quả của thủ tục liên thông trước đó" in text  # the extract's number, not yet known
    approve(app, dossiers[DEATH].code, DEATH)
    after = group_of(app, group_code)
    extract = after[REMOVAL].answers["death_extract_number"]
    assert extract.endswith("/TLKT-BC") and after[FUNERAL].answers["death_extract_number"] == extract
    for code in (REMOVAL, FUNERAL):
        assert after[code].status == "accepted" and [e.kind for e in after[code].clock] == ["start"]
    with get_engine(register).connect() as conn:  # a death adds nobody to the register
        assert conn.execute(select(func.count()).select_from(Person)).scalar_one() == people
    with app.app_context():
        document = db.session.get(StoredDocument, after[DEATH].result_document_id)
        extract_text = _pdf_text(file_store().read(document.storage_name))
    assert "TRÍCH LỤC KHAI TỬ" in extract_text and father_name.upper() in extract_text.upper()
    assert "14 giờ 30 phút" in extract_text


def test_a_death_registration_refused_on_the_merits_stops_removal_and_allowance(app, citizen, citizen_id, person):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, death_answers(person.father_id))
    dossiers = group_of(app, group_code)
    reasons = "Giấy báo tử do cơ sở y tế cấp không đúng người đã chết."
    approve(app, dossiers[DEATH].code, DEATH, refusal=True, note=reasons)
    after = group_of(app, group_code)
    assert after[DEATH].status == "result_ready" and after[DEATH].is_result_refusal
    for code in (REMOVAL, FUNERAL):
        assert after[code].status == "stopped" and reasons in after[code].events[-1].public_note
        assert "death_extract_number" not in after[code].answers


def test_at_the_counter_the_receiving_agency_submits_and_sends_the_others_on(app, client, citizen_id, person):
    login_officer(client, "intake2")
    draft, _typed = fill_linked(app, client, LINKED, citizen_id, death_answers(person.father_id), channel="counter")
    response = client.post(f"/apply/{draft.public_id}/submit")
    assert response.status_code == 302 and "/officer/counter/" in response.headers["Location"]
    receipt = client.get(response.headers["Location"])
    assert receipt.status_code == 200
    with app.app_context():
        group = db.session.execute(select(DossierGroup).where(DossierGroup.applicant_personal_id == citizen_id)).scalar_one()
        roles = {c.dossier.procedure_snapshot["code"]: c.dossier.events[0].actor_role for c in group.components}
        assert group.channel == "counter"
    assert roles == {DEATH: "intake", REMOVAL: "system", FUNERAL: "system"}
