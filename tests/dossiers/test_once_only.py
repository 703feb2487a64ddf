"""Once only (issue 17): every procedure walked as a first-time and as a returning citizen,
counting what the citizen must still type or choose and what they must upload.

A required field counts when it is on show and empty when its step opens: what the register
fills (locked or derived), what earlier dossiers give (reused) and the optional fields do not.
The delivery choice counts as one. An upload counts when no stored document is offered for it;
an offered one is ticked instead. The figures are the README's table ("Once only")."""
from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.eforms.definitions import get_form_definition
from portal.extensions import db
from tests.dossiers.helpers import PDF, answer_for, current_draft, submitted

_FILES = itertools.count(1)  # every walk scans a new paper: never the same bytes twice
PROCEDURES = ("1.004222", "1.004194", "1.001193", "1.004873", "2.000505", "2.000720")


@dataclass
class Walk:
    typed: list[str]
    uploads: list[str]
    reused_documents: list[str]
    code: str = ""


def _form_value(field: Any, value: Any) -> dict[str, str]:
    """What the page sends back for a value it shows already."""
    if field.type == "address":
        return {f"{field.key}-province": str(value["province_code"]), f"{field.key}-ward": str(value["ward_code"]),
                f"{field.key}-street": value["street"]}
    if field.type == "person":
        return {f"{field.key}-personal_id": value["personal_id"]}
    if field.type == "yesno":
        return {field.key: "yes" if value else "no"}
    return {field.key: str(value)}


def walk(app, client, code: str, citizen_id: str, other_id: str, choices: dict[str, Any] | None = None) -> Walk:
    choices = choices or {}
    assert client.get(f"/procedures/{code}/apply").status_code == 302
    draft = current_draft(app, citizen_id)
    result = Walk([], [], [])
    for step in get_form_definition(code).steps:
        dossier = current_draft(app, citizen_id)
        page = client.get(f"/apply/{dossier.public_id}/steps/{step.key}").get_data(as_text=True)
        known, data = dict(dossier.answers), {}
        for field in step.fields:
            if not field.is_visible(known):
                continue
            if field.type == "file":
                if not field.required:
                    continue
                offered = re.findall(rf'name="{field.key}-reuse" value="(\d+)"', page)
                if offered:
                    data[f"{field.key}-reuse"] = offered[0]
                    result.reused_documents.append(field.key)
                else:
                    data[field.key] = (io.BytesIO(PDF.replace(b"%%EOF", b"%" + f"{field.key}-{next(_FILES)}".encode() + b"\n%%EOF")), "scan.pdf")
                    result.uploads.append(field.key)
                continue
            if field.key in dossier.locked:
                continue
            if known.get(field.key) not in (None, "") and field.key not in choices:
                data.update(_form_value(field, known[field.key]))  # filled in: the citizen only checks it
                continue
            if not field.required and field.key not in choices:
                continue
            result.typed.append(field.key)
            chosen = choices.get(field.key)
            answer = chosen if isinstance(chosen, dict) else {field.key: chosen} if chosen else answer_for(field, other_id)
            data.update(answer)
            known[field.key] = answer.get(field.key, True)
        response = client.post(f"/apply/{dossier.public_id}/steps/{step.key}", data=data,
                               content_type="multipart/form-data")
        assert response.status_code == 302, (step.key, re.findall(r'field-error[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S))
    result.typed.append("delivery")
    assert client.post(f"/apply/{draft.public_id}/delivery", data={"delivery": "online"}).status_code == 302
    response = client.post(f"/apply/{draft.public_id}/submit", data={"payment": "later"})
    if response.status_code == 422 or "/mock-gateway/" in response.headers.get("Location", ""):
        response = client.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"})
        gateway = client.get(response.headers["Location"]).get_data(as_text=True)
        fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', gateway))
        back = client.post("/mock-gateway/pay", data={**fields, "outcome": "success"})
        client.get(back.headers["Location"])
    result.code = submitted(app, draft.public_id).code
    assert result.code, f"{code} was not submitted"
    return result


@pytest.mark.parametrize("basis", ["owned", "relative", "rented"])
def test_permanent_residence_first_time_in_each_case(app, citizen, citizen_id, person, basis):
    first = walk(app, citizen, "1.004222", citizen_id, person.spouse_id, {"residence_basis": basis})
    assert len(first.typed) <= 5, first.typed
    print(f"\nONCE-ONLY 1.004222 {basis}: {first.typed} uploads {first.uploads}")
    assert len(first.uploads) <= 1, first.uploads
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.code == first.code)).scalar_one()
        assert dossier.provenance["phone"] == "derived"  # from the register's VNeID profile
        if basis == "relative":  # the household joined gives the address, the register the relation
            assert dossier.provenance["new_address"] == "derived"
            assert dossier.answers["relation_to_new_head"] in ("Vợ", "Chồng")
        assert "ct01" in {a.document_key for a in dossier.attachments if a.source == "eform"}


def test_permanent_residence_after_temporary_residence_at_the_same_home(app, citizen, citizen_id, person):
    earlier = walk(app, citizen, "1.004194", citizen_id, person.spouse_id)
    returning = walk(app, citizen, "1.004222", citizen_id, person.spouse_id, {"residence_basis": "owned"})
    assert len(returning.typed) <= 2, returning.typed
    assert returning.uploads == [] and returning.reused_documents == ["doc_legal_residence"]
    with app.app_context():
        home = db.session.execute(select(Dossier).where(Dossier.code == earlier.code)).scalar_one().answers["temporary_address"]
        dossier = db.session.execute(select(Dossier).where(Dossier.code == returning.code)).scalar_one()
        assert dossier.answers["new_address"] == home and dossier.provenance["new_address"] == "profile"


COUNTS: dict[str, tuple[int, int, int, int]] = {}


@pytest.mark.parametrize("code", PROCEDURES)
def test_every_procedure_first_time_and_returning(app, citizen, citizen_id, person, code):
    first = walk(app, citizen, code, citizen_id, person.spouse_id)
    again = walk(app, citizen, code, citizen_id, person.spouse_id)
    definition = get_form_definition(code)
    assert definition.declaration and definition.declaration not in {f.document for f in definition.file_fields}
    assert again.uploads == []  # nothing held already is uploaded again
    assert len(again.typed) <= len(first.typed)
    COUNTS[code] = (len(first.typed), len(again.typed), len(first.uploads), len(again.uploads))
    print(f"\nONCE-ONLY {code}: first {first.typed} uploads {first.uploads}; returning {again.typed} "
          f"uploads {again.uploads} reused {again.reused_documents}")
