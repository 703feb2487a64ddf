"""What the rest of the portal gets from the register: frozen values, never ORM objects.

``to_dict`` gives the JSON form the mock register service sends and ``from_dict`` reads it back,
so both client adapters hand out the same :class:`PersonRecord`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Address:
    province_code: int
    province_name: str
    ward_code: int
    ward_name: str
    street: str

    @property
    def full(self) -> str:
        """As written on a form: "street, ward, province"."""
        return ", ".join(part for part in (self.street, self.ward_name, self.province_name) if part)

    def to_dict(self) -> dict[str, Any]:
        return {
            "province_code": self.province_code,
            "province_name": self.province_name,
            "ward_code": self.ward_code,
            "ward_name": self.ward_name,
            "street": self.street,
            "full": self.full,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Address:
        return cls(
            province_code=int(data["province_code"]),
            province_name=data["province_name"],
            ward_code=int(data["ward_code"]),
            ward_name=data["ward_name"],
            street=data["street"],
        )


@dataclass(frozen=True, slots=True)
class HouseholdMember:
    personal_id: str
    full_name: str
    relation_to_head: str
    date_of_birth: date
    sex: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "personal_id": self.personal_id,
            "full_name": self.full_name,
            "relation_to_head": self.relation_to_head,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HouseholdMember:
        return cls(
            personal_id=data["personal_id"],
            full_name=data["full_name"],
            relation_to_head=data["relation_to_head"],
            date_of_birth=date.fromisoformat(data["date_of_birth"]),
            sex=data["sex"],
        )


@dataclass(frozen=True, slots=True)
class HouseholdInfo:
    """The person's household (*hộ gia đình*): its number, head, address and members."""

    number: str
    head_id: str
    head_full_name: str
    relation_to_head: str
    address: Address
    members: tuple[HouseholdMember, ...]

    @property
    def head(self) -> HouseholdMember | None:
        return next((m for m in self.members if m.personal_id == self.head_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "head_id": self.head_id,
            "head_full_name": self.head_full_name,
            "relation_to_head": self.relation_to_head,
            "address": self.address.to_dict(),
            "members": [member.to_dict() for member in self.members],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HouseholdInfo:
        return cls(
            number=data["number"],
            head_id=data["head_id"],
            head_full_name=data["head_full_name"],
            relation_to_head=data["relation_to_head"],
            address=Address.from_dict(data["address"]),
            members=tuple(HouseholdMember.from_dict(m) for m in data["members"]),
        )


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One citizen as the national population register knows them (DESIGN §3)."""

    personal_id: str
    full_name: str
    date_of_birth: date
    sex: str
    ethnicity: str
    religion: str
    nationality: str
    birth_registration_province_code: int
    birth_registration_province_name: str
    hometown: str
    permanent_address: Address
    current_address: Address
    marital_status: str
    father_id: str | None
    mother_id: str | None
    spouse_id: str | None
    phone: str | None
    email: str | None
    household: HouseholdInfo | None

    @property
    def household_number(self) -> str | None:
        return self.household.number if self.household else None

    @property
    def relation_to_head(self) -> str | None:
        return self.household.relation_to_head if self.household else None

    def age_on(self, day: date) -> int:
        """Completed years of age on ``day``."""
        had_birthday = (day.month, day.day) >= (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - (0 if had_birthday else 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "personal_id": self.personal_id,
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex,
            "ethnicity": self.ethnicity,
            "religion": self.religion,
            "nationality": self.nationality,
            "birth_registration_province_code": self.birth_registration_province_code,
            "birth_registration_province_name": self.birth_registration_province_name,
            "hometown": self.hometown,
            "permanent_address": self.permanent_address.to_dict(),
            "current_address": self.current_address.to_dict(),
            "marital_status": self.marital_status,
            "father_id": self.father_id,
            "mother_id": self.mother_id,
            "spouse_id": self.spouse_id,
            "phone": self.phone,
            "email": self.email,
            "household": self.household.to_dict() if self.household else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PersonRecord:
        """Read the JSON form back; raises ``KeyError``/``ValueError`` when it is not one."""
        household = data.get("household")
        return cls(
            personal_id=data["personal_id"],
            full_name=data["full_name"],
            date_of_birth=date.fromisoformat(data["date_of_birth"]),
            sex=data["sex"],
            ethnicity=data["ethnicity"],
            religion=data["religion"],
            nationality=data["nationality"],
            birth_registration_province_code=int(data["birth_registration_province_code"]),
            birth_registration_province_name=data["birth_registration_province_name"],
            hometown=data["hometown"],
            permanent_address=Address.from_dict(data["permanent_address"]),
            current_address=Address.from_dict(data["current_address"]),
            marital_status=data["marital_status"],
            father_id=data.get("father_id"),
            mother_id=data.get("mother_id"),
            spouse_id=data.get("spouse_id"),
            phone=data.get("phone"),
            email=data.get("email"),
            household=HouseholdInfo.from_dict(household) if household else None,
        )


@dataclass(frozen=True, slots=True)
class Newborn:
    """A birth as the civil-status agency registers it: what the register needs to give the
    child a personal ID (Luật Căn cước 2023, Điều 12: birth registration creates it). The
    child's residence is the parents' until one is registered (Luật Cư trú 2020, Điều 12)."""

    full_name: str
    date_of_birth: date
    sex: str
    ethnicity: str
    nationality: str
    hometown: str
    birth_registration_province_code: int
    mother_id: str | None
    father_id: str | None
    residence: Address

    def to_dict(self) -> dict[str, Any]:
        return {
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex,
            "ethnicity": self.ethnicity,
            "nationality": self.nationality,
            "hometown": self.hometown,
            "birth_registration_province_code": self.birth_registration_province_code,
            "mother_id": self.mother_id,
            "father_id": self.father_id,
            "residence": self.residence.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Newborn:
        """Read the JSON form back; raises ``KeyError``/``ValueError``/``TypeError`` when it is not one."""
        return cls(
            full_name=str(data["full_name"]),
            date_of_birth=date.fromisoformat(data["date_of_birth"]),
            sex=str(data["sex"]),
            ethnicity=str(data["ethnicity"]),
            nationality=str(data["nationality"]),
            hometown=str(data["hometown"]),
            birth_registration_province_code=int(data["birth_registration_province_code"]),
            mother_id=data.get("mother_id"),
            father_id=data.get("father_id"),
            residence=Address.from_dict(data["residence"]),
        )
