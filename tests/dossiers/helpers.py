"""Filling an e-form through the web pages, as a citizen would, from its definition."""
from __future__ import annotations

import io
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.eforms.definitions import get_form_definition
from portal.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TEXT = "Hộ kinh doanh Hoa Mai"


def answer_for(field: Any, person_id: str) -> dict[str, str]:
    """A valid typed answer for a field that is not filled from the register."""
    kind = field.type
    if kind == "address":
        return {f"{field.key}-province": "1", f"{field.key}-ward": "4", f"{field.key}-street": "Số 12 phố Đội Cấn"}
    if kind == "person":
        return {f"{field.key}-personal_id": person_id}
    value = {
        "number": "5",
        "date": "2020-03-15",
        "yesno": "no",
        "email": "cong.dan@example.vn",
        "phone": "0912345678",
    }.get(kind, TEXT)
    if kind == "select":
        value = str(field.options[0].value)
    return {field.key: value}


def step_form(step: Any, dossier: Dossier, person_id: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in step.fields:
        if field.type == "file":
            if field.required:
                data[field.key] = (io.BytesIO(PDF), "scan.pdf")
        elif dossier.provenance.get(field.key) == "derived" and isinstance(dossier.answers.get(field.key), str):
            data[field.key] = dossier.answers[field.key]  # what the register answers (issue 17), kept
        elif field.key not in dossier.locked and any(dossier.answers.get(k) for k in field.validators.get("one_of_answers", ())):
            # a choice between earlier answers (the child's ethnicity when the parents' differ)
            data[field.key] = next(dossier.answers[k] for k in field.validators["one_of_answers"] if dossier.answers.get(k))
        elif field.key not in dossier.locked:
            data.update(answer_for(field, person_id))
    return data


def current_draft(app, personal_id: str, channel: str = "online") -> Dossier:
    with app.app_context():
        dossier = db.session.execute(
            select(Dossier)
            .where(Dossier.applicant_personal_id == personal_id, Dossier.channel == channel)
            .order_by(Dossier.id.desc())
        ).scalars().first()
        db.session.expunge(dossier)
        return dossier


def _reloaded(app, dossier: Dossier) -> Dossier:
    with app.app_context():
        fresh = db.session.get(Dossier, dossier.id)
        db.session.expunge(fresh)
        return fresh


def fill_all_steps(app, client: FlaskClient, dossier: Dossier, person_id: str) -> None:
    for step in get_form_definition(dossier.procedure_snapshot["code"]).steps:
        dossier = _reloaded(app, dossier)  # an earlier step may have prefilled this one's answers
        response = client.post(
            f"/apply/{dossier.public_id}/steps/{step.key}",
            data=step_form(step, dossier, person_id),
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, (step.key, re.findall(r'field-error[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S))


def apply_until_check(app, client: FlaskClient, code: str, citizen_id: str, other_id: str, delivery: str = "online") -> Dossier:
    response = client.get(f"/procedures/{code}/apply")
    assert response.status_code == 302
    dossier = current_draft(app, citizen_id)
    fill_all_steps(app, client, dossier, other_id)
    data = {"delivery": delivery}
    if delivery == "post":
        data.update({"delivery_address-province": "1", "delivery_address-ward": "70", "delivery_address-street": "Số 5 phố Tràng Tiền"})
    response = client.post(f"/apply/{dossier.public_id}/delivery", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith("/check")
    return dossier


def submit_online(app, client: FlaskClient, procedure: str, citizen_id: str, other_id: str, delivery: str = "online") -> str:
    """Apply and submit as the signed-in citizen, paying on the mock gateway when the fee cannot
    wait; returns the dossier's code."""
    draft = apply_until_check(app, client, procedure, citizen_id, other_id, delivery=delivery)
    response = client.post(f"/apply/{draft.public_id}/submit", data={"payment": "later"})
    if response.status_code == 422 or "/mock-gateway/" in response.headers.get("Location", ""):
        response = client.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"})
        gateway = client.get(response.headers["Location"]).get_data(as_text=True)
        fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', gateway))
        back = client.post("/mock-gateway/pay", data={**fields, "outcome": "success"})
        client.get(back.headers["Location"])
    return submitted(app, draft.public_id).code


def submitted(app, public_id: str) -> Dossier:
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.public_id == public_id)).scalar_one()
        _ = (dossier.attachments, dossier.events, dossier.agency)
        for a in dossier.attachments:
            _ = a.document
        db.session.expunge_all()
        return dossier
