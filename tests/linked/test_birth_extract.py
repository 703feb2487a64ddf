"""The signed birth extract of a linked birth registration prints the child's personal ID, and
the components waiting for it get their declarations again with that ID (issue 21)."""
from __future__ import annotations

import html
import re
import subprocess

from portal.dossiers.models import StoredDocument
from portal.dossiers.storage import file_store
from portal.extensions import db
from portal.registry import EXTENSION_KEY, FailingRegistryClient, get_registry
from portal.workflow.declaration import AWAITED
from tests.linked.helpers import (
    BIRTH,
    CARD,
    RESIDENCE,
    approve,
    group_of,
    newborn_answers,
    register_person,
    submit_linked,
    team,
)
from tests.results.helpers import user_id

LINKED = "2.002621"


def _text(app, document_id: int) -> str:
    with app.app_context():
        data = file_store().read(db.session.get(StoredDocument, document_id).storage_name)
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def _declaration(app, dossier) -> str:
    documents = [a.document for a in dossier.attachments if a.source == "eform"]
    assert len(documents) == 1, "one generated declaration, the newest"
    return _text(app, documents[0].id)


def test_the_extract_prints_the_childs_id_and_the_waiting_declarations_get_it(app, register, citizen, citizen_id,
                                                                              child_name):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    before = group_of(app, group_code)
    assert AWAITED in " ".join(_declaration(app, before[RESIDENCE]).split())
    approve(app, before[BIRTH].code, BIRTH)
    after = group_of(app, group_code)
    child = register_person(register, child_name)
    birth = after[BIRTH]
    assert birth.answers["child_personal_id"] == child.personal_id and birth.provenance["child_personal_id"] == "registry"
    extract = _text(app, birth.result_document_id)
    child_part = extract.split("Người mẹ")[0]
    assert re.search(rf"Số định danh cá nhân:\s+{child.personal_id}", child_part)
    # Quê quán: the father's, whose surname the child takes, when the register knows him.
    with app.app_context():
        father = get_registry().get_person(birth.answers["father"]["personal_id"])
    assert re.search(rf"Quê quán:\s+{re.escape(father.hometown)}", child_part)
    # The agency's name is not broken inside the place: "PHƯỜNG BA ĐÌNH" stays on one line.
    assert "ỦY BAN NHÂN DÂN" in extract and "PHƯỜNG BA ĐÌNH" in extract
    # The waiting components were given the same ID, and their declarations print it.
    assert after[RESIDENCE].answers["personal_id"] == child.personal_id
    ct01, tk1 = _declaration(app, after[RESIDENCE]), _declaration(app, after[CARD])
    for text in (ct01, tk1):
        assert child.personal_id in text and AWAITED not in " ".join(text.split())
    # Declared when submitted, and the place-and-date line is one line.
    assert re.search(r"\w, ngày \d\d tháng \d\d năm \d{4}", ct01)


def test_a_register_outage_at_the_births_approval_signs_nothing(app, register, citizen, citizen_id, child_name):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    code = group_of(app, group_code)[BIRTH].code
    officers = team(app, BIRTH)
    assert officers["intake"].act(code, "accept").status_code == 302
    assert officers["intake"].act(code, "assign", assignee=str(user_id(app, "specialist2"))).status_code == 302
    assert officers["specialist"].act(code, "propose_result", note="Đủ điều kiện.").status_code == 302
    working = app.extensions[EXTENSION_KEY]
    app.extensions[EXTENSION_KEY] = FailingRegistryClient()
    try:
        response = officers["leader"].act(code, "approve")
    finally:
        app.extensions[EXTENSION_KEY] = working
    assert response.status_code == 422
    assert "The population register does not answer" in html.unescape(response.get_data(as_text=True)) \
        or "không phản hồi" in html.unescape(response.get_data(as_text=True))
    after = group_of(app, group_code)
    assert after[BIRTH].status == "pending_approval" and after[BIRTH].result_document_id is None
    assert "child_personal_id" not in after[BIRTH].answers and register_person(register, child_name) is None
    assert after[RESIDENCE].status == "submitted"
    # Once the register answers, the same approval signs with the child's ID.
    assert officers["leader"].act(code, "approve").status_code == 302
    child = register_person(register, child_name)
    assert group_of(app, group_code)[BIRTH].answers["child_personal_id"] == child.personal_id


def test_a_standalone_birth_extract_prints_no_child_id_and_the_fathers_hometown(app, make_dossier, register):
    from tests.paperwork.pdf_text import text_of
    from tests.results.helpers import approve as approve_alone, dossier_of

    code = make_dossier("1.001193")
    _, pdf = approve_alone(app, code, "1.001193")
    dossier = dossier_of(app, code)
    text = text_of(pdf)
    assert "child_personal_id" not in dossier.answers  # a birth outside a group writes nothing to the register
    assert text.count("Số định danh cá nhân") == sum(1 for role in ("mother", "father") if dossier.answers.get(role))
    father_id = (dossier.answers.get("father") or {}).get("personal_id")
    with app.app_context():
        father = get_registry().get_person(father_id) if father_id else None
    assert father is not None and f"Quê quán: {father.hometown}" in text
