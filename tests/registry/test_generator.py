"""The generated register: deterministic, and every link and address in it holds."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest
from faker.providers.person.vi_VN import Provider as FakerNames
from sqlalchemy import func, select

from portal.registry.generator import REFERENCE_DATE, RegisterNotEmpty, generate_register
from portal.registry.ids import parse_personal_id
from portal.registry.models import Person
from portal.registry.places import province_names, wards
from portal.registry.store import get_engine
from tests.conftest import REGISTER_SEED, REGISTER_SIZE
from tests.registry.conftest import RegisterRows, read_rows

HEAD = "Chủ hộ"
RELATIONS = {HEAD, "Vợ", "Chồng", "Con", "Cha", "Mẹ", "Cháu", "Con dâu", "Con rể"}
MARRIED = "Đã kết hôn"


@pytest.fixture(scope="module")
def large_register(tmp_path_factory) -> RegisterRows:
    """A bigger register than the shared one, so rarer families show up too."""
    url = f"sqlite:///{tmp_path_factory.mktemp('large')}/registry.sqlite3"
    generate_register(url, count=5_000, seed=1, reset=True)
    return read_rows(url)


@pytest.fixture(params=["register_rows", "large_register"])
def rows(request) -> RegisterRows:
    return request.getfixturevalue(request.param)


def _years_between(older: date, younger: date) -> int:
    return younger.year - older.year - ((younger.month, younger.day) < (older.month, older.day))


def _age(born: date) -> int:
    return _years_between(born, REFERENCE_DATE)


# --- determinism ---------------------------------------------------------------------------


def test_the_shared_register_has_exactly_the_count_asked(register: str):
    with get_engine(register).connect() as conn:
        assert conn.execute(select(func.count()).select_from(Person)).scalar_one() == REGISTER_SIZE


def test_same_seed_gives_the_same_register_on_any_backend(register_rows, tmp_path):
    url = f"sqlite:///{tmp_path}/again.sqlite3"
    report = generate_register(url, count=REGISTER_SIZE, seed=REGISTER_SEED)

    assert report.people == REGISTER_SIZE
    assert read_rows(url) == register_rows


def test_same_seed_twice_gives_identical_rows_and_another_seed_does_not(scratch_url, tmp_path):
    generate_register(scratch_url, count=250, seed=11, reset=True)
    first = read_rows(scratch_url)
    generate_register(scratch_url, count=250, seed=11, reset=True)
    second = read_rows(scratch_url)
    other_url = f"sqlite:///{tmp_path}/other.sqlite3"
    generate_register(other_url, count=250, seed=12)
    other = read_rows(other_url)

    assert len(first.people) == 250
    assert first == second
    assert set(other.people).isdisjoint(first.people)
    assert [p["full_name"] for p in other.people.values()] != [
        p["full_name"] for p in first.people.values()
    ]


def test_a_filled_register_is_kept_unless_reset(scratch_url):
    generate_register(scratch_url, count=20, seed=3, reset=True)
    before = read_rows(scratch_url)

    with pytest.raises(RegisterNotEmpty, match="already holds 20 people"):
        generate_register(scratch_url, count=30, seed=4)
    assert read_rows(scratch_url) == before

    report = generate_register(scratch_url, count=30, seed=4, reset=True)
    assert (report.people, len(read_rows(scratch_url).people)) == (30, 30)
    assert report.households == len(read_rows(scratch_url).households)


@pytest.mark.parametrize("count", [1, 2, 7])
def test_tiny_registers_still_have_exactly_count_people(tmp_path, count):
    url = f"sqlite:///{tmp_path}/tiny.sqlite3"
    generate_register(url, count=count, seed=5)
    assert len(read_rows(url).people) == count


def test_count_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        generate_register(f"sqlite:///{tmp_path}/none.sqlite3", count=0, seed=1)


# --- referential integrity -----------------------------------------------------------------


def test_every_household_has_one_head_who_lives_in_it(rows: RegisterRows):
    members = defaultdict(list)
    for person in rows.people.values():
        members[person["household_number"]].append(person)

    assert set(members) == set(rows.households)
    for number, household in rows.households.items():
        heads = [p for p in members[number] if p["relation_to_head"] == HEAD]
        assert [p["personal_id"] for p in heads] == [household["head_id"]], number
    assert {p["relation_to_head"] for p in rows.people.values()} <= RELATIONS


def test_members_live_at_their_household_address(rows: RegisterRows):
    for person in rows.people.values():
        household = rows.households[person["household_number"]]
        assert (
            person["permanent_province_code"],
            person["permanent_ward_code"],
            person["permanent_street"],
        ) == (household["province_code"], household["ward_code"], household["street"])


def test_parents_exist_have_the_right_sex_and_are_older(rows: RegisterRows):
    people = rows.people
    children = 0
    for person in people.values():
        for key, sex in (("father_id", "M"), ("mother_id", "F")):
            if person[key] is None:
                continue
            children += 1
            parent = people[person[key]]
            assert parent["sex"] == sex
            assert _years_between(parent["date_of_birth"], person["date_of_birth"]) >= 18
    assert children > len(people) // 4


def test_spouses_exist_point_to_each_other_and_are_married(rows: RegisterRows):
    people = rows.people
    married = [p for p in people.values() if p["spouse_id"] is not None]
    for person in married:
        spouse = people[person["spouse_id"]]
        assert spouse["spouse_id"] == person["personal_id"]
        assert {person["sex"], spouse["sex"]} == {"M", "F"}
        assert person["marital_status"] == spouse["marital_status"] == MARRIED
        assert _age(person["date_of_birth"]) >= (20 if person["sex"] == "M" else 18)
    assert len(married) > len(people) // 4


def test_addresses_are_real_2025_wards_of_the_stated_province(rows: RegisterRows):
    known = wards()
    places = [(h["province_code"], h["ward_code"]) for h in rows.households.values()]
    for person in rows.people.values():
        places.append((person["permanent_province_code"], person["permanent_ward_code"]))
        places.append((person["current_province_code"], person["current_ward_code"]))
    for province_code, ward_code in places:
        assert known[ward_code].province_code == province_code


def test_ids_encode_birth_province_sex_and_year(rows: RegisterRows):
    current_provinces = set(province_names())
    for personal_id, person in rows.people.items():
        info = parse_personal_id(personal_id)
        assert info.province_code == person["birth_registration_province_code"]
        assert info.province_code in current_provinces
        assert info.sex == person["sex"]
        assert info.birth_year == person["date_of_birth"].year
        century = person["date_of_birth"].year // 100 - 19
        assert personal_id[3] == str(century * 2 + (person["sex"] == "F"))


def test_ages_names_and_families_look_like_a_population(rows: RegisterRows):
    people = list(rows.people.values())
    ages = [_age(p["date_of_birth"]) for p in people]
    assert 0 <= min(ages) <= 5 and 80 <= max(ages) <= 95
    assert 25 <= sum(ages) / len(ages) <= 45

    surnames = set(FakerNames.last_names)
    for person in people:
        parts = person["full_name"].split()
        assert len(parts) >= 2 and parts[0] in surnames
        if person["father_id"]:
            assert parts[0] == rows.people[person["father_id"]]["full_name"].split()[0]

    sizes = Counter(p["household_number"] for p in people)
    relations = Counter(p["relation_to_head"] for p in people)
    assert 1 in sizes.values() and max(sizes.values()) >= 4
    assert relations["Cháu"] + relations["Cha"] + relations["Mẹ"] > 0  # three generations
    assert any(p["current_ward_code"] != p["permanent_ward_code"] for p in people)
    assert sum(p["phone"] is not None for p in people) > len(people) // 2


def test_relations_to_head_match_the_family_links(rows: RegisterRows):
    people = rows.people
    for person in people.values():
        head = people[rows.households[person["household_number"]]["head_id"]]
        relation = person["relation_to_head"]
        parents = {person["father_id"], person["mother_id"]} - {None}
        if relation in ("Vợ", "Chồng"):
            assert person["spouse_id"] == head["personal_id"]
            assert person["sex"] == ("F" if relation == "Vợ" else "M")
        elif relation == "Con":
            assert parents & {head["personal_id"], head["spouse_id"]}
        elif relation in ("Cha", "Mẹ"):
            assert head["father_id" if relation == "Cha" else "mother_id"] == person["personal_id"]
        elif relation in ("Con dâu", "Con rể"):
            assert people[person["spouse_id"]]["relation_to_head"] == "Con"
        elif relation == "Cháu":
            children_of_head = ("Con", "Con dâu", "Con rể")
            assert any(people[p]["relation_to_head"] in children_of_head for p in parents)
