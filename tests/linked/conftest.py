"""Shared by the linked-procedure tests: the newborns they register are taken out of the shared
test register again after each test."""
from __future__ import annotations

import itertools

import pytest

from tests.linked.helpers import forget_people

_NAMES = (f"Nguyễn {middle} {given}" for middle, given in itertools.product(
    ("Minh", "Gia", "Bảo", "Khánh", "Thiên", "Ngọc"), ("An", "Chi", "Lam", "Vy", "Hà", "My", "Thư", "Nhi")))


@pytest.fixture()
def child_name(register):
    """A name no one in the test register has; whoever gets it is removed after the test."""
    name = next(_NAMES)
    yield name
    forget_people(register, [name])
