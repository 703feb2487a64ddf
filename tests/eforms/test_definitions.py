"""Form definitions: the shipped ones load and match the catalog; broken ones fail loudly."""
from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.catalog.service import load_catalog_file
from portal.eforms.definitions import (
    FIELD_TYPES,
    FORMS_DIR,
    Condition,
    Field,
    FormDefinition,
    FormDefinitionError,
    Option,
    Step,
    check_against_procedure,
    get_form_definition,
    load_form_definition,
    parse_form_definition,
)
from portal.eforms.prefill import parse_path
from portal.registry.records import PersonRecord

CATALOG = {p["code"]: p for p in load_catalog_file()["procedures"]}


# --- the shipped definitions ---------------------------------------------------------------


def test_every_procedure_has_a_form_and_every_form_a_procedure():
    assert {path.stem for path in FORMS_DIR.glob("*.yaml")} == set(CATALOG)


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_shipped_definition_loads_and_matches_the_catalog(code):
    definition = get_form_definition(code)
    check_against_procedure(definition, CATALOG[code]["required_documents"])
    assert definition.procedure_code == code
    assert 2 <= len(definition.steps) <= 4
    # The applicant comes from the register, and the form asks how to reach them.
    first = definition.steps[0]
    assert {"full_name", "personal_id"} <= {f.key for f in first.fields if f.prefill}
    assert {f.reuse for f in first.fields if f.reuse} >= {"phone", "email"}
    # The last step collects the documents, one per document of the procedure it needs.
    assert {f.type for f in definition.steps[-1].fields} == {"file"}
    for field in definition.fields:
        assert field.label_vi and field.label_en, field.key


def test_unknown_procedure_has_no_definition():
    with pytest.raises(LookupError):
        get_form_definition("9.999999")
    with pytest.raises(LookupError):
        get_form_definition("../catalog/data/catalog")


# --- broken definitions ----------------------------------------------------------------------

VALID: dict[str, Any] = {
    "procedure_code": "1.000001",
    "version": 1,
    "steps": [
        {
            "key": "about",
            "title_vi": "Thông tin",
            "title_en": "About you",
            "fields": [
                {"key": "name", "type": "text", "label_vi": "Họ tên", "label_en": "Name",
                 "prefill": "applicant.full_name"},
                {"key": "sex", "type": "select", "label_vi": "Giới tính", "label_en": "Sex",
                 "options": [{"value": "M", "label_vi": "Nam", "label_en": "Male"},
                             {"value": "F", "label_vi": "Nữ", "label_en": "Female"}]},
                {"key": "married", "type": "yesno", "label_vi": "Đã kết hôn?", "label_en": "Married?"},
                {"key": "partner", "type": "person", "label_vi": "Vợ/chồng", "label_en": "Spouse",
                 "visible_if": {"field": "married", "equals": True}},
            ],
        },
        {
            "key": "files",
            "title_vi": "Giấy tờ",
            "title_en": "Documents",
            "fields": [
                {"key": "form", "type": "file", "label_vi": "Tờ khai", "label_en": "Form",
                 "document": "form"},
            ],
        },
    ],
}


def _field(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for step in data["steps"] for f in step["fields"] if f["key"] == key)


def _set(field_key: str, /, **changes: Any):
    def mutate(data: dict[str, Any]) -> None:
        _field(data, field_key).update(changes)
    return mutate


def _drop(key: str, attribute: str):
    def mutate(data: dict[str, Any]) -> None:
        del _field(data, key)[attribute]
    return mutate


def _add_field(step: int, field: dict[str, Any], position: int | None = None):
    def mutate(data: dict[str, Any]) -> None:
        fields = data["steps"][step]["fields"]
        fields.insert(len(fields) if position is None else position, field)
    return mutate


def _top(**changes: Any):
    def mutate(data: dict[str, Any]) -> None:
        data.update(changes)
    return mutate


