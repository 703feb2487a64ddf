"""The population register fails while a citizen is half-way through a form: the form stays
usable, asks for what the register would have given, the dossier goes in flagged unverified and
the officer is told to check the identity data (DESIGN §3, e-forms issue). An outage before
the form starts is tested in tests/dossiers/test_apply.py."""
from __future__ import annotations

import re

from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.eforms.definitions import get_form_definition
from portal.extensions import db
from portal.registry.client import FailingRegistryClient
from tests.conftest import Officer
from tests.dossiers.helpers import current_draft, step_form


def test_the_register_failing_half_way_leaves_a_dossier_flagged_for_the_officer(app, citizen, citizen_id, person, monkeypatch):
    citizen.get("/procedures/1.004194/apply")  # the register answers: the applicant step is prefilled
    draft = current_draft(app, citizen_id)
    assert draft.locked and not draft.is_registry_unverified
    with app.app_context():
        from portal.registry import get_registry

        host = get_registry().get_person(person.spouse_id)
    monkeypatch.setitem(app.extensions, "registry_client", FailingRegistryClient())

    lookup = citizen.get(f"/eforms/person?personal_id={host.personal_id}")
    assert lookup.status_code == 503 and lookup.get_json()["error"] == "CSDL quốc gia về dân cư hiện không truy cập được."
    for step in get_form_definition("1.004194").steps:
        data = step_form(step, draft, host.personal_id)
        response = citizen.post(f"/apply/{draft.public_id}/steps/{step.key}", data=data, content_type="multipart/form-data")
        if any(field.type == "person" for field in step.fields):
            # Without the register the name and date of birth are asked for, next to the field.
            assert response.status_code == 422
            assert "Hiện không kết nối được CSDL quốc gia về dân cư" in response.get_data(as_text=True)
            people = {f"{field.key}-{part}": value for field in step.fields if field.type == "person"
                      for part, value in (("full_name", host.full_name), ("date_of_birth", host.date_of_birth.isoformat()))}
            response = citizen.post(f"/apply/{draft.public_id}/steps/{step.key}", data={**data, **people},
                                    content_type="multipart/form-data")
        assert response.status_code == 302, step.key
    citizen.post(f"/apply/{draft.public_id}/delivery", data={"delivery": "online"})
    gateway = citizen.get(citizen.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"}).headers["Location"])
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', gateway.get_data(as_text=True)))
    assert citizen.get(citizen.post("/mock-gateway/pay", data={**fields, "outcome": "success"}).headers["Location"]).status_code == 302

    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.id == draft.id)).scalar_one()
        assert dossier.status == "submitted" and dossier.is_registry_unverified
        assert dossier.answers["host"]["full_name"] == host.full_name and dossier.provenance["host"] == "citizen"
        code = dossier.code
    page = Officer(app, "intake1").page(code)
    assert "Thông tin chưa được xác thực với CSDL." in page
