"""Personal ID structure (DESIGN §2): built and read back, and every kind of bad input refused."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vietnam_provinces import Province

from portal.registry.ids import (
    PROVINCE_CODES,
    InvalidPersonalId,
    PersonalIdInfo,
    is_valid_personal_id,
    make_personal_id,
    parse_personal_id,
)

province_codes = st.sampled_from(sorted(PROVINCE_CODES))
sexes = st.sampled_from(["M", "F"])
birth_years = st.integers(min_value=1900, max_value=2199)
serials = st.integers(min_value=0, max_value=999_999)


def test_the_63_historical_codes_include_every_current_province():
    assert len(PROVINCE_CODES) == 63
    assert {int(p.code) for p in Province.iter_all()} <= PROVINCE_CODES


@given(province_codes, sexes, birth_years, serials)
def test_make_then_parse_gives_back_the_parts(province_code, sex, birth_year, serial):
    personal_id = make_personal_id(province_code, sex, birth_year, serial)

    assert len(personal_id) == 12 and personal_id.isdigit()
    assert personal_id[:3] == f"{province_code:03d}"
    assert personal_id[4:6] == f"{birth_year % 100:02d}"
    assert parse_personal_id(personal_id) == PersonalIdInfo(province_code, sex, birth_year, serial)
    assert is_valid_personal_id(personal_id)


@pytest.mark.parametrize(
    ("sex", "birth_year", "digit"),
    [("M", 1975, "0"), ("F", 1999, "1"), ("M", 2000, "2"), ("F", 2024, "3"),
     ("M", 2100, "4"), ("F", 2199, "5")],
)
def test_century_and_sex_digit(sex, birth_year, digit):
    assert make_personal_id(1, sex, birth_year, 42)[3] == digit


def test_known_examples():
    assert make_personal_id(1, "M", 1990, 123456) == "001090123456"
    assert parse_personal_id("079305000001") == PersonalIdInfo(79, "F", 2005, 1)


@given(st.text(alphabet="0123456789", max_size=20).filter(lambda s: len(s) != 12))
def test_wrong_length_is_refused(value):
    with pytest.raises(InvalidPersonalId, match="12 digits"):
        parse_personal_id(value)
    assert not is_valid_personal_id(value)


@given(
    st.text(min_size=12, max_size=12).filter(
        lambda s: not all(c in "0123456789" for c in s)
    )
)
def test_anything_but_ascii_digits_is_refused(value):
    with pytest.raises(InvalidPersonalId, match="only the digits 0–9"):
        parse_personal_id(value)


def test_other_scripts_digits_are_refused():
    # "٠٠١٠٩٠١٢٣٤٥٦" is 001090123456 in Arabic-Indic digits: str.isdigit() says yes.
    with pytest.raises(InvalidPersonalId, match="only the digits"):
        parse_personal_id("٠٠١٠٩٠١٢٣٤٥٦")


@given(
    st.integers(min_value=0, max_value=999).filter(lambda c: c not in PROVINCE_CODES),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)
def test_unknown_province_code_is_refused(code, rest):
    with pytest.raises(InvalidPersonalId, match=f"{code:03d} is not a province code"):
        parse_personal_id(f"{code:03d}{rest}")
    with pytest.raises(InvalidPersonalId, match="unknown province code"):
        make_personal_id(code, "M", 1990, 1)


@given(province_codes, st.sampled_from("6789"), st.from_regex(r"\A[0-9]{8}\Z"))
def test_century_digit_beyond_2199_is_refused(code, digit, rest):
    with pytest.raises(InvalidPersonalId, match=f"century/sex digit {digit}"):
        parse_personal_id(f"{code:03d}{digit}{rest}")


def test_not_a_string_is_refused():
    with pytest.raises(InvalidPersonalId, match="string"):
        parse_personal_id(1090123456)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1, "X", 1990, 1), "sex"),
        ((1, "M", 1899, 1), "birth year 1899"),
        ((1, "F", 2200, 1), "birth year 2200"),
        ((1, "M", 1990, 1_000_000), "serial"),
        ((1, "M", 1990, -1), "serial"),
    ],
)
def test_make_refuses_what_cannot_be_encoded(args, message):
    with pytest.raises(InvalidPersonalId, match=message):
        make_personal_id(*args)
