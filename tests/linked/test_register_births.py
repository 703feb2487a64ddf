"""The register's one write (issue 21): the civil-status agency registers a birth and the
newborn gets the next personal ID of its province, sex and year — in-process and over HTTP."""
from __future__ import annotations

from datetime import date

from portal.registry.client import SqlRegistryClient
from portal.registry.ids import parse_personal_id
from portal.registry.records import Address, Newborn
from portal.registry.service import create_service
from tests.linked.helpers import forget_people


def _newborn(name: str, mother_id: str, sex: str = "M") -> Newborn:
    return Newborn(full_name=name, date_of_birth=date(2026, 3, 2), sex=sex, ethnicity="Kinh", nationality="Việt Nam",
                   hometown="Hà Nội", birth_registration_province_code=1, mother_id=mother_id, father_id=None,
                   residence=Address(1, "Thành phố Hà Nội", 4, "Phường Ba Đình", "Số 12 phố Đội Cấn"))


def test_a_birth_gets_a_well_formed_id_once(register, person, child_name):
    client = SqlRegistryClient(register)
    first = client.register_birth(_newborn(child_name, person.personal_id))
    info = parse_personal_id(first)
    assert (info.province_code, info.sex, info.birth_year) == (1, "M", 2026)
    assert client.register_birth(_newborn(child_name, person.personal_id)) == first  # a retried approval
    record = client.get_person(first)
    assert record.mother_id == person.personal_id and record.household is None
    assert record.permanent_address.street == "Số 12 phố Đội Cấn"


def test_the_register_service_takes_births(register, person, child_name):
    http = create_service(register).test_client()
    response = http.post("/births", json=_newborn(child_name, person.personal_id, "F").to_dict())
    assert response.status_code == 201
    personal_id = response.get_json()["personal_id"]
    assert parse_personal_id(personal_id).sex == "F"
    assert http.get(f"/people/{personal_id}").get_json()["full_name"] == child_name
    assert http.post("/births", json={"full_name": "x"}).status_code == 400
    twin = f"{child_name} Em"
    try:
        other = http.post("/births", json=_newborn(twin, person.personal_id, "F").to_dict()).get_json()["personal_id"]
        assert int(other[6:]) == int(personal_id[6:]) + 1  # the next serial of the same province, sex and year
    finally:
        forget_people(register, [twin])
