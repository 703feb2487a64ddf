"""Provinces and wards for address fields: the lists the selects show and the checks behind them.

Built on :mod:`portal.registry.places` (34 provinces and their communes/wards since
1 July 2025, no districts), so an address typed into a form and one read from the register
carry the same codes and names.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

from portal.registry.places import province_names, wards
from portal.registry.records import Address
from portal.textutil import fold

# Sorting by the name without its kind ("Tỉnh", "Phường"…) puts "Bắc Ninh" next to "Bà Rịa".
_KIND_PREFIXES = ("thanh pho ", "tinh ", "phuong ", "xa ", "dac khu ")


@dataclass(frozen=True, slots=True)
class Place:
    code: int
    name: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name}


def _sort_key(place: Place) -> tuple[str, int]:
    folded = fold(place.name)
    for prefix in _KIND_PREFIXES:
        if folded.startswith(prefix):
            folded = folded[len(prefix):]
            break
    return folded, place.code


@cache
def provinces() -> tuple[Place, ...]:
    return tuple(sorted((Place(code, name) for code, name in province_names().items()), key=_sort_key))


@cache
def _wards_by_province() -> dict[int, tuple[Place, ...]]:
    grouped: dict[int, list[Place]] = defaultdict(list)
    for ward in wards().values():
        grouped[ward.province_code].append(Place(ward.code, ward.name))
    return {code: tuple(sorted(places, key=_sort_key)) for code, places in grouped.items()}


def is_province(code: int) -> bool:
    return code in province_names()


def wards_of(province_code: int) -> tuple[Place, ...]:
    """The wards and communes of a province, by name; empty for an unknown province."""
    return _wards_by_province().get(province_code, ())


def is_ward_of(ward_code: int, province_code: int) -> bool:
    ward = wards().get(ward_code)
    return ward is not None and ward.province_code == province_code


def address(province_code: int, ward_code: int, street: str) -> Address:
    """The address with these codes, named as the register names them; codes already checked."""
    return Address(
        province_code=province_code,
        province_name=province_names()[province_code],
        ward_code=ward_code,
        ward_name=wards()[ward_code].name,
        street=street,
    )
