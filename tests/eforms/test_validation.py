"""Checking a submitted step: conversion, validators, locked register values, visibility,
person fields with the register up and down. Messages are checked in English (the msgids)."""
from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from portal.eforms.definitions import get_form_definition, parse_form_definition
from portal.eforms.prefill import registry_prefill
from portal.eforms.validation import clean_step
from portal.registry.client import FailingRegistryClient
from portal.registry.places import wards

TODAY = date(2026, 7, 1)
HANOI, BA_DINH, HOAN_KIEM = 1, 4, 70
OTHER_PROVINCE_WARD = next(code for code, ward in wards().items() if ward.province_code != HANOI)


def _field(key: str, type_: str, label: str, **extra) -> dict:
    return {"key": key, "type": type_, "label_vi": label, "label_en": label, **extra}


FORM = parse_form_definition({
    "procedure_code": "1.000001",
    "steps": [{
        "key": "all",
        "title_vi": "Tất cả",
        "title_en": "Everything",
        "fields": [
            _field("name", "text", "Full name", validators={"min_length": 2, "max_length": 10}),
            _field("code", "text", "Tax code", required=False, validators={
                "pattern": r"\d{10}", "pattern_message_vi": "Mã số thuế gồm 10 chữ số",
                "pattern_message_en": "A tax code has 10 digits"}),
            _field("note", "textarea", "Note", required=False),
            _field("capital", "number", "Capital", required=False, validators={"min": 1, "max": 1_000_000_000}),
            _field("born", "date", "Date of birth", required=False, validators={"not_future": True}),
            _field("start", "date", "Start date", required=False, validators={"not_past": True}),
            _field("kind", "select", "Kind", required=False, options=[
                {"value": "a", "label_vi": "A", "label_en": "A"}, {"value": "b", "label_vi": "B", "label_en": "B"}]),
            _field("married", "yesno", "Married before", required=False),
            _field("divorce", "text", "Divorce judgment", visible_if={"field": "married", "equals": True}),
            _field("email", "email", "Email", required=False),
            _field("phone", "phone", "Phone", required=False),
            _field("home", "address", "Home", required=False, validators={"max_length": 20}),
            _field("father", "person", "Father", required=False),
            _field("upload", "file", "Upload", document="form"),
        ],
    }],
})
STEP = FORM.steps[0]


def clean(data: dict, answers=None, locked=None, lookup=None):
    return clean_step(STEP, MultiDict(data), answers or {}, locked or {}, lookup, today=TODAY)


def value_of(key: str, text: str, **more):
    result = clean({"name": "An", key: text, **more})
    return result.values.get(key), result.errors.get(key)


pytestmark = pytest.mark.usefixtures("english")


# --- text, validators ----------------------------------------------------------------------


def test_a_required_field_left_blank_says_what_to_enter():
    result = clean({"name": "   "})
    assert result.errors["name"] == "Enter full name"
    assert result.raw["name"] == "   "


def test_optional_fields_left_blank_are_empty_answers():
    result = clean({"name": "An"})
    assert result.errors == {}
    assert result.values["code"] is None and result.values["capital"] is None and result.values["home"] is None
    assert result.is_valid


def test_text_is_trimmed():
    assert value_of("note", "  line one\r\nline two  ") == ("line one\nline two", None)


@pytest.mark.parametrize(
    "text, error",
    [
        ("A", "Full name must be 2 characters or more"),
        ("Nguyễn Văn An", "Full name must be 10 characters or fewer"),
        ("Lê Na", None),
    ],
)
def test_length_validators(text, error):
    assert clean({"name": text}).errors.get("name") == error


def test_pattern_validator_uses_the_definitions_message():
    assert value_of("code", "12345") == (None, "A tax code has 10 digits")
    assert value_of("code", "0101234567") == ("0101234567", None)


@pytest.mark.parametrize(
    "text, value, error",
    [
        ("500000000", 500_000_000, None),
        ("500.000.000", 500_000_000, None),  # as written in Vietnamese
        ("500,000,000", 500_000_000, None),
        ("5,5", None, "Capital must be a whole number, in digits only"),
        ("năm triệu", None, "Capital must be a whole number, in digits only"),
        ("0", None, "Capital must be 1 or more"),
        ("2000000000", None, "Capital must be 1,000,000,000 or less"),
    ],
)
def test_number(text, value, error):
    assert value_of("capital", text) == (value, error)


@pytest.mark.parametrize(
    "key, text, value, error",
    [
        ("born", "1990-03-27", "1990-03-27", None),
        ("born", "27/03/1990", "1990-03-27", None),
        ("born", "31/02/1990", None, "Date of birth must be a real date, like 27/03/2007"),
        ("born", "yesterday", None, "Date of birth must be a real date, like 27/03/2007"),
        ("born", "2026-07-01", "2026-07-01", None),
        ("born", "2026-07-02", None, "Date of birth must be today or in the past"),
        ("start", "2026-06-30", None, "Start date must be today or in the future"),
        ("start", "2026-07-01", "2026-07-01", None),
    ],
)
def test_dates(key, text, value, error):
    assert value_of(key, text) == (value, error)


