"""How the portal reaches the national population register: one interface, three adapters.

1. :class:`RegistryClient` is all the portal knows: ``get_person`` returns a
   :class:`~portal.registry.records.PersonRecord`, or ``None`` when the register has no such
   person, and raises :class:`RegistryUnavailable` when the register cannot answer.
2. :class:`SqlRegistryClient` reads the register's database in-process: one indexed query
   returns the person joined with their household and its members.
3. :class:`HttpRegistryClient` asks the mock register service (:mod:`portal.registry.service`)
   over HTTP with a timeout, as a real national database would be reached.
4. :class:`FailingRegistryClient` never answers, so outage paths can be tested and shown.

One operation writes: ``register_birth``, as the real register is written by the civil-status
agency that registers a birth (Luật Căn cước 2023, Điều 12): the newborn gets the next personal
ID of its province, sex and year of birth. The same birth registered again (a retried approval)
gives back the same ID.

A malformed personal ID names no one: the adapters answer ``None`` without asking the register.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import requests
from sqlalchemy import Connection, Row, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from portal.registry.ids import is_valid_personal_id, make_personal_id
from portal.registry.models import RELATION_HEAD, Household, Person
from portal.registry.places import province_name, ward_name
from portal.registry.population import SINGLE
from portal.registry.records import Address, HouseholdInfo, HouseholdMember, Newborn, PersonRecord
from portal.registry.store import get_engine, is_sqlite


class RegistryUnavailable(Exception):
    """The register did not answer (outage, timeout, error); try again later."""


class RegistryClient(ABC):
    @abstractmethod
    def get_person(self, personal_id: str) -> PersonRecord | None:
        """The person with this ID, or ``None``; raises :class:`RegistryUnavailable`."""

    @abstractmethod
    def health(self) -> bool:
        """Whether the register answers right now."""

    @abstractmethod
    def register_birth(self, newborn: Newborn) -> str:
        """Add a newborn (the civil-status agency's write); returns the child's personal ID.
        Raises :class:`RegistryUnavailable`."""


class SqlRegistryClient(RegistryClient):
    """The register's database read in-process, one round trip per lookup."""

    def __init__(self, database_url: str) -> None:
        engine = get_engine(database_url)
        if not is_sqlite(engine):
            # A lookup is one read statement: autocommit spares the BEGIN and ROLLBACK round
            # trips. (pysqlite opens no transaction for a SELECT, and switching costs a PRAGMA.)
            engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.engine = engine

    def get_person(self, personal_id: str) -> PersonRecord | None:
        if not is_valid_personal_id(personal_id):
            return None
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(_PERSON_WITH_HOUSEHOLD, {"personal_id": personal_id}).all()
        except SQLAlchemyError as exc:
            raise RegistryUnavailable(
                f"the register's database did not answer ({exc.__class__.__name__})"
            ) from exc
        return _person_record(rows) if rows else None

    def health(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(_people.c.personal_id).limit(1)).all()
        except SQLAlchemyError:
            return False
        return True

    def register_birth(self, newborn: Newborn) -> str:
        for _attempt in range(3):  # two births of one province, sex and year at once: the loser retries
            try:
                with self.engine.begin() as conn:
                    return _insert_newborn(conn, newborn)
            except IntegrityError:
                continue
            except SQLAlchemyError as exc:
                raise RegistryUnavailable(f"the register's database did not answer ({exc.__class__.__name__})") from exc
        raise RegistryUnavailable("the register could not give the newborn a personal ID")


class HttpRegistryClient(RegistryClient):
    """The mock register service over HTTP; every request is bounded by ``timeout`` seconds."""

    def __init__(self, base_url: str, timeout: float = 2.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"

    def get_person(self, personal_id: str) -> PersonRecord | None:
        if not is_valid_personal_id(personal_id):
            return None
        response = self._get(f"/people/{personal_id}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise RegistryUnavailable(f"the register answered HTTP {response.status_code}")
        try:
            return PersonRecord.from_dict(response.json())
        except (ValueError, KeyError, TypeError) as exc:
            raise RegistryUnavailable("the register sent a record that could not be read") from exc

    def health(self) -> bool:
        try:
            return self._get("/health").status_code == 200
        except RegistryUnavailable:
            return False

    def register_birth(self, newborn: Newborn) -> str:
        try:
            response = self.session.post(f"{self.base_url}/births", json=newborn.to_dict(), timeout=self.timeout)
        except requests.Timeout as exc:
            raise RegistryUnavailable(f"the register did not answer within {self.timeout:g} s") from exc
        except requests.RequestException as exc:
            raise RegistryUnavailable(f"the register at {self.base_url} cannot be reached") from exc
        if response.status_code not in (200, 201):
            raise RegistryUnavailable(f"the register answered HTTP {response.status_code}")
        personal_id = (response.json() or {}).get("personal_id", "")
        if not is_valid_personal_id(personal_id):
            raise RegistryUnavailable("the register sent no personal ID for the newborn")
        return personal_id

    def close(self) -> None:
        self.session.close()

    def _get(self, path: str) -> requests.Response:
        try:
            return self.session.get(f"{self.base_url}{path}", timeout=self.timeout)
        except requests.Timeout as exc:
            raise RegistryUnavailable(
                f"the register did not answer within {self.timeout:g} s"
            ) from exc
        except requests.RequestException as exc:
            raise RegistryUnavailable(f"the register at {self.base_url} cannot be reached") from exc


class FailingRegistryClient(RegistryClient):
    """A register that is always out of service, to test and demonstrate outages."""

    def get_person(self, personal_id: str) -> PersonRecord | None:
        raise RegistryUnavailable("the register is out of service (failing client)")

    def health(self) -> bool:
        return False

    def register_birth(self, newborn: Newborn) -> str:
        raise RegistryUnavailable("the register is out of service (failing client)")


_people = Person.__table__
_households = Household.__table__
_members = _people.alias("member")
# One row per member of the person's household (one row when they have none), each carrying
# the person's own columns and the household's.
_PERSON_WITH_HOUSEHOLD = (
    select(
        _people,
        _households.c.head_id.label("household_head_id"),
        _households.c.province_code.label("household_province_code"),
        _households.c.ward_code.label("household_ward_code"),
        _households.c.street.label("household_street"),
        _members.c.personal_id.label("member_id"),
        _members.c.full_name.label("member_full_name"),
        _members.c.relation_to_head.label("member_relation_to_head"),
        _members.c.date_of_birth.label("member_date_of_birth"),
        _members.c.sex.label("member_sex"),
    )
    .outerjoin(_households, _households.c.household_number == _people.c.household_number)
    .outerjoin(_members, _members.c.household_number == _people.c.household_number)
    .where(_people.c.personal_id == bindparam("personal_id"))
)


def _insert_newborn(conn: Connection, newborn: Newborn) -> str:
    """The newborn's personal ID: the one already given for this birth, or the next serial
    of its province, sex and year (the ID's structure: :mod:`portal.registry.ids`)."""
    same_birth = conn.execute(
        select(_people.c.personal_id).where(
            _people.c.mother_id.is_(None) if newborn.mother_id is None else _people.c.mother_id == newborn.mother_id,
            _people.c.full_name == newborn.full_name, _people.c.date_of_birth == newborn.date_of_birth,
        )
    ).scalar()
    if same_birth:
        return same_birth
    sex = "F" if newborn.sex == "F" else "M"
    prefix = make_personal_id(newborn.birth_registration_province_code, sex, newborn.date_of_birth.year, 0)[:6]
    last = conn.execute(select(func.max(_people.c.personal_id)).where(_people.c.personal_id.like(f"{prefix}%"))).scalar()
    personal_id = f"{prefix}{int(last[6:]) + 1 if last else 1:06d}"
    address = newborn.residence
    conn.execute(insert(_people).values(
        personal_id=personal_id, full_name=newborn.full_name, date_of_birth=newborn.date_of_birth,
        sex=newborn.sex, ethnicity=newborn.ethnicity, religion="Không", nationality=newborn.nationality,
        birth_registration_province_code=newborn.birth_registration_province_code, hometown=newborn.hometown,
        permanent_province_code=address.province_code, permanent_ward_code=address.ward_code,
        permanent_street=address.street, current_province_code=address.province_code,
        current_ward_code=address.ward_code, current_street=address.street,
        household_number=None, relation_to_head=None, marital_status=SINGLE,
        father_id=newborn.father_id, mother_id=newborn.mother_id, spouse_id=None, phone=None, email=None,
    ))
    return personal_id


def _address(province_code: int, ward_code: int, street: str) -> Address:
    return Address(
        province_code=province_code,
        province_name=province_name(province_code),
        ward_code=ward_code,
        ward_name=ward_name(ward_code),
        street=street,
    )


def _household(rows: Sequence[Row]) -> HouseholdInfo | None:
    first = rows[0]
    if first.household_head_id is None:
        return None
    members = sorted(
        (
            HouseholdMember(
                personal_id=row.member_id,
                full_name=row.member_full_name,
                relation_to_head=row.member_relation_to_head or "",
                date_of_birth=row.member_date_of_birth,
                sex=row.member_sex,
            )
            for row in rows
        ),
        # The head first, then the others from the eldest down, as on a household record.
        key=lambda m: (m.relation_to_head != RELATION_HEAD, m.date_of_birth, m.personal_id),
    )
    head = next((m for m in members if m.personal_id == first.household_head_id), None)
    return HouseholdInfo(
        number=first.household_number,
        head_id=first.household_head_id,
        head_full_name=head.full_name if head else "",
        relation_to_head=first.relation_to_head or "",
        address=_address(
            first.household_province_code, first.household_ward_code, first.household_street
        ),
        members=tuple(members),
    )


def _person_record(rows: Sequence[Row]) -> PersonRecord:
    row = rows[0]
    return PersonRecord(
        personal_id=row.personal_id,
        full_name=row.full_name,
        date_of_birth=row.date_of_birth,
        sex=row.sex,
        ethnicity=row.ethnicity,
        religion=row.religion,
        nationality=row.nationality,
        birth_registration_province_code=row.birth_registration_province_code,
        birth_registration_province_name=province_name(row.birth_registration_province_code),
        hometown=row.hometown,
        permanent_address=_address(
            row.permanent_province_code, row.permanent_ward_code, row.permanent_street
        ),
        current_address=_address(
            row.current_province_code, row.current_ward_code, row.current_street
        ),
        marital_status=row.marital_status,
        father_id=row.father_id,
        mother_id=row.mother_id,
        spouse_id=row.spouse_id,
        phone=row.phone,
        email=row.email,
        household=_household(rows),
    )
