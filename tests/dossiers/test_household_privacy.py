"""The home address of a household chosen by personal ID is filled in only for the applicant's
relatives as the register links them; for anyone else the citizen types it, and the check
against the register never shows the register's address (review of issue 17)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.registry.models import Person
from portal.registry import get_registry
from portal.registry.store import get_engine
from tests.dossiers.helpers import current_draft


def _stranger(register: str, person) -> str:
    """Someone in the register, not linked to the applicant, in another household."""
    related = {person.personal_id, person.spouse_id, person.father_id, person.mother_id}
    with Session(get_engine(register)) as session:
        for candidate in session.scalars(select(Person).order_by(Person.personal_id.desc()).limit(200)):
            if (candidate.personal_id not in related and person.personal_id not in (candidate.father_id, candidate.mother_id)
                    and candidate.household_number and candidate.household_number != person.household_number):
                return candidate.personal_id
    raise AssertionError("no stranger in the test register")


def _join(app, client, citizen_id: str, head_id: str):
    assert client.get("/procedures/1.004222/apply").status_code == 302
    dossier = current_draft(app, citizen_id)
    response = client.post(f"/apply/{dossier.public_id}/steps/new_residence",
                           data={"residence_basis": "relative", "new_household_head-personal_id": head_id})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return dossier, client.get(f"/apply/{dossier.public_id}/steps/home").get_data(as_text=True)


def _household_street(app, personal_id: str) -> str:
    with app.app_context():
        record = get_registry().get_person(personal_id)
    return (record.household.address if record.household else record.permanent_address).street


def test_a_strangers_home_address_is_not_shown(app, citizen, citizen_id, person, register):
    stranger = _stranger(register, person)
    street = _household_street(app, stranger)
    dossier, page = _join(app, citizen, citizen_id, stranger)
    assert street not in page
    assert current_draft(app, citizen_id).answers.get("new_address") is None
    # typing a wrong address is refused without the register's address in the message
    response = citizen.post(f"/apply/{dossier.public_id}/steps/home",
                            data={"new_address-province": "1", "new_address-ward": "4",
                                  "new_address-street": "Số 999 ngõ Không Có", "relation_to_new_head": "Bạn"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert street not in text
    assert "national population database" in text or "CSDL quốc gia" in text or "cơ sở dữ liệu quốc gia" in text.lower()


def test_a_relatives_household_address_is_filled_in(app, citizen, citizen_id, person):
    street = _household_street(app, person.spouse_id)
    dossier, page = _join(app, citizen, citizen_id, person.spouse_id)
    assert street in page
    assert current_draft(app, citizen_id).provenance.get("new_address") == "derived"
    # a relative may correct what the register says (the citizen checks it)
    response = citizen.post(f"/apply/{dossier.public_id}/steps/home",
                            data={"new_address-province": "1", "new_address-ward": "4",
                                  "new_address-street": "Số 12 phố Đội Cấn", "relation_to_new_head": "Vợ"})
    assert response.status_code == 302
