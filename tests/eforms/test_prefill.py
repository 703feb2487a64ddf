"""Prefill from the register (compared with the register's own record) and from the profile."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.catalog.service import load_catalog_file
from portal.eforms.definitions import get_form_definition
from portal.eforms.prefill import parse_path, profile_prefill, profile_updates, registry_prefill
from portal.registry.client import FailingRegistryClient, RegistryUnavailable, SqlRegistryClient
from portal.registry.models import Person
from portal.registry.records import Address, PersonRecord
from portal.registry.store import get_engine

CODES = sorted(p["code"] for p in load_catalog_file()["procedures"])


def _address(address: Address) -> dict[str, Any]:
    return {
        "province_code": address.province_code,
        "province_name": address.province_name,
        "ward_code": address.ward_code,
        "ward_name": address.ward_name,
        "street": address.street,
    }


def _person(record: PersonRecord) -> dict[str, str]:
    return {
        "personal_id": record.personal_id,
        "full_name": record.full_name,
        "date_of_birth": record.date_of_birth.isoformat(),
    }


def what_the_register_says(person: PersonRecord, client: SqlRegistryClient) -> dict[str, Any]:
    """Field key → the value a clerk would copy from the register's record onto the forms."""
    father, mother, spouse = (client.get_person(i) for i in (person.father_id, person.mother_id, person.spouse_id))
    husband, wife = (person, spouse) if person.sex == "M" else (spouse, person)
    return {
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "sex": person.sex,
        "personal_id": person.personal_id,
        "ethnicity": person.ethnicity,
        "nationality": person.nationality,
        "birth_place": person.birth_registration_province_name,
        "marital_status": person.marital_status,
        "permanent_address": _address(person.permanent_address),
        "current_address": _address(person.current_address),
        "household_head_name": person.household.head_full_name,
        "relation_to_head": person.household.relation_to_head,
        "father_name": father.full_name,
        "mother_name": mother.full_name,
        "spouse_name": spouse.full_name,
        "mother": _person(wife),
        "father": _person(husband),
        "mother_ethnicity": wife.ethnicity,
        "father_ethnicity": husband.ethnicity,
    }


class CountingLookup:
    def __init__(self, client: SqlRegistryClient) -> None:
        self.client = client
        self.asked: list[str] = []

    def __call__(self, personal_id: str) -> PersonRecord | None:
        self.asked.append(personal_id)
        return self.client.get_person(personal_id)


def _people(register: str, *conditions) -> list[str]:
    with Session(get_engine(register)) as session:
        return list(session.scalars(select(Person.personal_id).where(*conditions).order_by(Person.personal_id)))


@pytest.mark.parametrize("code", CODES)
def test_prefill_of_every_procedure_is_what_the_register_says(code, citizen, registry_client):
    definition = get_form_definition(code)
    expected = what_the_register_says(citizen, registry_client)
    prefill = registry_prefill(definition, citizen, registry_client.get_person)
    # A person typed by the citizen (the deceased, a child) is read once typed, not at the start.
    typed_people = {f.key for f in definition.fields if f.type == "person" and not f.prefill}
    prefilled_keys = {f.key for f in definition.fields if f.prefill and parse_path(f.prefill).person_field not in typed_people}
    assert set(prefill) == prefilled_keys  # a married citizen with parents: nothing is missing
    assert prefill == {key: expected[key] for key in prefilled_keys}


def test_birth_registration_takes_the_man_of_the_couple_as_father(register, registry_client):
    married_man = _people(register, Person.sex == "M", Person.spouse_id.is_not(None))[0]
    person = registry_client.get_person(married_man)
    prefill = registry_prefill(get_form_definition("1.001193"), person, registry_client.get_person)
    assert prefill["father"] == _person(person)
    assert prefill["mother"] == _person(registry_client.get_person(person.spouse_id))


def test_missing_register_data_leaves_fields_empty(register, registry_client):
    single_man = _people(register, Person.sex == "M", Person.spouse_id.is_(None), Person.father_id.is_(None))[0]
    person = registry_client.get_person(single_man)
    judicial = registry_prefill(get_form_definition("2.000505"), person, registry_client.get_person)
    assert "spouse_name" not in judicial and "father_name" not in judicial
    assert judicial["full_name"] == person.full_name
    birth = registry_prefill(get_form_definition("1.001193"), person, registry_client.get_person)
    assert birth["father"] == _person(person)
    assert "mother" not in birth


def test_each_relative_is_asked_for_once(citizen, registry_client):
    lookup = CountingLookup(registry_client)
    registry_prefill(get_form_definition("2.000505"), citizen, lookup)
    assert sorted(lookup.asked) == sorted([citizen.father_id, citizen.mother_id, citizen.spouse_id])


def test_person_paths_follow_the_person_the_citizen_chose(register, registry_client):
    # A single man registering his child: the mother is not in his record, he enters her.
    single_man = _people(register, Person.sex == "M", Person.spouse_id.is_(None))[0]
    person = registry_client.get_person(single_man)
    mother = registry_client.get_person(_people(register, Person.sex == "F")[0])
    definition = get_form_definition("1.001193")
    before = registry_prefill(definition, person, registry_client.get_person)
    assert "mother" not in before and "mother_ethnicity" not in before
    after = registry_prefill(definition, person, registry_client.get_person, answers={"mother": _person(mother)})
    assert after["mother_ethnicity"] == mother.ethnicity
    assert after["father_ethnicity"] == person.ethnicity


def test_an_unavailable_register_is_not_mistaken_for_missing_data(citizen):
    with pytest.raises(RegistryUnavailable):
        registry_prefill(get_form_definition("2.000505"), citizen, FailingRegistryClient().get_person)


# --- the citizen's profile ----------------------------------------------------------------


DELIVERY = {"province_code": 1, "province_name": "Thành phố Hà Nội", "ward_code": 4,
            "ward_name": "Phường Ba Đình", "street": "12 Phố Đội Cấn"}


def test_profile_prefill_offers_what_the_citizen_gave_before():
    definition = get_form_definition("2.000505")
    profile = {"phone": "0912345678", "email": "an@example.vn", "delivery_address": DELIVERY, "shoe_size": 42}
    assert profile_prefill(definition, profile) == {
        "phone": "0912345678", "email": "an@example.vn", "delivery_address": DELIVERY,
    }


def test_profile_prefill_skips_missing_and_misshapen_values():
    definition = get_form_definition("2.000505")
    profile = {"phone": "", "email": None, "delivery_address": "12 Phố Đội Cấn, Hà Nội"}
    assert profile_prefill(definition, profile) == {}


def test_profile_updates_are_the_reuse_answers():
    definition = get_form_definition("1.004194")
    answers = {"full_name": "Ignored", "phone": "0912345678", "email": None, "occupation": "Giáo viên"}
    assert profile_updates(definition, answers) == {"phone": "0912345678", "occupation": "Giáo viên"}
