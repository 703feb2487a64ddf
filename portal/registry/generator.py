"""Deterministic generator of the mock national population register.

1. One ``random.Random(seed)`` drives everything, and ages are measured on a fixed
   :data:`REFERENCE_DATE`, so the same ``(count, seed)`` always gives the same people, IDs,
   names and links, on SQLite and on PostgreSQL alike.
2. People come in *families*: a person living alone; a couple with the children still at home;
   a single parent; three generations under one roof; or elderly parents whose married children
   run households of their own nearby. Spouses point to each other, children to a father and a
   mother who exist and are at least 18 years older, and each household has exactly one head
   (*chủ hộ*) living in it.
3. Addresses are real communes/wards of the 34 provinces in force since 1 July 2025 (urban wards
   weigh three times a rural commune, as they are denser). Names, streets and e-mail domains are
   drawn from Faker's ``vi_VN`` word lists directly: calling Faker per field is too slow for a
   million people.
4. Personal IDs follow DESIGN §2 (:func:`portal.registry.ids.make_personal_id`): the province of
   birth registration, the century/sex digit, the year of birth and a random unique serial.
5. Rows stream into the database in chunks inside :func:`portal.registry.store.bulk_load`
   (SQLite: ``executemany`` inserts; PostgreSQL: ``COPY``), which checks every link once at the
   end.
"""
from __future__ import annotations

import itertools
import random
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from time import perf_counter

from faker.providers.address.vi_VN import Provider as FakerAddresses
from faker.providers.internet import Provider as FakerInternet
from faker.providers.person.vi_VN import Provider as FakerNames
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.engine import make_url

from portal.registry import store
from portal.registry.ids import make_personal_id
from portal.registry.models import RELATION_HEAD, Household, Person, RegistryBase
from portal.registry.places import province_name, province_names, wards
from portal.registry.population import (
    CHILD,
    DAUGHTER_IN_LAW,
    DIVORCED,
    ETHNICITIES,
    FATHER,
    FEMALE_ONLY_MIDDLE,
    GRANDCHILD,
    HUSBAND,
    MALE_ONLY_MIDDLE,
    MARRIED,
    MOBILE_PREFIXES,
    MOTHER,
    NATIONALITY,
    RELIGIONS,
    SINGLE,
    SON_IN_LAW,
    SURNAME_WEIGHTS,
    WIDOWED,
    WIFE,
)

REFERENCE_DATE = date(2026, 1, 1)
MAX_AGE = 95
CHUNK_SIZE = 20_000

# Family kinds and how often each is drawn.
FAMILY_KINDS = {
    "alone": 12,
    "couple": 37,
    "single_parent": 6,
    "three_generations": 20,
    "parents_and_married_children": 25,
}

PEOPLE_COLUMNS = (
    "personal_id", "full_name", "date_of_birth", "sex", "ethnicity", "religion", "nationality",
    "birth_registration_province_code", "hometown",
    "permanent_province_code", "permanent_ward_code", "permanent_street",
    "current_province_code", "current_ward_code", "current_street",
    "household_number", "relation_to_head", "marital_status",
    "father_id", "mother_id", "spouse_id", "phone", "email",
)
HOUSEHOLD_COLUMNS = ("household_number", "head_id", "province_code", "ward_code", "street")

_YEAR = 365


class RegisterNotEmpty(ValueError):
    """The target register already holds people and ``reset`` was not asked for."""

    def __init__(self, people: int) -> None:
        super().__init__(f"the register already holds {people} people; reset to replace them")
        self.people = people


@dataclass(frozen=True, slots=True)
class GenerationReport:
    url: str
    people: int
    households: int
    seconds: float
    database_size_bytes: int | None

    @property
    def people_per_second(self) -> float:
        return self.people / self.seconds if self.seconds else float("inf")


