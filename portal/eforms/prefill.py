"""Prefill: the citizen never types what the state knows, nor twice what they told us before.

Nghị định 45/2020/NĐ-CP (Điều 12, Điều 13) forbids asking for data the state already holds and
requires e-forms to reuse the citizen's data. Two sources, both pure functions:

1. :func:`registry_prefill` follows each field's ``prefill`` path into the citizen's record in
   the national population register (and their relatives' records, through ``lookup``). Those
   values are *locked*: the form shows them read-only and the server refuses any change.
2. :func:`profile_prefill` offers what the citizen gave in earlier dossiers (the ``reuse`` key
   of a field → the account's profile); those stay editable, and :func:`profile_updates` gives
   what to write back to the profile once the dossier is submitted.

A prefill path starts at a root and walks attributes, e.g. ``applicant.full_name``,
``applicant.permanent_address`` (an address value), ``applicant.permanent_address.full``
(one line), ``applicant.household.head.full_name``, ``applicant.spouse`` (a person value),
``person(father).date_of_birth`` (the person typed into the ``father`` field). Roots:

- ``applicant`` — the citizen's own record;
- ``couple.husband`` / ``couple.wife`` — of the applicant and their spouse, the man / the woman
  (the applicant themself when of that sex): who the father and mother of a child born in the
  marriage are presumed to be (Luật Hôn nhân và gia đình 2014, Điều 88);
- ``person(<field key>)`` — the register's record of the person entered in a ``person`` field.

Paths are checked when a form definition is loaded (:func:`parse_path`), so a typo fails the
load, not a citizen's form. Missing data (no spouse, no household) leaves the field unfilled.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from portal.registry.records import Address, HouseholdMember, PersonRecord

if TYPE_CHECKING:
    from portal.eforms.definitions import FormDefinition

Lookup = Callable[[str], PersonRecord | None]

# What a path ends on. The first three are plain values; the others are records.
TEXT, INT, DATE = "text", "int", "date"
ADDRESS, RECORD, MEMBER, HOUSEHOLD, COUPLE = "address", "record", "member", "household", "couple"

# Which kinds of value each field type can be filled with.
KINDS_BY_FIELD_TYPE: dict[str, frozenset[str]] = {
    "text": frozenset({TEXT}),
    "textarea": frozenset({TEXT}),
    "select": frozenset({TEXT}),
    "email": frozenset({TEXT}),
    "phone": frozenset({TEXT}),
    "number": frozenset({INT}),
    "date": frozenset({DATE}),
    "address": frozenset({ADDRESS}),
    "person": frozenset({RECORD, MEMBER}),
    "yesno": frozenset(),
    "file": frozenset(),
}

Getter = Callable[[Any, Lookup], Any]


def _attr(name: str) -> Getter:
    return lambda node, lookup: getattr(node, name)


def _relative(id_attr: str) -> Getter:
    def get(record: PersonRecord, lookup: Lookup) -> PersonRecord | None:
        personal_id = getattr(record, id_attr)
        return lookup(personal_id) if personal_id else None

    return get


def _partner(sex: str) -> Getter:
    def get(applicant: PersonRecord, lookup: Lookup) -> PersonRecord | None:
        if applicant.sex == sex:
            return applicant
        spouse = lookup(applicant.spouse_id) if applicant.spouse_id else None
        return spouse if spouse is not None and spouse.sex == sex else None

    return get


def _plain(kind: str, *names: str) -> dict[str, tuple[str, Getter]]:
    return {name: (kind, _attr(name)) for name in names}


# For each kind of record: attribute → (kind of what it leads to, how to get it).
_SCHEMA: dict[str, dict[str, tuple[str, Getter]]] = {
    RECORD: {
        **_plain(
            TEXT,
            "personal_id", "full_name", "sex", "ethnicity", "religion", "nationality",
            "birth_registration_province_name", "hometown", "marital_status", "phone", "email",
            "father_id", "mother_id", "spouse_id", "household_number", "relation_to_head",
        ),
        **_plain(INT, "birth_registration_province_code"),
        **_plain(DATE, "date_of_birth"),
        **_plain(ADDRESS, "permanent_address", "current_address"),
        **_plain(HOUSEHOLD, "household"),
        "father": (RECORD, _relative("father_id")),
        "mother": (RECORD, _relative("mother_id")),
        "spouse": (RECORD, _relative("spouse_id")),
    },
    MEMBER: {
        **_plain(TEXT, "personal_id", "full_name", "sex", "relation_to_head"),
        **_plain(DATE, "date_of_birth"),
    },
    HOUSEHOLD: {
        **_plain(TEXT, "number", "head_id", "head_full_name", "relation_to_head"),
        "head": (MEMBER, _attr("head")),
        "address": (ADDRESS, _attr("address")),
    },
    ADDRESS: {
        **_plain(TEXT, "full", "province_name", "ward_name", "street"),
        **_plain(INT, "province_code", "ward_code"),
    },
    COUPLE: {
        "husband": (RECORD, _partner("M")),
        "wife": (RECORD, _partner("F")),
    },
}

_PERSON_ROOT = re.compile(r"person\(([a-z][a-z0-9_]*)\)")
_VALUE_KINDS = {TEXT, INT, DATE, ADDRESS, RECORD, MEMBER}


@dataclass(frozen=True, slots=True)
class PrefillPath:
    """A parsed prefill path: where it starts, the attributes it walks, what it ends on."""

    root: str  # "applicant", "couple" or "person"
    person_field: str | None  # the field key of a person(<key>) root
    segments: tuple[str, ...]
    kind: str


@cache
def parse_path(text: str) -> PrefillPath:
    """Parse and check a prefill path; raises ``ValueError`` saying what is wrong with it."""
    if not isinstance(text, str) or not text:
        raise ValueError("a prefill path is text such as 'applicant.full_name'")
    head, *segments = text.split(".")
    person = _PERSON_ROOT.fullmatch(head)
    if head == "applicant":
        root, person_field, kind = "applicant", None, RECORD
    elif head == "couple":
        root, person_field, kind = "couple", None, COUPLE
    elif person:
        root, person_field, kind = "person", person.group(1), RECORD
    else:
        raise ValueError(
            f"prefill path '{text}' must start with 'applicant', 'couple' or 'person(<field key>)'"
        )
    walked = head
    for segment in segments:
        attributes = _SCHEMA.get(kind, {})
        if segment not in attributes:
            known = ", ".join(sorted(attributes)) or "nothing"
            raise ValueError(
                f"prefill path '{text}': '{walked}' has no '{segment}' (it has {known})"
            )
        kind = attributes[segment][0]
        walked = f"{walked}.{segment}"
    if kind not in _VALUE_KINDS:
        raise ValueError(f"prefill path '{text}' ends on a {kind}, not on a value; go further")
    return PrefillPath(root, person_field, tuple(segments), kind)


def address_value(address: Address) -> dict[str, Any]:
    """The JSON value of an address answer (the one-line ``full`` is derived, not stored)."""
    return {
        "province_code": address.province_code,
        "province_name": address.province_name,
        "ward_code": address.ward_code,
        "ward_name": address.ward_name,
        "street": address.street,
    }


def person_value(person: PersonRecord | HouseholdMember) -> dict[str, str]:
    """The JSON value of a person answer: who, as the register knows them."""
    return {
        "personal_id": person.personal_id,
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth.isoformat(),
    }


def _json_value(kind: str, node: Any) -> Any:
    if node is None or node == "":
        return None
    if kind == ADDRESS:
        return address_value(node)
    if kind in (RECORD, MEMBER):
        return person_value(node)
    if kind == DATE:
        return node.isoformat() if isinstance(node, date) else str(node)
    if kind == INT:
        return int(node)
    return str(node)


def _root(path: PrefillPath, applicant: PersonRecord, lookup: Lookup, answers: Mapping[str, Any]) -> Any:
    if path.root != "person":
        return applicant
    chosen = answers.get(path.person_field)
    personal_id = chosen.get("personal_id") if isinstance(chosen, Mapping) else None
    return lookup(personal_id) if personal_id else None


def resolve_path(
    text: str, applicant: PersonRecord, lookup: Lookup, answers: Mapping[str, Any] | None = None
) -> Any:
    """The JSON-ready value a prefill path leads to, or ``None`` when the register has none.

    ``lookup`` may raise :class:`~portal.registry.client.RegistryUnavailable`; it propagates.
    """
    path = parse_path(text)
    kind = RECORD if path.root != "couple" else COUPLE
    node = _root(path, applicant, lookup, answers or {})
    for segment in path.segments:
        if node is None:
            return None
        kind, get = _SCHEMA[kind][segment]
        node = get(node, lookup)
    return _json_value(kind, node)


def _remembering(lookup: Lookup) -> Lookup:
    """One register question per person, however many fields ask about them."""
    seen: dict[str, PersonRecord | None] = {}

    def remembered(personal_id: str) -> PersonRecord | None:
        if personal_id not in seen:
            seen[personal_id] = lookup(personal_id)
        return seen[personal_id]

    return remembered


def registry_prefill(
    definition: FormDefinition,
    person: PersonRecord,
    lookup: Lookup,
    answers: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Field key → value from the register, for every field with a ``prefill`` path that the
    register can fill.

    ``person(<key>)`` paths read the person chosen in field ``<key>``: one prefilled here
    (e.g. the mother from ``couple.wife``), or else the citizen's answer in ``answers``.
    Without either, those fields stay unfilled: call again once the person is answered.
    """
    lookup = _remembering(lookup)
    known = dict(answers or {})
    values = {}
    for field in definition.fields:
        if field.prefill is None:
            continue
        value = resolve_path(field.prefill, person, lookup, known)
        if value is not None:
            values[field.key] = known[field.key] = value
    return values


def _fits(field_type: str, value: Any) -> bool:
    """Whether a stored profile value still has the shape of this type's answers."""
    if field_type == "address":
        return isinstance(value, Mapping) and {"province_code", "ward_code", "street"} <= value.keys()
    if field_type == "person":
        return isinstance(value, Mapping) and "personal_id" in value
    if field_type == "yesno":
        return isinstance(value, bool)
    if field_type == "number":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str) and value != ""


def profile_prefill(definition: FormDefinition, profile: Mapping[str, Any]) -> dict[str, Any]:
    """Field key → what the citizen gave before, for every ``reuse`` field the profile knows."""
    return {
        field.key: profile[field.reuse]
        for field in definition.fields
        if field.reuse is not None and _fits(field.type, profile.get(field.reuse))
    }


def profile_updates(definition: FormDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Profile key → answer, for the ``reuse`` fields answered: what to remember for next time."""
    return {
        field.reuse: answers[field.key]
        for field in definition.fields
        if field.reuse is not None and answers.get(field.key) not in (None, "")
    }
