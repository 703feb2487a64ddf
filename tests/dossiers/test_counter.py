"""A one-stop officer enters a counter dossier for a walk-in citizen with the same e-form."""
from __future__ import annotations

import re

from portal.registry import get_registry
from tests.conftest import login_citizen, login_officer
from tests.dossiers.helpers import current_draft, fill_all_steps, submitted


def test_officer_enters_a_counter_dossier_with_register_prefill(app, client, citizen_id):
    with app.app_context():
        person = get_registry().get_person(citizen_id)
    login_officer(client, "intake1")
    assert "Tiếp nhận hồ sơ tại quầy" in client.get("/").get_data(as_text=True)
    response = client.post("/officer/counter/new", data={"procedure": "1.004194", "personal_id": citizen_id})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'value="{person.full_name}"' in page and 'data-prefilled="registry"' in page
    assert "do Bộ phận Một cửa nhập" in page
    dossier = current_draft(app, citizen_id, channel="counter")
    fill_all_steps(app, client, dossier, person.spouse_id)
    client.post(f"/apply/{dossier.public_id}/delivery", data={"delivery": "counter"})
    response = client.post(f"/apply/{dossier.public_id}/submit")
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    code = re.search(r"data-dossier-code>([^<]+)<", receipt).group(1)
    saved = submitted(app, dossier.public_id)
    assert saved.code == code and saved.channel == "counter" and saved.status == "submitted"
    assert saved.fee_amount == 15_000  # the counter fee, and no online discount
    assert saved.estimated_due_at == saved.estimated_legal_due_at
    assert saved.provenance["months"] == "officer"  # typed by the officer
    assert saved.provenance["phone"] == "derived"  # the register's contact phone, kept (issue 17)
    assert saved.events[0].actor_role == "intake"
    slip = client.get(f"/officer/counter/{dossier.public_id}/slip01.pdf")
    assert slip.status_code == 200 and slip.mimetype == "application/pdf"
    # The citizen sees the counter dossier among their own.
    client.post("/logout")
    login_citizen(client, citizen_id)
    assert code in client.get("/my/dossiers").get_data(as_text=True)


def test_counter_form_checks_its_input(client):
    login_officer(client, "intake1")
    response = client.post("/officer/counter/new", data={"procedure": "2.000505", "personal_id": "123"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Hãy chọn một thủ tục của cơ quan bạn." in page  # 2.000505 belongs to another agency
    assert "Nhập số định danh cá nhân 12 chữ số của công dân." in page
    assert 'value="123"' in page


def test_counter_entry_is_for_intake_officers_only(client, citizen_id):
    login_officer(client, "specialist1")
    assert client.get("/officer/counter/new").status_code == 403
    client.post("/logout")
    login_citizen(client, citizen_id)
    assert client.get("/officer/counter/new").status_code == 403


def test_other_agencies_cannot_open_a_counter_draft(app, client, citizen_id):
    login_officer(client, "intake1")
    client.post("/officer/counter/new", data={"procedure": "1.004194", "personal_id": citizen_id})
    dossier = current_draft(app, citizen_id, channel="counter")
    client.post("/logout")
    login_officer(client, "intake2")
    assert client.get(f"/apply/{dossier.public_id}/check").status_code == 404