def test_select_accepts_only_its_options():
    assert value_of("kind", "b") == ("b", None)
    assert value_of("kind", "z") == (None, "Choose one of the options listed")


def test_yes_no():
    assert value_of("married", "no") == (False, None)
    assert value_of("married", "maybe") == (None, "Choose yes or no")


@pytest.mark.parametrize(
    "text, value, error",
    [
        ("an.nguyen@example.vn", "an.nguyen@example.vn", None),
        ("an.nguyen@", None, "Enter an email address in the correct format, like name@example.com"),
        ("an nguyen@example.vn", None, "Enter an email address in the correct format, like name@example.com"),
    ],
)
def test_email(text, value, error):
    assert value_of("email", text) == (value, error)


@pytest.mark.parametrize(
    "text, value",
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("024 3825 1234", "02438251234"),  # a Hà Nội landline
        ("0312.345.678", "0312345678"),
        ("091234567", None),
        ("0112345678", None),
        ("+1 202 555 0100", None),
    ],
)
def test_vietnamese_phone_numbers(text, value):
    result_value, error = value_of("phone", text)
    assert result_value == value
    assert (error is None) == (value is not None)
    if error:
        assert error == "Enter a phone number like 0912345678 or +84912345678"


# --- address -----------------------------------------------------------------------------------


def test_address_takes_codes_and_names_from_the_administrative_units():
    result = clean({"name": "An", "home-province": "1", "home-ward": str(BA_DINH), "home-street": " 12 Đội Cấn "})
    assert result.values["home"] == {
        "province_code": 1, "province_name": "Thành phố Hà Nội",
        "ward_code": BA_DINH, "ward_name": "Phường Ba Đình", "street": "12 Đội Cấn",
    }
    assert result.raw["home"] == {"province": "1", "ward": str(BA_DINH), "street": " 12 Đội Cấn "}


@pytest.mark.parametrize(
    "parts, error",
    [
        (("", str(BA_DINH), "12 Đội Cấn"), "Choose the province or city"),
        (("99", "", "12 Đội Cấn"), "Choose the province or city"),
        (("1", "", "12 Đội Cấn"), "Choose the ward or commune"),
        (("1", str(OTHER_PROVINCE_WARD), "12 Đội Cấn"), "The ward or commune chosen is not in this province; choose it again"),
        (("1", str(HOAN_KIEM), ""), "Enter the house number and street, or the hamlet or village"),
        (("1", str(HOAN_KIEM), "Số 1 ngõ 2 phố Hàng Bông"), "House number and street, or hamlet or village must be 20 characters or fewer"),
    ],
)
def test_address_errors(parts, error):
    province, ward, street = parts
    result = clean({"name": "An", "home-province": province, "home-ward": ward, "home-street": street})
    assert result.errors["home"] == error
    assert "home" not in result.values


# --- visibility --------------------------------------------------------------------------------


def test_a_hidden_field_is_dropped_and_not_required():
    result = clean({"name": "An", "married": "no", "divorce": "typed anyway"})
    assert "divorce" not in result.values and "divorce" not in result.errors


def test_a_shown_field_is_required():
    result = clean({"name": "An", "married": "yes"})
    assert result.errors["divorce"] == "Enter divorce judgment"
    result = clean({"name": "An", "married": "yes", "divorce": "12/2020/HNGĐ-ST"})
    assert result.values["divorce"] == "12/2020/HNGĐ-ST"


def test_visibility_follows_earlier_answers_when_the_condition_is_on_another_step():
    form = get_form_definition("1.004873")
    request = form.step("request")
    data = MultiDict({"purpose": "other", "other_purpose": "Vay vốn", "previously_married": "no"})
    result = clean_step(request, data, {}, {}, None, today=TODAY)
    assert result.values == {"purpose": "other", "other_purpose": "Vay vốn", "previously_married": False}
    assert form.field("doc_divorce_or_death").is_visible(result.values) is False
    assert form.field("doc_divorce_or_death").is_visible({"previously_married": True}) is True
    # The documents step renders the divorce upload only after a "yes".
    documents = form.step("documents")
    assert [f.key for f in documents.fields_to_show(result.values)] == []  # the request form is the e-form itself (issue 17)


def test_file_fields_are_left_to_the_upload_code():
    result = clean({"name": "An", "upload": "x.pdf"})
    assert "upload" not in result.values and "upload" not in result.errors


# --- locked register values ------------------------------------------------------------------


LOCKED_MESSAGE = (
    "This information comes from the national population database and cannot be changed here. "
    "To correct it, contact the police where you live."
)


@pytest.fixture()
def applicant_step(citizen, registry_client):
    definition = get_form_definition("1.004222")
    locked = registry_prefill(definition, citizen, registry_client.get_person)
    return definition.step("applicant"), locked


def _as_submitted(locked: dict) -> MultiDict:
    """What the browser sends back for the read-only register fields."""
    data = MultiDict({"phone": "0912345678"})
    for key, value in locked.items():
        if isinstance(value, dict):
            data.update({f"{key}-province": str(value["province_code"]),
                         f"{key}-ward": str(value["ward_code"]), f"{key}-street": value["street"]})
        else:
            data[key] = str(value)
    return data


