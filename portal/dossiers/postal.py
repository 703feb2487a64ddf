"""A mock of the public postal service's dispatch API: it hands out tracking numbers.

Numbers follow the UPU S10 standard used by Vietnam Post (``EB123456785VN``): two letters,
eight digits, a check digit (weights 8 6 4 2 3 5 9 7, mod 11) and the country code.
"""
from __future__ import annotations

import secrets

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    remainder = 11 - sum(int(d) * w for d, w in zip(serial, WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(remainder, remainder)


def is_valid_tracking_number(number: str) -> bool:
    number = number.strip().upper()
    if len(number) != 13 or not number[:2].isalpha() or not number[2:11].isdigit() or number[11:] != "VN":
        return False
    return s10_check_digit(number[2:10]) == int(number[10])


def new_tracking_number() -> str:
    serial = f"{secrets.randbelow(10**8):08d}"
    return f"EB{serial}{s10_check_digit(serial)}VN"
