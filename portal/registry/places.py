"""The administrative units in force since 1 July 2025: 34 provinces and their communes/wards.

Read once from the ``vietnam-provinces`` package; there are no districts any more.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, VietNamDivisionType, Ward


@dataclass(frozen=True, slots=True)
class WardInfo:
    code: int
    name: str
    province_code: int
    is_urban: bool


@cache
def province_names() -> dict[int, str]:
    """Province code → name as written in an address ("Thành phố Hà Nội", "Tỉnh Cao Bằng")."""
    return {
        int(p.code): p.name if p.division_type != VietNamDivisionType.TINH else f"Tỉnh {p.name}"
        for p in Province.iter_all()
    }


@cache
def wards() -> dict[int, WardInfo]:
    return {
        int(w.code): WardInfo(
            code=int(w.code),
            name=w.name,
            province_code=int(w.province_code),
            is_urban=w.division_type == VietNamDivisionType.PHUONG,
        )
        for w in Ward.iter_all()
    }


def province_name(code: int) -> str:
    return province_names().get(code, f"({code:03d})")


def ward_name(code: int) -> str:
    ward = wards().get(code)
    return ward.name if ward else f"({code})"
