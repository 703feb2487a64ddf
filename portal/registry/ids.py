"""Personal identification numbers (*số định danh cá nhân*): structure and checks.

A personal ID has 12 digits (Luật Căn cước 2023, Điều 12; structure in Nghị định
137/2015/NĐ-CP, Điều 7, detailed by Thông tư 59/2021/TT-BCA, Điều 4; DESIGN §2):

1. three digits: the code of the province where the birth was registered (annex I of
   Thông tư 07/2016/TT-BCA: the 63 provinces before the 2025 merger; each of the 34 provinces
   since 1 July 2025 kept one of those codes);
2. one digit for century and sex: 1900s male 0 / female 1, 2000s 2 / 3, 2100s 4 / 5;
3. two digits: the year of birth within the century;
4. six digits: a serial number.

Pure functions on plain values; nothing here touches a database.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Sex = Literal["M", "F"]

# Codes of the 63 provinces and centrally run cities (Thông tư 07/2016/TT-BCA, annex I).
PROVINCE_CODES: frozenset[int] = frozenset(
    {
        1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35,
        36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70,
        72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
    }
)

# The decree also reserves 6–9 for the 2200s and 2300s; no living person can hold those.
FIRST_CENTURY = 1900
LAST_CENTURY = 2100
ID_LENGTH = 12
MAX_SERIAL = 999_999


class InvalidPersonalId(ValueError):
    """The value is not a well-formed personal ID; the message says which part is wrong."""


@dataclass(frozen=True, slots=True)
class PersonalIdInfo:
    province_code: int
    sex: Sex
    birth_year: int
    serial: int


def century_sex_digit(sex: Sex, birth_year: int) -> int:
    """The fourth digit: ``(century - 19) * 2``, plus one for women."""
    if sex not in ("M", "F"):
        raise InvalidPersonalId(f"sex must be 'M' or 'F', not {sex!r}")
    if not FIRST_CENTURY <= birth_year < LAST_CENTURY + 100:
        raise InvalidPersonalId(
            f"birth year {birth_year} is outside {FIRST_CENTURY}–{LAST_CENTURY + 99}"
        )
    return (birth_year // 100 - 19) * 2 + (1 if sex == "F" else 0)


def make_personal_id(province_code: int, sex: Sex, birth_year: int, serial: int) -> str:
    """Build the 12-digit ID; raises :class:`InvalidPersonalId` if a part cannot be encoded."""
    if province_code not in PROVINCE_CODES:
        raise InvalidPersonalId(f"unknown province code {province_code:03d}")
    if not 0 <= serial <= MAX_SERIAL:
        raise InvalidPersonalId(f"serial {serial} is outside 0–{MAX_SERIAL}")
    digit = century_sex_digit(sex, birth_year)
    return f"{province_code:03d}{digit}{birth_year % 100:02d}{serial:06d}"


def parse_personal_id(value: str) -> PersonalIdInfo:
    """Split a personal ID into its parts, or raise :class:`InvalidPersonalId` saying why not."""
    if not isinstance(value, str):
        raise InvalidPersonalId(f"a personal ID is a string of digits, not {type(value).__name__}")
    if len(value) != ID_LENGTH:
        raise InvalidPersonalId(
            f"a personal ID has {ID_LENGTH} digits; this one has {len(value)} characters"
        )
    # str.isdigit() also accepts other scripts' digits and superscripts; only 0–9 are allowed.
    if not value.isascii() or not value.isdigit():
        raise InvalidPersonalId("a personal ID contains only the digits 0–9")
    province_code = int(value[:3])
    if province_code not in PROVINCE_CODES:
        raise InvalidPersonalId(f"{value[:3]} is not a province code of birth registration")
    digit = int(value[3])
    if digit > (LAST_CENTURY // 100 - 19) * 2 + 1:
        raise InvalidPersonalId(
            f"century/sex digit {digit} is not one of 0–5 "
            f"(births {FIRST_CENTURY}–{LAST_CENTURY + 99})"
        )
    return PersonalIdInfo(
        province_code=province_code,
        sex="F" if digit % 2 else "M",
        birth_year=FIRST_CENTURY + (digit // 2) * 100 + int(value[4:6]),
        serial=int(value[6:]),
    )


def is_valid_personal_id(value: str) -> bool:
    try:
        parse_personal_id(value)
    except InvalidPersonalId:
        return False
    return True
