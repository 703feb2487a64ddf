"""The register's storage: a bulk load refuses links to people who do not exist."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, insert, select

from portal.registry.models import Household, Person
from portal.registry.store import (
    RegisterIntegrityError,
    bulk_load,
    create_schema,
    database_size,
    drop_schema,
    ensure_database,
    get_engine,
)

PERSON = {
    "personal_id": "001090000001", "full_name": "Nguyễn Văn An", "date_of_birth": date(1990, 1, 2),
    "sex": "M", "ethnicity": "Kinh", "religion": "Không", "nationality": "Việt Nam",
    "birth_registration_province_code": 1, "hometown": "Phường Hoàn Kiếm, Thành phố Hà Nội",
    "permanent_province_code": 1, "permanent_ward_code": 70, "permanent_street": "Số 1 Tràng Tiền",
    "current_province_code": 1, "current_ward_code": 70, "current_street": "Số 1 Tràng Tiền",
    "household_number": "0010000001", "relation_to_head": "Chủ hộ",
    "marital_status": "Chưa kết hôn",
    "father_id": None, "mother_id": None, "spouse_id": None, "phone": None, "email": None,
}
HOUSEHOLD = {"household_number": "0010000001", "head_id": "001090000001", "province_code": 1,
             "ward_code": 70, "street": "Số 1 Tràng Tiền"}


@pytest.fixture()
def empty_register(scratch_url: str):
    ensure_database(scratch_url)
    engine = get_engine(scratch_url)
    drop_schema(engine)
    create_schema(engine)
    return engine


def _people(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Person)).scalar_one()


def test_bulk_load_keeps_consistent_rows(empty_register):
    with empty_register.connect() as conn, bulk_load(conn):
        # The person first refers to a household written after: checked only at the end.
        conn.execute(insert(Person), [PERSON])
        conn.execute(insert(Household), [HOUSEHOLD])

    assert _people(empty_register) == 1
    assert database_size(empty_register) > 0


def test_bulk_load_refuses_a_link_to_a_missing_person(empty_register):
    orphan = PERSON | {"father_id": "001050000009"}
    with pytest.raises(RegisterIntegrityError, match="register_people links to missing rows"):
        with empty_register.connect() as conn, bulk_load(conn):
            conn.execute(insert(Household), [HOUSEHOLD])
            conn.execute(insert(Person), [orphan])

    assert _people(empty_register) == 0
