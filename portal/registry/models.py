"""Tables of the mock national population register (*Cơ sở dữ liệu quốc gia về dân cư*).

The register is its own database with its own declarative base, never the portal's ``db``: the
portal reads it only through :mod:`portal.registry.client`. The tables carry a ``register_``
prefix because some deployments put them in the portal's database.

Links between people (parents, spouse, household head) are foreign keys, so the database itself
guarantees that every referenced person exists. The spouse and household-head links form
cycles, hence deferred checking: a couple or a new household is written in one transaction.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, MetaData, SmallInteger, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PERSONAL_ID = String(12)
HOUSEHOLD_NUMBER = String(10)

RELATION_HEAD = "Chủ hộ"


class RegistryBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Household(RegistryBase):
    """A household (*hộ gia đình*): one head, its members, one permanent address."""

    __tablename__ = "register_households"

    household_number: Mapped[str] = mapped_column(HOUSEHOLD_NUMBER, primary_key=True)
    # use_alter: the two tables refer to each other, so one link is added after both exist.
    head_id: Mapped[str] = mapped_column(
        PERSONAL_ID,
        ForeignKey(
            "register_people.personal_id", deferrable=True, initially="DEFERRED", use_alter=True
        ),
    )
    province_code: Mapped[int] = mapped_column(SmallInteger)
    ward_code: Mapped[int]
    street: Mapped[str] = mapped_column(String(200))


class Person(RegistryBase):
    """One citizen's record (*thông tin công dân*)."""

    __tablename__ = "register_people"
    __table_args__ = (
        CheckConstraint("sex IN ('M', 'F')", name="sex"),
        # Members of a household are read together with the person (client.get_person).
        Index(None, "household_number"),
    )

    personal_id: Mapped[str] = mapped_column(PERSONAL_ID, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    ethnicity: Mapped[str] = mapped_column(String(40))
    religion: Mapped[str] = mapped_column(String(40))
    nationality: Mapped[str] = mapped_column(String(40))
    birth_registration_province_code: Mapped[int] = mapped_column(SmallInteger)
    hometown: Mapped[str] = mapped_column(String(200))

    permanent_province_code: Mapped[int] = mapped_column(SmallInteger)
    permanent_ward_code: Mapped[int]
    permanent_street: Mapped[str] = mapped_column(String(200))
    current_province_code: Mapped[int] = mapped_column(SmallInteger)
    current_ward_code: Mapped[int]
    current_street: Mapped[str] = mapped_column(String(200))

    household_number: Mapped[str | None] = mapped_column(
        HOUSEHOLD_NUMBER, ForeignKey("register_households.household_number")
    )
    relation_to_head: Mapped[str | None] = mapped_column(String(20))
    marital_status: Mapped[str] = mapped_column(String(20))

    father_id: Mapped[str | None] = mapped_column(
        PERSONAL_ID, ForeignKey("register_people.personal_id")
    )
    mother_id: Mapped[str | None] = mapped_column(
        PERSONAL_ID, ForeignKey("register_people.personal_id")
    )
    spouse_id: Mapped[str | None] = mapped_column(
        PERSONAL_ID,
        ForeignKey("register_people.personal_id", deferrable=True, initially="DEFERRED"),
    )

    phone: Mapped[str | None] = mapped_column(String(15))
    email: Mapped[str | None] = mapped_column(String(120))