BROKEN = {
    "unknown type": (_set("name", type="colour"), "field 'name': unknown type 'colour'"),
    "duplicate key": (
        _add_field(1, {"key": "name", "type": "text", "label_vi": "A", "label_en": "A"}),
        "step 'files', field 'name': another field has the same key",
    ),
    "prefill on a file field": (
        _set("form", prefill="applicant.full_name"),
        "field 'form': a file field cannot be prefilled",
    ),
    "visible_if on an unknown field": (
        _set("partner", visible_if={"field": "ghost", "equals": True}),
        "field 'partner': visible_if refers to 'ghost', which is not a field before this one",
    ),
    "visible_if on a later field": (
        _set("sex", visible_if={"field": "married", "equals": True}),
        "field 'sex': visible_if refers to 'married', which is not a field before this one",
    ),
    "visible_if on the field itself": (
        _set("married", visible_if={"field": "married", "equals": True}),
        "visible_if cannot depend on the field itself",
    ),
    "visible_if on an impossible answer": (
        _set("partner", visible_if={"field": "sex", "equals": "X"}),
        "'X' is not a possible answer to the select field 'sex'",
    ),
    "visible_if on a person field": (
        _add_field(1, {"key": "x", "type": "text", "label_vi": "A", "label_en": "A",
                       "visible_if": {"field": "partner", "equals": "1"}}),
        "field 'x': visible_if refers to 'partner', a person field",
    ),
    "select without options": (_drop("sex", "options"), "field 'sex': a select field needs a non-empty list of options"),
    "options on a text field": (
        _set("name", options=[{"value": "a", "label_vi": "A", "label_en": "A"}]),
        "options are only for select fields, not text",
    ),
    "duplicate option": (
        _set("sex", options=[{"value": "M", "label_vi": "Nam", "label_en": "Male"}] * 2),
        "option value(s) M listed twice",
    ),
    "file field without document": (_drop("form", "document"), "field 'form': a file field must name the procedure's document"),
    "document on a text field": (_set("name", document="form"), "'document' is only for file fields"),
    "unknown validator": (
        _set("name", validators={"max_len": 3}),
        "unknown validator(s) max_len for a text field",
    ),
    "validator of another type": (
        _set("name", validators={"not_future": True}),
        "unknown validator(s) not_future for a text field",
    ),
    "negative length": (_set("name", validators={"max_length": -1}), "max_length must be a positive whole number"),
    "min above max": (
        _add_field(0, {"key": "n", "type": "number", "label_vi": "Số", "label_en": "N",
                       "validators": {"min": 5, "max": 1}}),
        "field 'n': validator min is greater than max",
    ),
    "pattern without its messages": (
        _set("name", prefill=None, validators={"pattern": "[a-z]+"}),
        "validator pattern needs pattern_message_vi",
    ),
    "pattern that is no regular expression": (
        _set("name", prefill=None, validators={"pattern": "(", "pattern_message_vi": "x", "pattern_message_en": "x"}),
        "validator pattern is not a regular expression",
    ),
    "unknown register attribute": (
        _set("name", prefill="applicant.shoe_size"),
        "prefill path 'applicant.shoe_size': 'applicant' has no 'shoe_size'",
    ),
    "unknown register root": (_set("name", prefill="citizen.full_name"), "must start with 'applicant', 'couple' or 'person"),
    "register value of the wrong kind": (
        _set("name", prefill="applicant.date_of_birth"),
        "gives a date value, which a text field cannot hold",
    ),
    "register path ending on a household": (
        _set("name", prefill="applicant.household"),
        "ends on a household, not on a value",
    ),
    "person path to a field on the same step": (
        _add_field(0, {"key": "x", "type": "text", "label_vi": "A", "label_en": "A",
                       "prefill": "person(partner).full_name"}),
        "needs 'partner' to be a person field on an earlier step",
    ),
    "prefill and reuse together": (_set("name", reuse="name"), "from the register (prefill) or from the profile (reuse), not both"),
    "misspelt attribute": (_set("name", lable_vi="Họ tên"), "unknown key(s) lable_vi in a field"),
    "missing English label": (_drop("name", "label_en"), "field 'name': 'label_en' must be non-empty text"),
    "required not a boolean": (_set("name", required="yes"), "'required' must be true or false"),
    "key with a hyphen": (_set("name", key="full-name"), "'key' must be lower-case letters"),
    "duplicate step": (
        lambda data: data["steps"][1].update(key="about"),
        "step 'about': another step has the same key",
    ),
    "step without fields": (lambda data: data["steps"][1].update(fields=[]), "step 'files': 'fields' must be a non-empty list"),
    "no steps": (_top(steps=[]), "'steps' must be a non-empty list"),
    "procedure code read as a number": (_top(procedure_code=1.000001), "'procedure_code' must be text"),
}