def generate_register(url: str, count: int, seed: int, reset: bool = False) -> GenerationReport:
    """Fill the register at ``url`` with ``count`` people drawn from ``seed``.

    With ``reset`` the register's tables are dropped and created again first; without it the
    register must be empty (:class:`RegisterNotEmpty` otherwise).
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    started = perf_counter()
    store.ensure_database(url)
    engine = store.get_engine(url)
    people = households = 0
    with engine.connect() as conn:
        if reset:
            store.drop_tables(conn)
        RegistryBase.metadata.create_all(conn)
        existing = conn.execute(select(func.count()).select_from(Person)).scalar_one()
        if existing:
            conn.rollback()
            raise RegisterNotEmpty(existing)
        with store.bulk_load(conn):
            for household_rows, people_rows in _chunks(_Families(seed), count):
                _write(conn, household_rows, people_rows)
                households += len(household_rows)
                people += len(people_rows)
    return GenerationReport(
        url=make_url(url).render_as_string(hide_password=True),
        people=people,
        households=households,
        seconds=perf_counter() - started,
        database_size_bytes=store.database_size(engine),
    )


def _chunks(families: _Families, count: int) -> Iterator[tuple[list[tuple], list[tuple]]]:
    household_rows: list[tuple] = []
    people_rows: list[tuple] = []
    for household in families.households(count):
        household_rows.append(household.row())
        people_rows.extend(families.people_rows(household))
        if len(people_rows) >= CHUNK_SIZE:
            yield household_rows, people_rows
            household_rows, people_rows = [], []
    if people_rows:
        yield household_rows, people_rows


def _write(conn: Connection, household_rows: list[tuple], people_rows: list[tuple]) -> None:
    """One chunk: COPY with psycopg on PostgreSQL, a batched ``insert()`` anywhere else."""
    if conn.dialect.driver != "psycopg":
        conn.execute(
            insert(Household.__table__), [dict(zip(HOUSEHOLD_COLUMNS, r)) for r in household_rows]
        )
        conn.execute(insert(Person.__table__), [dict(zip(PEOPLE_COLUMNS, r)) for r in people_rows])
        return
    cursor = conn.connection.driver_connection.cursor()
    try:
        for table, columns, rows in (
            (Household.__tablename__, HOUSEHOLD_COLUMNS, household_rows),
            (Person.__tablename__, PEOPLE_COLUMNS, people_rows),
        ):
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    finally:
        cursor.close()


# --- drafting -----------------------------------------------------------------------------


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


class _Choice:
    """A weighted choice that ``random.Random.choices`` can draw quickly."""

    def __init__(self, weights: dict) -> None:
        self.values = tuple(weights)
        self.cum_weights = tuple(itertools.accumulate(weights.values()))

    def draw(self, rng: random.Random):
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]


def _name_parts() -> dict[str, _Choice]:
    middles = _unique(FakerNames.middle_names)
    female_middles = [n for n in middles if n not in MALE_ONLY_MIDDLE]
    male_middles = [n for n in middles if n not in FEMALE_ONLY_MIDDLE]
    return {
        "surname": _Choice(
            {n: SURNAME_WEIGHTS.get(n, 1.0) for n in _unique(FakerNames.last_names)}
        ),
        # "Thị" and "Văn" are by far the most frequent middle names.
        "F_middle": _Choice({n: 6.0 if n == "Thị" else 1.0 for n in female_middles}),
        "M_middle": _Choice({n: 4.0 if n == "Văn" else 1.0 for n in male_middles}),
        "F_given": _Choice(
            dict.fromkeys(_unique(FakerNames.first_names_female + FakerNames.first_names_unisex), 1)
        ),
        "M_given": _Choice(
            dict.fromkeys(_unique(FakerNames.first_names_male + FakerNames.first_names_unisex), 1)
        ),
    }


@cache
def _ascii(text: str) -> str:
    """"Nguyễn Đức" → "nguyenduc", for e-mail addresses."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def _age_on_reference(born: date) -> int:
    had_birthday = (REFERENCE_DATE.month, REFERENCE_DATE.day) >= (born.month, born.day)
    return REFERENCE_DATE.year - born.year - (0 if had_birthday else 1)


