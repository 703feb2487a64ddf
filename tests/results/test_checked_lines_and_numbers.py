"""Review of issue 18: nothing is certified unchecked, official numbers are given at signing
and kept, and a register outage never signs blank lines."""
from __future__ import annotations

import html

from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.dossiers.states import Status
from portal.extensions import db
from portal.registry import EXTENSION_KEY, FailingRegistryClient
from tests.paperwork.pdf_text import text_of
from tests.results.helpers import approve, choose, dossier_of, take_to_proposal

CONVICTIONS = "Tình trạng án tích"


def test_a_judicial_record_is_not_approved_before_the_convictions_are_checked(app, make_dossier):
    code = make_dossier("2.000505")
    officers = take_to_proposal(app, code, "2.000505", choices={})
    response = officers["leader"].act(code, "approve")
    assert response.status_code == 422
    # The message names the line (in Vietnamese once the translation is merged).
    assert f"“{CONVICTIONS}”" in html.unescape(response.get_data(as_text=True))
    dossier = dossier_of(app, code)
    assert dossier.status == Status.PENDING_APPROVAL.value
    assert dossier.result_document is None and dossier.result_number is None


def test_the_draft_offers_no_preselected_conviction_status(app, make_dossier):
    code = make_dossier("2.000505")
    officers = take_to_proposal(app, code, "2.000505", choices={})
    # Sent back so the specialist can draft again.
    assert officers["leader"].act(code, "send_back", note="Chưa tra cứu án tích").status_code == 302
    page = officers["specialist"].client.get(f"/officer/dossiers/{code}/result").get_data(as_text=True)
    select = page.split('name="convictions"', 1)[1].split("</select>", 1)[0]
    assert '<option value="" selected>' in select and "<option selected>" not in select
    # "Có án tích" without its details is not recorded.
    missing = choose(officers["specialist"], code, convictions="Có án tích", convictions_details="   ")
    assert missing.status_code == 422 and 'id="line-convictions_details-error"' in missing.get_data(as_text=True)
    assert dossier_of(app, code).result_choices.get("convictions") is None


def test_no_conviction_once_chosen_is_signed(app, make_dossier):
    code = make_dossier("2.000505")
    _, pdf = approve(app, code, "2.000505", choices={"convictions": "Không có án tích"})
    assert f"{CONVICTIONS}: Không có án tích" in text_of(pdf)


def test_convictions_found_are_printed_with_their_details(app, make_dossier):
    code = make_dossier("2.000505")
    details = "Bản án số 12/2019/HS-ST ngày 03/4/2019 của\r\n  Tòa án nhân dân quận Ba Đình: 6 tháng tù cho hưởng án treo."
    _, pdf = approve(app, code, "2.000505", choices={"convictions": "Có án tích", "convictions_details": details})
    text = " ".join(text_of(pdf).split())
    assert f"{CONVICTIONS}: Có án tích: Bản án số 12/2019/HS-ST ngày 03/4/2019 của Tòa án nhân dân quận Ba Đình" in text
    assert "Không có án tích" not in text


def test_each_result_of_an_agency_gets_the_next_number_and_keeps_it(app, make_dossier):
    first, second = make_dossier("1.004222"), make_dossier("1.004194")  # same agency
    officers, first_pdf = approve(app, first, "1.004222")
    _, second_pdf = approve(app, second, "1.004194")
    a, b = dossier_of(app, first).result_number, dossier_of(app, second).result_number
    (n1, year1), (n2, year2) = (int(x) for x in a.split("/")), (int(x) for x in b.split("/"))
    assert year1 == year2 and n2 == n1 + 1
    assert f"Số: {n1}/" in text_of(first_pdf) and f"Số: {n2}/" in text_of(second_pdf)
    # The first result, fetched again after the second was issued, still carries its number.
    again = officers["leader"].client.get(f"/officer/dossiers/{first}/result.pdf").data
    assert f"Số: {n1}/" in text_of(again)
    assert dossier_of(app, first).result_number == a


def test_a_register_outage_at_approval_signs_nothing(app, make_dossier):
    code = make_dossier("1.004222")  # prints the household head's household number from the register
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.code == code)).scalar_one()
        dossier.answers = {**dossier.answers, "new_household_head": {"personal_id": dossier.applicant_personal_id}}
        db.session.commit()
    officers = take_to_proposal(app, code, "1.004222")
    register = app.extensions[EXTENSION_KEY]
    app.extensions[EXTENSION_KEY] = FailingRegistryClient()
    try:
        response = officers["leader"].act(code, "approve")
    finally:
        app.extensions[EXTENSION_KEY] = register
    assert response.status_code == 422
    shown = html.unescape(response.get_data(as_text=True))
    assert ("The population register does not answer; try again in a moment." in shown
            or "Cơ sở dữ liệu quốc gia về dân cư không phản hồi" in shown)
    dossier = dossier_of(app, code)
    assert dossier.status == Status.PENDING_APPROVAL.value
    assert dossier.result_document is None and dossier.result_number is None and dossier.result_token is None
    # Once the register answers again, the same approval signs, with the number not lost.
    assert officers["leader"].act(code, "approve").status_code == 302
    assert dossier_of(app, code).result_number.startswith("1/")
