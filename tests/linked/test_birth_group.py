"""Linked procedure 2.002621 (issue 21): a parent registers a birth, the child's permanent
residence and the child's health-insurance card with one e-form; each agency gets its own
dossier in its own queues; residence and the card wait for the child's personal ID, which the
register gives when the birth registration is signed, and their clocks start then."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.deadlines import VN_TZ
from portal.dossiers.models import DossierGroup
from portal.extensions import db
from portal.registry import get_registry
from portal.timeutil import from_db
from tests.conftest import Officer
from tests.linked.helpers import (
    AGENCIES, BIRTH, CARD, RESIDENCE, TEAMS, approve, fill_linked, group_of, newborn_answers, register_person,
    submit_linked,
)

LINKED = "2.002621"


def test_one_e_form_asks_each_fact_once_and_prefills_the_parents(app, citizen, citizen_id, person, child_name):
    draft, typed = fill_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    # The parents, the applicant, the household joined and its address come from the register;
    # the citizen types only what no register holds: the child, where it was born, the clinic.
    assert set(typed) <= {"child_full_name", "child_date_of_birth", "child_sex", "birth_place", "hospital",
                          "child_ethnicity"}
    assert draft.provenance["mother"] == draft.provenance["father"] == "registry"
    assert draft.provenance["new_household_head"] == "derived"
    assert draft.answers["new_household_head"]["personal_id"] == person.household.head_id
    page = citizen.get(f"/apply/{draft.public_id}/check").get_data(as_text=True)
    assert page.count(child_name) == 1  # the child is named once, for the three procedures
    sent_to = page.split("data-linked-components", 1)[1].split("</ul>", 1)[0]
    for agency in ("Ủy ban nhân dân phường Ba Đình", "Công an phường Ba Đình", "Bảo hiểm xã hội Thành phố Hà Nội"):
        assert agency in sent_to


def test_submission_makes_one_group_and_a_dossier_per_agency(app, citizen, citizen_id, person, child_name):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    assert group_code.startswith("000.09.19.H26-")  # the civil-status agency receives the group
    dossiers = group_of(app, group_code)
    assert set(dossiers) == {BIRTH, RESIDENCE, CARD}
    for code, dossier in dossiers.items():
        assert dossier.agency.code == AGENCIES[TEAMS[code]] and dossier.code.startswith(dossier.agency.code)
        assert dossier.status == "submitted" and dossier.clock == []
        assert dossier.fee_amount == 0 and dossier.payment_status == "none"
    assert len({d.code for d in dossiers.values()} | {group_code}) == 4
    # Each component has its own declaration, made from the one set of answers.
    declarations = {code: {a.document_key for a in d.attachments if a.source == "eform"} for code, d in dossiers.items()}
    assert declarations == {BIRTH: {"birth_form"}, RESIDENCE: {"ct01"}, CARD: {"tk1_ts"}}
    assert {a.document_key for a in dossiers[BIRTH].attachments if a.source == "upload"} == {"birth_certificate_medical"}
    assert dossiers[RESIDENCE].answers["full_name"] == dossiers[CARD].answers["child_full_name"] == child_name
    assert dossiers[RESIDENCE].procedure_snapshot["fee_exemption_vi"].startswith("Trẻ em được miễn lệ phí")
    assert dossiers[RESIDENCE].linked.waits_for_id == dossiers[CARD].linked.waits_for_id == dossiers[BIRTH].id
    # A waiting component is expected after the birth registration's appointment, not before.
    assert dossiers[RESIDENCE].estimated_due_at > dossiers[BIRTH].estimated_due_at
    # The confirmation page lists the three agencies.
    page = citizen.get(f"/my/dossiers/{group_code}/submitted").get_data(as_text=True)
    for dossier in dossiers.values():
        assert dossier.code in page and dossier.agency.name_vi in page
    with app.app_context():
        assert db.session.execute(select(DossierGroup).where(DossierGroup.code == group_code)).scalar_one().channel == "online"


def test_each_agency_sees_its_component_and_a_waiting_one_cannot_be_accepted(app, citizen, citizen_id, child_name):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    dossiers = group_of(app, group_code)
    for code, dossier in dossiers.items():
        queue = Officer(app, f"intake{TEAMS[code]}").client.get("/officer/queues/intake").get_data(as_text=True)
        listed = set(re.findall(r'href="/officer/dossiers/([^"]+)"', queue))
        assert dossier.code in listed
        assert not listed & {d.code for c, d in dossiers.items() if TEAMS[c] != TEAMS[code]}
    police = Officer(app, "intake1")
    police.client.post("/language", data={"lang": "en", "next": "/"})
    queue = police.client.get("/officer/queues/intake").get_data(as_text=True)
    row = queue.split(dossiers[RESIDENCE].code, 1)[1].split("</tr>", 1)[0]
    assert ("Waits for the result of “Birth registration” (People&#39;s Committee of Ba Dinh Ward, dossier "
            f"{dossiers[BIRTH].code}): its processing time has not started") in row
    assert "Over the 8-hour intake norm" not in queue.split(dossiers[RESIDENCE].code, 1)[1].split("</tr>", 1)[0]
    page = police.page(dossiers[RESIDENCE].code)
    assert "actions/accept" not in page and f"Waits for the result of Birth registration ({dossiers[BIRTH].code})" in page
    refused = police.act(dossiers[RESIDENCE].code, "accept")
    assert refused.status_code == 422 and "it is received when that result is signed" in refused.get_data(as_text=True)
    assert group_of(app, group_code)[RESIDENCE].clock == []


def test_approving_the_birth_registers_the_child_and_starts_the_waiting_clocks(app, register, citizen, citizen_id, person,
                                                                               child_name):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    dossiers = group_of(app, group_code)
    before = datetime.now(VN_TZ) - timedelta(seconds=1)
    approve(app, dossiers[BIRTH].code, BIRTH)
    after = group_of(app, group_code)
    child = register_person(register, child_name)
    assert child is not None and child.mother_id in (person.personal_id, person.spouse_id)
    assert child.personal_id[:3] == "001" and child.personal_id[3] == "3"  # Hà Nội; a girl born in the 2000s
    with app.app_context():
        assert get_registry().get_person(child.personal_id).full_name == child_name
    for code in (RESIDENCE, CARD):
        dossier = after[code]
        assert dossier.status == "accepted" and dossier.linked.released_at is not None
        assert [e.kind for e in dossier.clock] == ["start"]
        started = from_db(dossier.clock[0].at)
        assert started >= before and started >= from_db(after[BIRTH].completed_at)  # not before the birth's result
        assert from_db(dossier.accepted_at) == started and dossier.due_at is not None
        assert dossier.events[-1].action == "receive_linked" and dossier.events[-1].actor_role == "system"
    assert after[RESIDENCE].answers["personal_id"] == child.personal_id
    assert after[RESIDENCE].provenance["personal_id"] == "registry"
    assert after[CARD].answers["child"]["personal_id"] == child.personal_id
    # The police can now work on it: assign is offered, accept no longer needed.
    page = Officer(app, "intake1").page(after[RESIDENCE].code)
    assert "actions/assign" in page


def test_the_citizen_sees_one_timeline_with_every_component(app, register, citizen, citizen_id, child_name):
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    dossiers = group_of(app, group_code)
    approve(app, dossiers[BIRTH].code, BIRTH)
    officers = Officer(app, "intake2")
    assert officers.act(dossiers[BIRTH].code, "return_online").status_code == 302
    listing = citizen.get("/my/dossiers").get_data(as_text=True)
    assert group_code in listing
    page = citizen.get(f"/my/dossiers/{group_code}").get_data(as_text=True)
    for dossier in dossiers.values():
        assert dossier.code in page
    assert f"/my/dossiers/{dossiers[BIRTH].code}/result.pdf" in page  # the birth extract, downloadable
    cards = {code: page.split(f'data-component="{code}"', 1)[1].split("</li>", 1)[0] for code in dossiers}
    assert 'data-status="returned"' in cards[BIRTH] and "Đã trả kết quả" in cards[BIRTH]
    for code in (RESIDENCE, CARD):  # received by their agencies when the birth was registered
        assert 'data-status="accepted"' in cards[code] and "Được tiếp nhận (mã trạng thái quốc gia 2)" in cards[code]
    timeline = page.split("timeline", 1)[1]
    assert timeline.index(dossiers[BIRTH].code) < timeline.index(dossiers[RESIDENCE].code)  # in the order it happened
    component = citizen.get(f"/my/dossiers/{dossiers[RESIDENCE].code}").get_data(as_text=True)
    assert group_code in component