@dataclass(slots=True)
class _Lineage:
    """What a person inherits from their father: family name, hometown, ethnicity, religion."""

    surname: str
    hometown: str
    ethnicity: str
    religion: str
    birth_province: int  # of the adult who starts the line; children are registered at home


class _Draft:
    __slots__ = (
        "personal_id", "full_name", "date_of_birth", "sex", "lineage", "birth_province",
        "relation", "marital_status", "father_id", "mother_id", "spouse_id",
    )

    def __init__(self, personal_id: str, full_name: str, born: date, sex: str,
                 lineage: _Lineage, birth_province: int) -> None:
        self.personal_id = personal_id
        self.full_name = full_name
        self.date_of_birth = born
        self.sex = sex
        self.lineage = lineage
        self.birth_province = birth_province
        self.relation = ""
        self.marital_status = SINGLE
        self.father_id: str | None = None
        self.mother_id: str | None = None
        self.spouse_id: str | None = None

    @property
    def age(self) -> int:
        return _age_on_reference(self.date_of_birth)


class _Household:
    __slots__ = ("number", "province_code", "ward_code", "street", "members")

    def __init__(self, number: str, province_code: int, ward_code: int, street: str) -> None:
        self.number = number
        self.province_code = province_code
        self.ward_code = ward_code
        self.street = street
        self.members: list[_Draft] = []

    def add(self, person: _Draft, relation: str) -> None:
        person.relation = relation
        self.members.append(person)

    @property
    def head(self) -> _Draft:
        (head,) = (m for m in self.members if m.relation == RELATION_HEAD)
        return head

    def row(self) -> tuple:
        return (self.number, self.head.personal_id, self.province_code, self.ward_code, self.street)


