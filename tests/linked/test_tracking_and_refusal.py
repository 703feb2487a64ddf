"""Tracking a linked dossier by its group code, and what a refusal of one component does to the
others (issue 21)."""
from __future__ import annotations

import subprocess

from flask_babel import force_locale
from openapi_schema_validator import OAS31Validator

from portal.workflow.linked import procedure_name
from tests.conftest import Officer
from tests.linked.helpers import BIRTH, CARD, RESIDENCE, approve, group_of, newborn_answers, submit_linked

LINKED = "2.002621"


def _pdf_text(data: bytes) -> str:
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())


def _validate(client, body: dict, name: str) -> None:
    schema = client.get("/api/openapi.json").get_json()
    OAS31Validator({**schema["components"]["schemas"][name], "components": schema["components"]}).validate(body)


def test_tracking_by_the_group_code_lists_every_component(app, citizen, citizen_id, child_name, client):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    dossiers = group_of(app, group_code)
    body = client.get(f"/api/v1/tracking/{group_code}").get_json()
    _validate(client, body, "LinkedTracking")
    assert body["code"] == group_code and body["procedure_code"] == LINKED and body["status"] == "submitted"
    assert "*" in body["applicant"]
    components = {c["procedure_code"]: c for c in body["components"]}
    assert list(components) == [BIRTH, RESIDENCE, CARD]
    for code, dossier in dossiers.items():
        assert components[code]["code"] == dossier.code
        assert components[code]["agency"] == dossier.agency.name_vi
        assert components[code]["status"] == "submitted" and components[code]["status_code"] == 1
    assert components[RESIDENCE]["waits_for"] == dossiers[BIRTH].code and components[BIRTH]["waits_for"] is None
    assert {t["code"] for t in body["timeline"]} == {d.code for d in dossiers.values()}
    # A component's own code still tracks that one dossier.
    single = client.get(f"/api/v1/tracking/{dossiers[CARD].code}").get_json()
    assert single["code"] == dossiers[CARD].code and "components" not in single
    # The public page shows the same, for anyone holding the code.
    page = client.get("/track", query_string={"code": group_code.lower()}).get_data(as_text=True)
    for dossier in dossiers.values():
        assert dossier.code in page and dossier.agency.name_vi in page
    assert "mã trạng thái quốc gia 1" in page or "national status code 1" in page


def test_tracking_follows_the_birth_approval(app, citizen, citizen_id, child_name, client):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    dossiers = group_of(app, group_code)
    approve(app, dossiers[BIRTH].code, BIRTH)
    body = client.get(f"/api/v1/tracking/{group_code}").get_json()
    _validate(client, body, "LinkedTracking")
    codes = {c["procedure_code"]: (c["status_code"], c["waits_for"], c["is_due_estimated"]) for c in body["components"]}
    assert codes == {BIRTH: (9, None, False), RESIDENCE: (2, None, False), CARD: (2, None, False)}


def test_a_refused_birth_registration_stops_the_components_waiting_for_it(app, citizen, citizen_id, child_name, client):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    dossiers = group_of(app, group_code)
    reason = "Giấy chứng sinh không khớp với cơ sở y tế đã cấp."
    assert Officer(app, "intake2").act(dossiers[BIRTH].code, "refuse", note=reason).status_code == 302
    after = group_of(app, group_code)
    assert after[BIRTH].status == "not_accepted"
    for code in (RESIDENCE, CARD):
        assert after[code].status == "stopped" and after[code].clock == []
        event = after[code].events[-1]
        assert event.action == "stop_linked" and reason in event.public_note and after[BIRTH].code in event.public_note
    # The police issue slip 05 (notice of stopping) for their component, with the reason.
    slip = Officer(app, "intake1").client.get(f"/officer/dossiers/{after[RESIDENCE].code}/slips/05.pdf")
    assert slip.status_code == 200 and reason in _pdf_text(slip.data)
    body = client.get(f"/api/v1/tracking/{group_code}").get_json()
    assert body["status"] == "ended"
    assert {c["procedure_code"]: c["status_code"] for c in body["components"]} == {BIRTH: 3, RESIDENCE: 8, CARD: 8}
    # The citizen reads, in their language, what the refusal means for the other procedures.
    for lang in ("vi", "en"):
        citizen.post("/language", data={"lang": lang, "next": "/"})
        page = citizen.get(f"/my/dossiers/{group_code}").get_data(as_text=True)
        with app.test_request_context(), force_locale(lang):
            from flask_babel import gettext as _

            names = ", ".join(f"“{procedure_name(after[c], lang)}”" for c in (RESIDENCE, CARD))
            consequence = _("Because this ended without a result, %(names)s cannot be processed and are stopped with "
                            "the same reason.", names=names)
            cause = _("Stopped because “%(procedure)s” (%(code)s), whose result it needs, ended without one.",
                      procedure=procedure_name(after[BIRTH], lang), code=after[BIRTH].code)
        assert consequence in page
        assert page.count(cause) == 2 and reason in page
    assert "Permanent residence registration" in page and "Health insurance card for a child under six" in page
    history = page.split('class="timeline"', 1)[1]
    assert history.index("Not accepted") < history.index("Processing stopped")  # the cause, then what it did
    assert all(c["due_at"] is None for c in body["components"])  # nothing is due any more


def test_a_refused_card_leaves_the_birth_and_residence_going(app, citizen, citizen_id, child_name):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    dossiers = group_of(app, group_code)
    approve(app, dossiers[BIRTH].code, BIRTH)
    approve(app, dossiers[CARD].code, CARD, refusal=True, note="Trẻ đã có thẻ bảo hiểm y tế còn giá trị.")
    after = group_of(app, group_code)
    assert after[CARD].status == "result_ready" and after[CARD].is_result_refusal
    assert after[RESIDENCE].status == "accepted" and after[BIRTH].status == "result_ready"
    citizen.post("/language", data={"lang": "en", "next": "/"})
    page = citizen.get(f"/my/dossiers/{group_code}").get_data(as_text=True)
    assert "The other procedures of this linked dossier are not affected: they go on." in page


def test_another_citizen_does_not_find_someone_elses_linked_dossier(app, citizen, citizen_id, person, child_name):
    from tests.conftest import login_citizen

    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    other = app.test_client()
    login_citizen(other, person.spouse_id)
    for url in (f"/my/dossiers/{group_code}", f"/my/dossiers/{group_code}/submitted"):
        assert other.get(url).status_code == 404
    assert group_code not in other.get("/my/dossiers").get_data(as_text=True)
    tracked = app.test_client().get("/track", query_string={"code": group_code}).get_data(as_text=True)
    assert person.full_name not in tracked  # masked, as for any dossier
