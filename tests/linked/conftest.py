"""Shared by the linked-procedure tests: the newborns they register are taken out of the shared
test register again after each test."""
from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from portal.registry.models import Person
from portal.registry.store import get_engine
from tests.linked.helpers import forget_people

_NAMES = (f"Nguyễn {middle} {given}" for middle, given in itertools.product(
    ("Minh", "Gia", "Bảo", "Khánh", "Thiên", "Ngọc"), ("An", "Chi", "Lam", "Vy", "Hà", "My", "Thư", "Nhi")))


@pytest.fixture()
def child_name(register):
    """A name no one in the test register has; whoever gets it is removed after the test."""
    with get_engine(register).connect() as conn:
        taken = set(conn.execute(select(Person.full_name).where(Person.full_name.like("Nguyễn %"))).scalars())
    name = next(n for n in _NAMES if n not in taken)  # never a person of the register's own
    yield name
    forget_people(register, [name])