class _Families:
    """Draws families from one seeded random generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_ids: set[str] = set()
        self.household_count = 0
        self.names = _name_parts()
        self.kinds = _Choice(FAMILY_KINDS)
        self.ethnicities = _Choice(ETHNICITIES)
        self.religions = _Choice(RELIGIONS)
        ward_list = sorted(wards().values(), key=lambda w: w.code)
        self.wards = _Choice({w.code: 3.0 if w.is_urban else 1.0 for w in ward_list})
        self.ward_info = {w.code: w for w in ward_list}
        self.wards_by_province: dict[int, list[int]] = {}
        for ward in ward_list:
            self.wards_by_province.setdefault(ward.province_code, []).append(ward.code)
        self.provinces = sorted(province_names())
        self.streets = _unique(FakerAddresses.streets)
        self.lanes = tuple(p for p in FakerAddresses.sub_street_prefixes if p in ("Ngõ", "Hẻm"))
        self.email_domains = tuple(FakerInternet.free_email_domains)

    # 1. The households, family after family, until exactly ``count`` people.
    def households(self, count: int) -> Iterator[_Household]:
        remaining = count
        while remaining:
            mark = self.household_count
            family = self.family(self.kinds.draw(self.rng))
            size = sum(len(h.members) for h in family)
            if size > remaining:
                for household in family:
                    self.used_ids.difference_update(m.personal_id for m in household.members)
                self.household_count = mark
                family = self.alone()
                size = 1
            remaining -= size
            yield from family

    def family(self, kind: str) -> list[_Household]:
        return getattr(self, kind)()

    # 2. The kinds of family.
    def alone(self) -> list[_Household]:
        rng = self.rng
        household = self.new_household()
        born = self.born_aged(18, MAX_AGE, 30)
        person = self.adult(rng.choice("MF"), born, household.province_code)
        age = _age_on_reference(born)
        if age < 30:
            person.marital_status = SINGLE
        elif age < 60:
            person.marital_status = rng.choices((SINGLE, DIVORCED, WIDOWED), (50, 35, 15))[0]
        else:
            person.marital_status = rng.choices((SINGLE, DIVORCED, WIDOWED), (20, 15, 65))[0]
        household.add(person, RELATION_HEAD)
        return [household]

    def couple(self) -> list[_Household]:
        rng = self.rng
        household = self.new_household()
        wife = self.adult("F", self.born_aged(20, 80, 35), household.province_code)
        husband = self.husband_of(wife, household.province_code)
        self.add_couple(household, husband, wife, head_is_husband=rng.random() < 0.85)
        self.add_children(household, husband, wife, CHILD, leave_home=True)
        return [household]

    def single_parent(self) -> list[_Household]:
        rng = self.rng
        household = self.new_household()
        sex = "F" if rng.random() < 0.8 else "M"
        parent = self.adult(sex, self.born_aged(22, 60, 35), household.province_code)
        parent.marital_status = rng.choices((DIVORCED, WIDOWED, SINGLE), (60, 25, 15))[0]
        household.add(parent, RELATION_HEAD)
        father, mother = (None, parent) if sex == "F" else (parent, None)
        self.add_children(household, father, mother, CHILD, leave_home=True)
        return [household]

    def three_generations(self) -> list[_Household]:
        rng = self.rng
        household = self.new_household()
        province = household.province_code
        grandmother = self.adult("F", self.born_aged(55, MAX_AGE, 68), province)
        grandfather = self.husband_of(grandmother, province) if rng.random() < 0.7 else None
        if grandfather:
            self.marry(grandfather, grandmother)
        else:
            grandmother.marital_status = WIDOWED
        # Married couples mostly live with the husband's parents.
        child = self.grown_child(grandfather, grandmother, province, son_share=0.75)
        partner = self.spouse_for(child, province) if rng.random() < 0.85 else None
        husband, wife = (child, partner) if child.sex == "M" else (partner, child)
        if partner:
            self.marry(husband, wife)
        elder_heads = rng.random() < (0.5 if grandfather else 0.3)
        if elder_heads:
            household.add(grandfather or grandmother, RELATION_HEAD)
            if grandfather:
                household.add(grandmother, WIFE)
            household.add(child, CHILD)
            if partner:
                household.add(partner, DAUGHTER_IN_LAW if partner.sex == "F" else SON_IN_LAW)
        else:
            household.add(child, RELATION_HEAD)
            if partner:
                household.add(partner, WIFE if partner.sex == "F" else HUSBAND)
            if grandfather:
                household.add(grandfather, FATHER)
            household.add(grandmother, MOTHER)
        if partner:
            relation = GRANDCHILD if elder_heads else CHILD
            self.add_children(household, husband, wife, relation, leave_home=False)
        return [household]

    def parents_and_married_children(self) -> list[_Household]:
        rng = self.rng
        parents = self.new_household()
        province = parents.province_code
        mother = self.adult("F", self.born_aged(55, MAX_AGE, 66), province)
        father = self.husband_of(mother, province) if rng.random() < 0.75 else None
        if father:
            self.add_couple(parents, father, mother, head_is_husband=True)
        else:
            mother.marital_status = WIDOWED
            parents.add(mother, RELATION_HEAD)
        family = [parents]
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            child = self.grown_child(father, mother, province)
            where = rng.random()
            if where < 0.35:
                household = self.new_household(province, parents.ward_code)
            elif where < 0.7:
                household = self.new_household(province)
            else:
                household = self.new_household()
            partner = self.spouse_for(child, household.province_code)
            husband, wife = (child, partner) if child.sex == "M" else (partner, child)
            self.add_couple(household, husband, wife, head_is_husband=rng.random() < 0.85)
            self.add_children(household, husband, wife, CHILD, leave_home=False)
            family.append(household)
        return family

    # 3. People and the links between them.
    def new_household(
        self, province: int | None = None, ward_code: int | None = None
    ) -> _Household:
        if ward_code is None:
            if province is None:
                ward_code = self.wards.draw(self.rng)
            else:
                ward_code = self.rng.choice(self.wards_by_province[province])
        ward = self.ward_info[ward_code]
        self.household_count += 1
        number = f"{ward.province_code:03d}{self.household_count:07d}"
        return _Household(number, ward.province_code, ward.code, self.street(ward_code))

    def lineage(self, province: int) -> _Lineage:
        """A new family line, mostly from the province where its member now lives."""
        rng = self.rng
        origin = province if rng.random() < 0.75 else rng.choice(self.provinces)
        home_ward = self.ward_info[rng.choice(self.wards_by_province[origin])]
        return _Lineage(
            surname=self.names["surname"].draw(rng),
            hometown=f"{home_ward.name}, {province_name(origin)}",
            ethnicity=self.ethnicities.draw(rng),
            religion=self.religions.draw(rng),
            birth_province=origin if rng.random() < 0.8 else province,
        )

    def person(self, sex: str, born: date, lineage: _Lineage, birth_province: int) -> _Draft:
        rng = self.rng
        middle = self.names[f"{sex}_middle"].draw(rng) if rng.random() < 0.9 else None
        given = self.names[f"{sex}_given"].draw(rng)
        full_name = " ".join(p for p in (lineage.surname, middle, given) if p)
        while True:
            personal_id = make_personal_id(birth_province, sex, born.year, rng.randrange(1_000_000))
            if personal_id not in self.used_ids:
                self.used_ids.add(personal_id)
                break
        return _Draft(personal_id, full_name, born, sex, lineage, birth_province)

    def born_at_age(self, age: int) -> date:
        return REFERENCE_DATE - timedelta(days=age * _YEAR + self.rng.randint(1, _YEAR))

    def born_aged(self, youngest: int, oldest: int, commonest: int) -> date:
        """A birthday for an age between ``youngest`` and ``oldest``, most often ``commonest``."""
        return self.born_at_age(int(self.rng.triangular(youngest, oldest, commonest)))

    def adult(self, sex: str, born: date, province: int) -> _Draft:
        """Someone from a new family line, now living in ``province``."""
        lineage = self.lineage(province)
        return self.person(sex, born, lineage, lineage.birth_province)

    def husband_of(self, wife: _Draft, province: int) -> _Draft:
        """Up to eight years older than his wife, at least 20 (the legal age for men), ≤ 95."""
        gap = timedelta(days=int(self.rng.triangular(0, 8 * _YEAR, 2 * _YEAR)))
        born = min(wife.date_of_birth - gap, self.born_at_age(20))
        born = max(born, REFERENCE_DATE - timedelta(days=MAX_AGE * _YEAR))
        return self.adult("M", born, province)

    def spouse_for(self, person: _Draft, province: int) -> _Draft:
        if person.sex == "F":
            return self.husband_of(person, province)
        gap = timedelta(days=int(self.rng.triangular(0, 8 * _YEAR, 2 * _YEAR)))
        return self.adult("F", min(person.date_of_birth + gap, self.born_at_age(18)), province)

    @staticmethod
    def marry(husband: _Draft, wife: _Draft) -> None:
        husband.spouse_id, wife.spouse_id = wife.personal_id, husband.personal_id
        husband.marital_status = wife.marital_status = MARRIED

    def add_couple(self, household: _Household, husband: _Draft, wife: _Draft,
                   head_is_husband: bool) -> None:
        self.marry(husband, wife)
        if head_is_husband:
            household.add(husband, RELATION_HEAD)
            household.add(wife, WIFE)
        else:
            household.add(wife, RELATION_HEAD)
            household.add(husband, HUSBAND)

    def birth_dates(self, parent: _Draft) -> list[date]:
        """Children's birthdays: the first when the mother is 19–32 (a father 21–38), then
        every 1½–6 years while she is under 44 (he under 55)."""
        rng = self.rng
        first, last = (19, 32) if parent.sex == "F" else (21, 38)
        count = rng.choices((0, 1, 2, 3, 4), (8, 27, 45, 15, 5))[0]
        born = parent.date_of_birth + timedelta(days=rng.randint(first * _YEAR + 5, last * _YEAR))
        limit = parent.date_of_birth + timedelta(days=(44 if parent.sex == "F" else 55) * _YEAR)
        dates = []
        while len(dates) < count and born < min(REFERENCE_DATE, limit):
            dates.append(born)
            born += timedelta(days=rng.randint(_YEAR * 3 // 2, 6 * _YEAR))
        return dates

    def child_of(self, father: _Draft | None, mother: _Draft | None, born: date,
                 province: int, sex: str | None = None) -> _Draft:
        """A child registered at birth in ``province``; a parent not in the register is None."""
        parent = father or mother
        assert parent is not None
        child = self.person(sex or self.rng.choice("MF"), born, parent.lineage, province)
        child.father_id = father.personal_id if father else None
        child.mother_id = mother.personal_id if mother else None
        return child

    def add_children(self, household: _Household, father: _Draft | None, mother: _Draft | None,
                     relation: str, leave_home: bool) -> None:
        """The children still at home; with ``leave_home`` most grown-ups have moved out."""
        parent = mother or father
        assert parent is not None
        for born in self.birth_dates(parent):
            if leave_home and _age_on_reference(born) >= 22 and self.rng.random() < 0.7:
                continue
            household.add(self.child_of(father, mother, born, household.province_code), relation)

    def grown_child(self, father: _Draft | None, mother: _Draft, province: int,
                    son_share: float = 0.5) -> _Draft:
        """One child of an elderly couple, born when the mother was 20–35 (so 20 or older)."""
        born = mother.date_of_birth + timedelta(days=self.rng.randint(20 * _YEAR + 5, 35 * _YEAR))
        born = min(born, self.born_at_age(20))
        sex = "M" if self.rng.random() < son_share else "F"
        return self.child_of(father, mother, born, province, sex)

    # 4. Rows, with the addresses and contacts drawn last.
    def people_rows(self, household: _Household) -> Iterator[tuple]:
        for person in household.members:
            current = self.current_residence(person, household)
            phone, email = self.contacts(person)
            lineage = person.lineage
            yield (
                person.personal_id, person.full_name, person.date_of_birth, person.sex,
                lineage.ethnicity, lineage.religion, NATIONALITY, person.birth_province,
                lineage.hometown,
                household.province_code, household.ward_code, household.street, *current,
                household.number, person.relation, person.marital_status,
                person.father_id, person.mother_id, person.spouse_id, phone, email,
            )

    def street(self, ward_code: int) -> str:
        rng = self.rng
        ward = self.ward_info[ward_code]
        if not ward.is_urban:
            hamlet = "Ấp" if ward.province_code >= 75 else "Thôn"
            return f"{hamlet} {rng.randint(1, 20)}"
        number = rng.randint(1, 300)
        street = rng.choice(self.streets)
        form = rng.random()
        if form < 0.5:
            return f"Số {number} {street}"
        if form < 0.8:
            return f"Số {number}, {rng.choice(self.lanes)} {rng.randint(1, 200)} {street}"
        return f"Số {number}/{rng.randint(1, 60)} {street}"

    def current_residence(self, person: _Draft, household: _Household) -> tuple[int, int, str]:
        """Where the person lives now: mostly at home; some young adults elsewhere."""
        if 18 <= person.age <= 40 and self.rng.random() < 0.12:
            ward_code = self.wards.draw(self.rng)
            return self.ward_info[ward_code].province_code, ward_code, self.street(ward_code)
        return household.province_code, household.ward_code, household.street

    def contacts(self, person: _Draft) -> tuple[str | None, str | None]:
        rng = self.rng
        age = person.age
        if age < 15 or rng.random() < 0.1:
            return None, None
        phone = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10_000_000):07d}"
        if age > 65 or rng.random() < 0.6:
            return phone, None
        given = person.full_name.rsplit(" ", 1)[-1]
        local = f"{_ascii(given)}.{_ascii(person.lineage.surname)}{rng.randint(1, 9999)}"
        return phone, f"{local}@{rng.choice(self.email_domains)}"

