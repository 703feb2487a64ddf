"""No insecure direct object references (ASVS V4.2.1): ids in forms and URLs reach only what
belongs to the visitor. The access matrix covers every URL; these tests cover the ids carried
inside forms, the counter desk's drafts, and what a download's name and type come from."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from portal.dossiers.models import Attachment, Dossier, StoredDocument
from portal.dossiers.storage import file_store
from portal.extensions import db
from tests.dossiers.helpers import PDF


def _draft(app, client, procedure: str = "1.004194") -> str:
    location = client.get(f"/procedures/{procedure}/apply").headers["Location"]
    return re.search(r"/apply/([0-9a-f]{32})/", location).group(1)


@pytest.mark.parametrize(("role", "status"), [
    ("intake1", 200), ("intake2", 404), ("specialist1", 404), ("admin", 404), ("citizen_a", 404), ("citizen_b", 404),
])
def test_a_counter_draft_is_the_counter_desks_of_its_agency(browser_as, world, role, status):
    """Even the citizen it is for cannot edit what the officer is typing for them."""
    client = browser_as(role)
    assert client.get(f"/apply/{world.counter_draft}/check").status_code == status
    assert client.post(f"/apply/{world.counter_draft}/delivery", data={"delivery": "counter"}).status_code in (status, 302)


def test_another_citizens_document_cannot_be_attached_by_its_id(app, browser_as, world):
    client = browser_as("citizen_b")
    draft = _draft(app, client)
    response = client.post(
        f"/apply/{draft}/steps/documents",
        data={"doc_legal_residence-reuse": str(world.document_id)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Giấy tờ này không có trong kho dữ liệu của bạn." in response.get_data(as_text=True)
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.public_id == draft)).scalar_one()
        assert dossier.attachments == []


@pytest.mark.parametrize("value", ["²", "9" * 30, "-1"])
def test_a_document_id_that_is_not_a_number_is_refused_with_a_message(app, browser_as, value):
    client = browser_as("citizen_b")
    draft = _draft(app, client)
    response = client.post(f"/apply/{draft}/steps/documents", data={"doc_legal_residence-reuse": value}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Giấy tờ này không có trong kho dữ liệu của bạn." in response.get_data(as_text=True)


def test_an_attachment_of_another_dossier_cannot_be_removed_by_its_id(app, browser_as, world):
    client = browser_as("citizen_b")
    draft = _draft(app, client)
    response = client.post(f"/apply/{draft}/steps/documents", data={"remove": str(world.attachment_id)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Attachment, world.attachment_id) is not None


def test_file_names_never_come_from_the_uploader(app, browser_as, world):
    client = browser_as("citizen_a")
    draft = _draft(app, client)
    hostile_name = '../../../static/evil".html'
    client.post(
        f"/apply/{draft}/steps/documents",
        data={"doc_legal_residence": (io.BytesIO(PDF + b"%unique-1\n%%EOF\n"), hostile_name)},
        content_type="multipart/form-data",
    )
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.public_id == draft)).scalar_one()
        document = dossier.attachments[0].document
        assert re.fullmatch(r"[0-9a-f]{64}\.pdf", document.storage_name)
        assert (file_store().root / document.storage_name).exists()  # in the store's own folder
        assert "evil" not in document.title
        attachment_id, document_id = dossier.attachments[0].id, document.id
        count = db.session.execute(select(func.count()).select_from(StoredDocument).where(StoredDocument.title.contains("evil"))).scalar_one()
        assert count == 0
    response = client.get(f"/my/documents/{document_id}")
    assert response.headers["Content-Disposition"] == f"attachment; filename=legal_residence-{document_id}.pdf"
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert attachment_id


def test_a_fee_requested_on_a_counter_dossier_can_be_paid_online_by_its_citizen(app, browser_as, world):
    """A counter dossier has no applicant account behind it: the payment return used it as the
    actor of "record payment", and the workflow refused a missing actor with a 500."""
    from tests.conftest import Officer

    code = db_code(app, world.counter)
    intake, specialist = Officer(app, "intake1"), Officer(app, "specialist1")
    assert intake.act(code, "accept").status_code == 302
    assert intake.act(code, "assign", assignee=str(world.specialist1_id)).status_code == 302
    assert specialist.act(code, "request_payment", amount="20000", note="Lệ phí cấp bản sao").status_code == 302
    citizen = browser_as("citizen_a")
    gateway = citizen.post(f"/my/dossiers/{code}/pay").headers["Location"]
    page = citizen.get(gateway).get_data(as_text=True)
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page))
    back = citizen.post("/mock-gateway/pay", data={**fields, "outcome": "success"})
    response = citizen.get(back.headers["Location"])
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/my/dossiers/{code}")
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.code == code)).scalar_one()
        assert (dossier.status, dossier.payment_status) == ("in_process", "paid")
        assert dossier.events[-1].action == "record_payment" and dossier.events[-1].actor_role == "citizen"


def db_code(app, public_id: str) -> str:
    with app.app_context():
        return db.session.execute(select(Dossier.code).where(Dossier.public_id == public_id)).scalar_one()
