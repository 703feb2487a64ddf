"""A citizen applies online: prefill, steps, documents, delivery, payment, submission, receipt."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.notifications.models import Notification
from portal.timeutil import from_db
from tests.conftest import login_citizen
from tests.dossiers.helpers import PDF, apply_until_check, current_draft, submitted

CODE = re.compile(r"^000\.09\.27\.H26-\d{6}-\d{4}$")


@pytest.fixture()
def signed_in(client, citizen_id):
    login_citizen(client, citizen_id)
    return client


def pay(client, response, outcome="success"):
    """Follow the redirect to the mock gateway and press one of its buttons."""
    gateway = response.headers["Location"]
    assert gateway.startswith("/mock-gateway/pay?")
    page = client.get(gateway)
    assert "10.000\u00a0₫" in page.get_data(as_text=True)
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page.get_data(as_text=True)))
    back = client.post("/mock-gateway/pay", data={**fields, "outcome": outcome})
    return client.get(back.headers["Location"], follow_redirects=True)


def test_apply_button_requires_sign_in(client):
    response = client.get("/procedures/1.004222/apply")
    assert response.status_code == 302
    assert "/login/citizen" in response.headers["Location"]


def test_first_step_is_prefilled_and_locked(app, signed_in, person):
    response = signed_in.get("/procedures/1.004222/apply")
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    name_input = re.search(r'<input[^>]*name="full_name"[^>]*>', page).group(0)
    assert "readonly" in name_input and 'data-prefilled="registry"' in name_input
    assert f'value="{person.full_name}"' in name_input
    assert "Từ CSDL quốc gia về dân cư" in page
    assert person.permanent_address.street in page


def test_full_online_submission_with_payment(app, signed_in, citizen_id, person):
    dossier = apply_until_check(app, signed_in, "1.004222", citizen_id, person.spouse_id)
    check = signed_in.get(f"/apply/{dossier.public_id}/check").get_data(as_text=True)
    assert person.full_name in check and "Từ CSDL quốc gia về dân cư" in check
    assert "sớm hơn 20 %" in check or "20 %" in check
    response = signed_in.post(f"/apply/{dossier.public_id}/submit", data={"payment": "now"})
    confirmation = pay(signed_in, response)
    page = confirmation.get_data(as_text=True)
    code = re.search(r'data-dossier-code>([^<]+)<', page).group(1)
    assert CODE.match(code)
    assert "Đã nộp hồ sơ" in page and "đã được thanh toán" in page
    saved = submitted(app, dossier.public_id)
    assert (saved.code, saved.status, saved.status_code, saved.payment_status) == (code, "submitted", 1, "paid")
    assert saved.provenance["full_name"] == "registry"
    assert saved.answers["full_name"] == person.full_name
    assert saved.fee_amount == 10_000
    assert saved.estimated_due_at < saved.estimated_legal_due_at  # the online discount
    assert [e.action for e in saved.events] == ["submit"]
    assert {a.document_key for a in saved.attachments} >= {"ct01", "legal_residence"}
    with app.app_context():
        channels = set(db.session.execute(select(Notification.channel).where(Notification.dossier_id == saved.id)).scalars())
    assert channels == {"email", "sms"}
    listing = signed_in.get("/my/dossiers").get_data(as_text=True)
    assert code in listing


def test_double_submit_creates_one_dossier(app, signed_in, citizen_id, person):
    dossier = apply_until_check(app, signed_in, "2.000505", citizen_id, person.spouse_id)
    first = signed_in.post(f"/apply/{dossier.public_id}/submit", data={"payment": "later"})
    second = signed_in.post(f"/apply/{dossier.public_id}/submit", data={"payment": "later"})
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        count = db.session.execute(
            select(func.count()).select_from(Dossier).where(Dossier.applicant_personal_id == citizen_id, Dossier.code.is_not(None))
        ).scalar_one()
    assert count == 1
    assert submitted(app, dossier.public_id).payment_status == "later"


def test_free_procedure_submits_without_payment(app, signed_in, citizen_id, person):
    dossier = apply_until_check(app, signed_in, "1.004873", citizen_id, person.spouse_id)
    # marital status costs 7.500 ₫ online and does not allow paying later
    response = signed_in.post(f"/apply/{dossier.public_id}/submit", data={"payment": "later"})
    assert response.status_code == 422
    assert submitted(app, dossier.public_id).status == "draft"


def test_cancelled_payment_keeps_the_draft(app, signed_in, citizen_id, person):
    dossier = apply_until_check(app, signed_in, "1.004222", citizen_id, person.spouse_id)
    response = signed_in.post(f"/apply/{dossier.public_id}/submit", data={"payment": "now"})
    page = pay(signed_in, response, outcome="cancelled").get_data(as_text=True)
    assert "chưa được nộp" in page
    assert submitted(app, dossier.public_id).status == "draft"


def test_payment_callback_with_a_wrong_signature_is_refused(app, signed_in, citizen_id, person):
    dossier = apply_until_check(app, signed_in, "1.004222", citizen_id, person.spouse_id)
    response = signed_in.post(f"/apply/{dossier.public_id}/submit", data={"payment": "now"})
    reference = re.search(r"reference=([A-Z0-9]+)", response.headers["Location"]).group(1)
    forged = signed_in.get(
        "/payments/return",
        query_string={"reference": reference, "amount": "10000", "status": "success", "transaction": "X", "signature": "0" * 64},
    )
    assert forged.status_code == 400
    assert "Không xác thực được" in forged.get_data(as_text=True)
    assert submitted(app, dossier.public_id).status == "draft"


def test_replayed_payment_callback_changes_nothing(app, signed_in, citizen_id, person):
    dossier = apply_until_check(app, signed_in, "1.004222", citizen_id, person.spouse_id)
    response = signed_in.post(f"/apply/{dossier.public_id}/submit", data={"payment": "now"})
    gateway = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', gateway))
    back = signed_in.post("/mock-gateway/pay", data={**fields, "outcome": "success"}).headers["Location"]
    first = signed_in.get(back)
    again = signed_in.get(back)
    assert first.headers["Location"] == again.headers["Location"]
    assert submitted(app, dossier.public_id).code in first.headers["Location"]


def test_tampering_with_a_prefilled_value_is_refused(app, signed_in, citizen_id, person):
    signed_in.get("/procedures/1.004222/apply")
    dossier = current_draft(app, citizen_id)
    response = signed_in.post(
        f"/apply/{dossier.public_id}/steps/applicant", data={"full_name": "Người Khác", "phone": "0912345678"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "không thể sửa" in page
    assert submitted(app, dossier.public_id).answers["full_name"] == person.full_name


def test_field_errors_keep_what_was_typed(app, signed_in, citizen_id):
    signed_in.get("/procedures/1.004222/apply")
    dossier = current_draft(app, citizen_id)
    response = signed_in.post(
        f"/apply/{dossier.public_id}/steps/applicant", data={"phone": "12345", "email": "not-an-email"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Có lỗi cần sửa" in page and 'href="#phone"' in page
    assert 'value="12345"' in page and 'value="not-an-email"' in page
    assert "<title>Lỗi:" in page


def test_upload_of_a_renamed_executable_is_refused(app, signed_in, citizen_id, person):
    signed_in.get("/procedures/1.004222/apply")
    dossier = current_draft(app, citizen_id)
    documents_step = [s for s in __import__("portal.eforms.definitions", fromlist=["x"]).get_form_definition("1.004222").steps if any(f.type == "file" for f in s.fields)][0]
    field = next(f for f in documents_step.fields if f.type == "file")
    response = signed_in.post(
        f"/apply/{dossier.public_id}/steps/{documents_step.key}",
        data={field.key: (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100), "giay-to.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "PDF, JPEG hoặc PNG" in response.get_data(as_text=True)
    assert submitted(app, dossier.public_id).attachments == []


def test_oversized_upload_is_refused(app, signed_in, citizen_id):
    signed_in.get("/procedures/1.004222/apply")
    dossier = current_draft(app, citizen_id)
    from portal.eforms.definitions import get_form_definition

    step = next(s for s in get_form_definition("1.004222").steps if any(f.type == "file" for f in s.fields))
    field = next(f for f in step.fields if f.type == "file")
    from werkzeug.test import EnvironBuilder

    big = PDF + b"0" * (10 * 1024 * 1024)
    builder = EnvironBuilder(
        path=f"/apply/{dossier.public_id}/steps/{step.key}",
        method="POST",
        data={field.key: (io.BytesIO(big), "big.pdf")},
        content_type="multipart/form-data",
    )
    upload_request = builder.get_request()
    try:
        response = signed_in.open(upload_request)
    finally:  # the test client spools a body this large to a temporary file and leaves it open
        upload_request.environ["wsgi.input"].close()
        builder.close()
    assert response.status_code == 422
    assert "10 MB" in response.get_data(as_text=True)


def test_submit_without_required_documents_is_refused(app, signed_in, citizen_id, person):
    dossier = apply_until_check(app, signed_in, "1.004222", citizen_id, person.spouse_id)
    with app.app_context():
        row = db.session.execute(select(Dossier).where(Dossier.public_id == dossier.public_id)).scalar_one()
        row.attachments.clear()
        db.session.commit()
    page = signed_in.get(f"/apply/{dossier.public_id}/check").get_data(as_text=True)
    assert "Hồ sơ chưa đầy đủ" in page and "Đính kèm" in page
    response = signed_in.post(f"/apply/{dossier.public_id}/submit", data={"payment": "now"})
    assert response.status_code == 422
    assert submitted(app, dossier.public_id).status == "draft"


def test_draft_is_resumed_from_my_dossiers(app, signed_in, citizen_id):
    signed_in.get("/procedures/1.004222/apply")
    dossier = current_draft(app, citizen_id)
    signed_in.post(f"/apply/{dossier.public_id}/steps/applicant", data={"phone": "0987654321"})
    listing = signed_in.get("/my/dossiers").get_data(as_text=True)
    assert "Bản nháp" in listing or "Hồ sơ chưa nộp" in listing
    again = signed_in.get("/procedures/1.004222/apply")
    assert dossier.public_id in again.headers["Location"]
    assert "/steps/new_residence" in again.headers["Location"]
    assert submitted(app, dossier.public_id).answers["phone"] == "0912345678".replace("0912345678", "0987654321")


def test_profile_answers_are_reused_in_the_next_dossier(app, signed_in, citizen_id, person):
    dossier = apply_until_check(app, signed_in, "2.000505", citizen_id, person.spouse_id)
    signed_in.post(f"/apply/{dossier.public_id}/submit", data={"payment": "later"})
    response = signed_in.get("/procedures/1.004194/apply")
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    phone_input = re.search(r'<input[^>]*name="phone"[^>]*>', page).group(0)
    # The phone kept last time (the register's, issue 17) comes back from the profile.
    assert 'data-prefilled="profile"' in phone_input and f'value="{person.phone}"' in phone_input
    assert "readonly" not in phone_input


def test_stored_documents_are_attached_again_without_upload(app, signed_in, citizen_id, person):
    first = apply_until_check(app, signed_in, "1.004222", citizen_id, person.spouse_id)
    pay(signed_in, signed_in.post(f"/apply/{first.public_id}/submit", data={"payment": "now"}))
    # Issue 17: a proof of a home is offered for a dossier about that home; the earlier dossier's
    # address is offered again (profile), so the new draft is about the same home.
    signed_in.get("/procedures/1.004194/apply")
    second = current_draft(app, citizen_id)
    from portal.eforms.definitions import get_form_definition

    step = next(s for s in get_form_definition("1.004194").steps if any(f.type == "file" for f in s.fields))
    field = next(f for f in step.fields if f.type == "file" and f.document == "legal_residence")
    page = signed_in.get(f"/apply/{second.public_id}/steps/{step.key}").get_data(as_text=True)
    reuse_ids = re.findall(rf'name="{field.key}-reuse" value="(\d+)"', page)
    assert reuse_ids, "the document uploaded for the first dossier is offered again"
    signed_in.post(f"/apply/{second.public_id}/steps/{step.key}", data={f"{field.key}-reuse": reuse_ids[0]})
    saved = submitted(app, second.public_id)
    reused = [a for a in saved.attachments if a.document_key == "legal_residence"]
    assert reused and reused[0].source == "reuse"


def test_register_outage_leaves_the_form_editable_and_flags_the_dossier(app, signed_in, citizen_id, monkeypatch):
    from portal.registry.client import FailingRegistryClient

    monkeypatch.setitem(app.extensions, "registry_client", FailingRegistryClient())
    response = signed_in.get("/procedures/1.004222/apply")
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Không kết nối được CSDL quốc gia về dân cư" in page
    name_input = re.search(r'<input[^>]*name="full_name"[^>]*>', page).group(0)
    assert "readonly" not in name_input
    assert current_draft(app, citizen_id).is_registry_unverified


def test_slip01_contains_the_code_and_appointment(app, signed_in, citizen_id, person):
    from pypdf import PdfReader

    dossier = apply_until_check(app, signed_in, "2.000505", citizen_id, person.spouse_id)
    signed_in.post(f"/apply/{dossier.public_id}/submit", data={"payment": "later"})
    saved = submitted(app, dossier.public_id)
    response = signed_in.get(f"/my/dossiers/{saved.code}/slip01.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert saved.code in text
    assert from_db(saved.estimated_due_at).strftime("%d/%m/%Y") in text
    assert person.full_name in text


def test_other_citizens_dossiers_are_not_found(app, client, citizen_id, person):
    login_citizen(client, citizen_id)
    dossier = apply_until_check(app, client, "2.000505", citizen_id, person.spouse_id)
    client.post(f"/apply/{dossier.public_id}/submit", data={"payment": "later"})
    code = submitted(app, dossier.public_id).code
    client.post("/logout")
    login_citizen(client, person.spouse_id)
    assert client.get(f"/my/dossiers/{code}").status_code == 404
    assert client.get(f"/my/dossiers/{code}/slip01.pdf").status_code == 404
    assert client.get(f"/apply/{dossier.public_id}/check").status_code == 404