def test_register_values_sent_back_unchanged_are_accepted(applicant_step):
    step, locked = applicant_step
    result = clean_step(step, _as_submitted(locked), {}, locked, None, today=TODAY)
    assert result.errors == {}
    assert {k: result.values[k] for k in locked} == locked


@pytest.mark.parametrize(
    "key, tampered",
    [
        ("full_name", "Somebody Else"),
        ("date_of_birth", "1970-01-01"),
        ("date_of_birth", "not a date"),
        ("sex", "X"),
        ("personal_id", "001090012345"),
        ("permanent_address-street", "1 Tràng Tiền"),
        ("permanent_address-ward", "70"),
    ],
)
def test_a_changed_register_value_is_refused_and_the_register_wins(applicant_step, key, tampered):
    step, locked = applicant_step
    data = _as_submitted(locked)
    data[key] = tampered
    result = clean_step(step, data, {}, locked, None, today=TODAY)
    field_key = key.split("-")[0]
    assert result.errors == {field_key: LOCKED_MESSAGE}
    assert result.values[field_key] == locked[field_key]


def test_register_values_left_out_of_the_submission_are_kept(applicant_step):
    step, locked = applicant_step
    result = clean_step(step, MultiDict({"phone": "0912345678"}), {}, locked, None, today=TODAY)
    assert result.errors == {}
    assert result.values["full_name"] == locked["full_name"]


def test_without_the_register_the_same_fields_are_the_citizens_to_fill(applicant_step):
    step, _ = applicant_step
    result = clean_step(step, MultiDict({"phone": "0912345678"}), {}, {}, None, today=TODAY)
    assert result.errors["full_name"] == "Enter full name"
    assert result.errors["sex"] == "Choose sex"
    assert result.errors["permanent_address"] == "Enter current permanent residence"


def test_a_locked_person_cannot_be_swapped(citizen, registry_client):
    definition = get_form_definition("1.001193")
    locked = registry_prefill(definition, citizen, registry_client.get_person)
    parents = definition.step("parents")
    data = MultiDict({"mother-personal_id": locked["mother"]["personal_id"],
                      "father-personal_id": citizen.mother_id})
    result = clean_step(parents, data, {}, locked, registry_client.get_person, today=TODAY)
    assert result.errors == {"father": LOCKED_MESSAGE}
    assert result.values == {"mother": locked["mother"], "father": locked["father"]}


# --- person fields ---------------------------------------------------------------------------


def test_a_known_id_brings_name_and_birth_date_from_the_register(citizen, registry_client):
    result = clean({"name": "An", "father-personal_id": f" {citizen.personal_id} ", "father-full_name": "Typed"},
                   lookup=registry_client.get_person)
    assert result.values["father"] == {
        "personal_id": citizen.personal_id,
        "full_name": citizen.full_name,
        "date_of_birth": citizen.date_of_birth.isoformat(),
    }
    assert result.unverified == set() and not result.is_register_down


def test_an_unknown_id_is_an_error_next_to_the_field(registry_client):
    result = clean({"name": "An", "father-personal_id": "001099999999"}, lookup=registry_client.get_person)
    assert result.errors["father"] == (
        "No one with this personal ID number is in the national population database; check the number"
    )
    assert result.raw["father"]["personal_id"] == "001099999999"


@pytest.mark.parametrize("typed", ["12345", "0010999999999", "00109999999a", "999099999999"])
def test_a_malformed_id_is_an_error(registry_client, typed):
    result = clean({"name": "An", "father-personal_id": typed}, lookup=registry_client.get_person)
    assert result.errors["father"] == "Enter a valid personal ID number of 12 digits, like 001090012345"


def test_with_the_register_down_the_typed_name_and_birth_date_are_taken_unverified():
    result = clean(
        {"name": "An", "father-personal_id": "001090012345", "father-full_name": " Trần  Văn Ba ",
         "father-date_of_birth": "05/06/1990"},
        lookup=FailingRegistryClient().get_person,
    )
    assert result.errors == {}
    assert result.values["father"] == {"personal_id": "001090012345", "full_name": "Trần Văn Ba", "date_of_birth": "1990-06-05"}
    assert result.unverified == {"father"} and result.is_register_down


def test_with_the_register_down_name_and_birth_date_are_needed():
    result = clean({"name": "An", "father-personal_id": "001090012345"}, lookup=FailingRegistryClient().get_person)
    assert result.errors["father"] == (
        "The national population database cannot be reached right now: enter the full name and date of birth as well"
    )
    assert result.is_register_down and result.unverified == set()


def test_with_the_register_down_the_birth_year_must_match_the_id():
    result = clean(
        {"name": "An", "father-personal_id": "001090012345", "father-full_name": "Trần Văn Ba",
         "father-date_of_birth": "1991-06-05"},
        lookup=None,
    )
    assert result.errors["father"] == "The date of birth does not match the personal ID number"