def _two_fields_remembering_the_phone(data: dict[str, Any]) -> None:
    for key in ("phone1", "phone2"):
        _add_field(0, {"key": key, "type": "phone", "label_vi": key, "label_en": key, "reuse": "phone"})(data)


# Two fields asking to remember the same profile key: which answer would be kept?
BROKEN["reuse key used twice"] = (
    _two_fields_remembering_the_phone,
    "field 'phone2': profile key 'phone' is already used by field 'phone1'",
)


def test_the_valid_example_is_valid():
    definition = parse_form_definition(copy.deepcopy(VALID), "example.yaml")
    assert [f.key for f in definition.fields] == ["name", "sex", "married", "partner", "form"]
    assert definition.field("partner").visible_if == Condition("married", True)
    assert definition.file_fields == (definition.field("form"),)


@pytest.mark.parametrize("mutate, message", list(BROKEN.values()), ids=list(BROKEN))
def test_a_broken_definition_fails_at_load_naming_the_problem(tmp_path: Path, mutate, message):
    data = copy.deepcopy(VALID)
    mutate(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(FormDefinitionError) as failure:
        load_form_definition(path)
    assert str(failure.value).startswith("broken.yaml")
    assert message in str(failure.value)


def test_a_file_that_is_not_yaml_fails_naming_the_file(tmp_path: Path):
    path = tmp_path / "garbled.yaml"
    path.write_text("steps: [unclosed", encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="garbled.yaml: cannot be read"):
        load_form_definition(path)


# --- matching the procedure's documents ---------------------------------------------------


def _documents(**required: bool) -> list[dict[str, Any]]:
    return [{"key": key, "name_vi": key, "name_en": key, "is_required": flag} for key, flag in required.items()]


def test_check_against_procedure_accepts_matching_documents():
    definition = parse_form_definition(copy.deepcopy(VALID))
    check_against_procedure(definition, _documents(form=True, optional_extra=False))


@pytest.mark.parametrize(
    "documents, message",
    [
        (_documents(form=True, proof=True), "no file field for the required document(s) proof"),
        (_documents(other=True), "field 'form': document 'form' is not one of the procedure's documents"),
        (_documents(form=False), "document 'form' is optional for the procedure, so the field must have required: false"),
    ],
    ids=["required document without field", "field for an unknown document", "required flags differ"],
)
def test_check_against_procedure_names_the_mismatch(documents, message):
    definition = parse_form_definition(copy.deepcopy(VALID))
    with pytest.raises(FormDefinitionError) as failure:
        check_against_procedure(definition, documents)
    assert message in str(failure.value)


# --- prefill paths -----------------------------------------------------------------------------


def test_every_register_attribute_can_be_a_prefill_path():
    nested = {"permanent_address", "current_address", "household"}
    for attribute in (f.name for f in dataclasses.fields(PersonRecord)):
        if attribute not in nested:
            assert parse_path(f"applicant.{attribute}")
    for path in (
        "applicant.permanent_address.full",
        "applicant.household.number",
        "applicant.household.head.full_name",
        "applicant.household.head.personal_id",
        "applicant.household.head.date_of_birth",
        "applicant.relation_to_head",
        "applicant.spouse.date_of_birth",
        "applicant.father.permanent_address.full",
        "couple.husband",
        "person(father).ethnicity",
    ):
        assert parse_path(path)


# --- round trip (Hypothesis) ---------------------------------------------------------------

KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
TEXT = st.text(
    alphabet=st.characters(categories=("L", "N", "P"), include_characters=" "), min_size=1, max_size=24
).filter(lambda s: s.strip())
PATHS_BY_TYPE = {
    "text": ["applicant.full_name", "applicant.ethnicity", "applicant.permanent_address.full",
             "applicant.household.head.full_name", "applicant.spouse.full_name"],
    "number": ["applicant.birth_registration_province_code", "applicant.current_address.ward_code"],
    "date": ["applicant.date_of_birth", "applicant.father.date_of_birth", "applicant.household.head.date_of_birth"],
    "address": ["applicant.permanent_address", "applicant.household.address"],
    "person": ["applicant", "applicant.spouse", "couple.wife", "applicant.household.head"],
}
VALIDATOR_CHOICES = {
    "text": st.fixed_dictionaries({}, optional={"max_length": st.integers(50, 500), "min_length": st.integers(1, 49)}),
    "textarea": st.fixed_dictionaries({}, optional={"max_length": st.integers(1, 2000)}),
    "number": st.fixed_dictionaries({}, optional={"min": st.integers(-10, 0), "max": st.integers(1, 10**9)}),
    "date": st.one_of(st.just({}), st.just({"not_future": True}), st.just({"not_past": True})),
    "email": st.fixed_dictionaries({}, optional={"max_length": st.integers(1, 200)}),
    "address": st.fixed_dictionaries({}, optional={"max_length": st.integers(1, 200)}),
}


@st.composite
def form_definitions(draw) -> FormDefinition:
    """Valid definitions: every reference points backwards, every value fits its type."""
    step_count = draw(st.integers(1, 3))
    all_keys = draw(st.lists(KEYS, min_size=step_count * 4 + 4, max_size=step_count * 4 + 4, unique=True))
    step_keys, field_keys = all_keys[:step_count], iter(all_keys[step_count:])
    earlier: list[tuple[Field, int]] = []
    reuse_keys = iter(["phone", "email", "occupation", "delivery_address", "note"])
    documents = iter(f"doc_{n}" for n in range(100))
    steps = []
    for index, step_key in enumerate(step_keys):
        fields = []
        for _ in range(draw(st.integers(1, 4))):
            field_type = draw(st.sampled_from(FIELD_TYPES))
            paths = list(PATHS_BY_TYPE.get(field_type, []))
            if field_type == "text":
                paths += [f"person({f.key}).full_name" for f, i in earlier if f.type == "person" and i < index]
            source = draw(st.sampled_from(["none", "prefill", "reuse"]))
            prefill = draw(st.sampled_from(paths)) if source == "prefill" and paths else None
            reuse = (
                next(reuse_keys, None)
                if source == "reuse" and field_type not in ("file", "person") else None
            )
            options = ()
            if field_type == "select":
                values = draw(st.lists(KEYS, min_size=1, max_size=4, unique=True))
                options = tuple(Option(v, draw(TEXT), draw(TEXT)) for v in values)
            conditions = [f for f, _ in earlier if f.type in ("yesno", "select", "number", "text")]
            visible_if = None
            if conditions and draw(st.booleans()):
                target = draw(st.sampled_from(conditions))
                equals = {
                    "yesno": st.booleans(),
                    "select": st.sampled_from([o.value for o in target.options]),
                    "number": st.integers(-5, 5),
                    "text": TEXT,
                }[target.type]
                visible_if = Condition(target.key, draw(equals))
            field = Field(
                key=next(field_keys),
                type=field_type,
                label_vi=draw(TEXT),
                label_en=draw(TEXT),
                hint_vi=draw(st.one_of(st.just(""), TEXT)),
                hint_en=draw(st.one_of(st.just(""), TEXT)),
                required=draw(st.booleans()),
                prefill=prefill,
                reuse=reuse,
                validators=MappingProxyType(draw(VALIDATOR_CHOICES.get(field_type, st.just({})))),
                options=options,
                visible_if=visible_if,
                document=next(documents) if field_type == "file" else None,
            )
            fields.append(field)
            earlier.append((field, index))
        steps.append(Step(step_key, draw(TEXT), draw(TEXT), draw(st.one_of(st.just(""), TEXT)), "", tuple(fields)))
    code = f"{draw(st.integers(1, 2))}.{draw(st.integers(0, 999_999)):06d}"
    return FormDefinition(code, draw(st.integers(1, 50)), tuple(steps))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definition=form_definitions())
def test_a_valid_definition_round_trips_through_the_loader(tmp_path_factory, definition):
    path = tmp_path_factory.mktemp("forms") / f"{definition.procedure_code}.yaml"
    path.write_text(yaml.safe_dump(definition.to_dict(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert load_form_definition(path) == definition
