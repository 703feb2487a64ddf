"""What the citizen reads of linked procedure 2.002621 (issue 21, screenshot tour): no date is
promised for a component whose time has not started, the group's first state, the notes the
system writes in the reader's language, and each component's answers labelled for what they are."""
from __future__ import annotations

import re
import subprocess

from portal.dossiers.models import Dossier
from tests.conftest import Officer
from tests.linked.helpers import (
    BIRTH, CARD, RESIDENCE, approve, fill_linked, group_of, newborn_answers, submit_linked,
)

LINKED = "2.002621"
DATE = re.compile(r"\d\d/\d\d/\d{4}")


def _english(client) -> None:
    client.post("/language", data={"lang": "en", "next": "/"})


def _card(page: str, code: str) -> str:
    return page.split(f'data-component="{code}"', 1)[1].split("</li>", 1)[0]


def _row(page: str, code: str) -> str:
    return page.split(f'data-component="{code}"', 1)[1].split("</tr>", 1)[0]


def _waiting(birth: Dossier) -> str:
    return f"Starts when the result of “Birth registration” ({birth.code}) is signed."


def test_a_waiting_component_promises_no_date_anywhere(app, citizen, citizen_id, child_name, client):
    draft, _typed = fill_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    _english(citizen)
    check = citizen.get(f"/apply/{draft.public_id}/check").get_data(as_text=True)
    appointments = check.split("data-component-appointments", 1)[1].split("</div>", 1)[0]
    assert DATE.search(appointments.split(f'data-component="{BIRTH}"', 1)[1].split("</li>", 1)[0])
    for code in (RESIDENCE, CARD):
        line = appointments.split(f'data-component="{code}"', 1)[1].split("</li>", 1)[0]
        assert "Starts when the result of “Birth registration” is signed." in line and not DATE.search(line)
    response = citizen.post(f"/apply/{draft.public_id}/submit", data={"payment": "none"})
    group_code = re.search(r'data-dossier-code>([^<]+)<', citizen.get(response.headers["Location"]).get_data(as_text=True)).group(1)
    dossiers = group_of(app, group_code)
    waiting = _waiting(dossiers[BIRTH])

    for url in (f"/my/dossiers/{group_code}/submitted", f"/my/dossiers/{group_code}"):
        page = citizen.get(url).get_data(as_text=True)
        assert "Expected appointment" in _card(page, BIRTH)
        for code in (RESIDENCE, CARD):
            card = _card(page, code)
            assert waiting in card and "Expected appointment" not in card and not DATE.search(card)
    component = citizen.get(f"/my/dossiers/{dossiers[RESIDENCE].code}").get_data(as_text=True)
    facts = component.split('class="facts"', 1)[1].split("</dl>", 1)[0]
    assert waiting in facts and "Expected appointment" not in facts

    _english(client)
    track = client.get("/track", query_string={"code": group_code}).get_data(as_text=True)
    assert DATE.search(_row(track, BIRTH).rsplit("<td", 1)[1])
    for code in (RESIDENCE, CARD):
        appointment = _row(track, code).rsplit("<td", 1)[1]
        assert waiting in appointment and not DATE.search(appointment)
    body = {c["procedure_code"]: c for c in client.get(f"/api/v1/tracking/{group_code}").get_json()["components"]}
    assert body[BIRTH]["due_at"] is not None and body[BIRTH]["is_waiting"] is False
    for code in (RESIDENCE, CARD):
        assert body[code]["due_at"] is None and body[code]["is_waiting"] is True
        assert body[code]["waits_for"] == dossiers[BIRTH].code

    # Slip 01 (receipt) of the residence dossier says when its time starts, not a date.
    slip = citizen.get(f"/my/dossiers/{dossiers[RESIDENCE].code}/slip01.pdf")
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=slip.data, capture_output=True, check=True)
                    .stdout.decode().split())
    assert waiting in text
    appointment = text.split("Appointment for the result", 1)[1].split("How the result is returned", 1)[0]
    assert not DATE.search(appointment) and "(estimated)" not in appointment
    birth_slip = citizen.get(f"/my/dossiers/{dossiers[BIRTH].code}/slip01.pdf")
    birth_text = subprocess.run(["pdftotext", "-", "-"], input=birth_slip.data, capture_output=True, check=True).stdout.decode()
    assert DATE.search(" ".join(birth_text.split()).split("Appointment for the result", 1)[1][:80])

    # Once the birth registration is signed, the waiting ones are received and get their date.
    approve(app, dossiers[BIRTH].code, BIRTH)
    body = {c["procedure_code"]: c for c in client.get(f"/api/v1/tracking/{group_code}").get_json()["components"]}
    assert body[RESIDENCE]["is_waiting"] is False and body[RESIDENCE]["due_at"] is not None
    page = citizen.get(f"/my/dossiers/{group_code}").get_data(as_text=True)
    assert waiting not in page and DATE.search(_card(page, RESIDENCE))


def test_the_group_is_submitted_until_an_agency_receives_its_part(app, citizen, citizen_id, child_name, client):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    dossiers = group_of(app, group_code)
    _english(citizen)
    page = citizen.get(f"/my/dossiers/{group_code}").get_data(as_text=True)
    assert 'data-group-state="submitted">Submitted, waiting for the agencies to receive it<' in page
    assert client.get(f"/api/v1/tracking/{group_code}").get_json()["status"] == "submitted"
    assert Officer(app, "intake2").act(dossiers[BIRTH].code, "accept").status_code == 302
    page = citizen.get(f"/my/dossiers/{group_code}").get_data(as_text=True)
    assert 'data-group-state="processing">Being processed<' in page
    assert client.get(f"/api/v1/tracking/{group_code}").get_json()["status"] == "processing"


def test_the_receipt_note_reads_after_its_label_in_the_readers_language(app, citizen, citizen_id, child_name, client):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    dossiers = group_of(app, group_code)
    approve(app, dossiers[BIRTH].code, BIRTH)
    # Stored once, in Vietnamese, whatever language the approving officer used.
    event = next(e for e in group_of(app, group_code)[RESIDENCE].events if e.action == "receive_linked")
    assert "Đăng ký khai sinh" in event.public_note and dossiers[BIRTH].code in event.public_note
    note = f"“Birth registration” (dossier {dossiers[BIRTH].code}) has its result; the processing time counts from now."
    _english(citizen)
    _english(client)
    pages = {
        "group": citizen.get(f"/my/dossiers/{group_code}").get_data(as_text=True).split('class="timeline"', 1)[1],
        "component": citizen.get(f"/my/dossiers/{dossiers[RESIDENCE].code}").get_data(as_text=True)
        .split('class="timeline"', 1)[1],
        "tracking": client.get("/track", query_string={"code": group_code}).get_data(as_text=True)
        .split('class="timeline"', 1)[1],
        # Tracked by the component's own code, as its slip prints it.
        "component tracking": client.get("/track", query_string={"code": dossiers[RESIDENCE].code})
        .get_data(as_text=True).split('class="timeline"', 1)[1],
    }
    for where, timeline in pages.items():
        assert note in timeline, where
        assert "Đăng ký khai sinh" not in timeline and "thủ tục liên thông" not in timeline, where
    api = client.get(f"/api/v1/tracking/{group_code}").get_json()["timeline"]
    assert note in [t["note"] for t in api if t["code"] == dossiers[RESIDENCE].code]
    component = client.get(f"/api/v1/tracking/{dossiers[RESIDENCE].code}").get_json()["timeline"]
    assert note in [t["note"] for t in component]
    # In Vietnamese the stored note, unchanged.
    vietnamese = app.test_client().get(f"/api/v1/tracking/{dossiers[RESIDENCE].code}")
    assert event.public_note in [t["note"] for t in vietnamese.get_json()["timeline"]]


def test_the_residence_answers_say_whom_they_are_about_and_where_they_come_from(app, citizen, citizen_id, child_name):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    dossiers = group_of(app, group_code)
    assert dossiers[RESIDENCE].provenance["reason"] == "linked"
    _english(citizen)
    page = citizen.get(f"/my/dossiers/{dossiers[RESIDENCE].code}").get_data(as_text=True)
    titles = re.findall(r'<h2 class="summary-title">([^<]+)</h2>', page)
    assert "The person being registered and contact details" in titles and "About you" not in titles
    child = page.split("The person being registered and contact details", 1)[1].split("</dl>", 1)[0]
    assert child_name in child
    reason = page.split("Đăng ký thường trú cho trẻ vừa được đăng ký khai sinh", 1)[1].split("</dd>", 1)[0]
    assert "Set by the linked procedure" in reason and "national population database" not in reason
    officer = Officer(app, "intake1")
    officer.client.post("/language", data={"lang": "en", "next": "/"})
    page = officer.page(dossiers[RESIDENCE].code)
    assert "The person being registered and contact details" in page
    reason = page.split("Đăng ký thường trú cho trẻ vừa được đăng ký khai sinh", 1)[1].split("</dd>", 1)[0]
    assert "Set by the linked procedure" in reason and "Derived from" not in reason
    # Another dossier of the same procedure still asks "About you".
    assert citizen.get("/procedures/1.004222/apply").status_code == 302
    draft_page = citizen.get(citizen.get("/procedures/1.004222/apply").headers["Location"]).get_data(as_text=True)
    assert "About you" in draft_page


def test_locked_parents_have_no_typing_hint(app, citizen, citizen_id, person):
    assert citizen.get(f"/procedures/{LINKED}/apply").status_code == 302
    _english(citizen)
    page = citizen.get(citizen.get(f"/procedures/{LINKED}/apply").headers["Location"]).get_data(as_text=True)
    mother = page.split('for="mother-personal_id"', 1)[1].split('class="person-found"', 1)[0]
    assert "readonly" in mother or "disabled" in mother  # the register gives her: it cannot be changed
    assert "Enter the mother's personal ID number" not in page
    assert "Leave empty if the father is not established" not in page


def test_my_dossiers_says_when_the_only_submission_is_a_linked_one(app, citizen, citizen_id, child_name):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    _english(citizen)
    page = citizen.get("/my/dossiers").get_data(as_text=True)
    after_heading = page.split("<h2>Submitted dossiers</h2>", 1)[1]
    assert "Besides the linked dossiers above, you have not submitted a dossier." in after_heading
    assert group_code in page.split("<h2>Submitted dossiers</h2>", 1)[0]
