"""Derived answers: what the register answers by a rule of law, so the citizen is not asked.

A field with ``derive: <rule>`` is filled, editable, once the facts the rule needs are known
(the applicant's record, and the people chosen in person fields). Each rule returns ``None``
when the register cannot answer, and the field is then asked as usual (issue 17; NĐ 45/2020,
Điều 12; NĐ 42/2022: the state does not ask again for what it holds).

- ``contact_phone`` / ``contact_email`` — the citizen's VNeID profile in the register (their
  own earlier answer, a ``reuse``, comes first);
- ``relation_to(<person field>)`` — the applicant's relation to that person as the register
  links them (spouse, child, parent): no proof of the relationship is needed then;
- ``household_address(<person field>)`` — the permanent address of that person's household,
  only when the register links the applicant to that person (a relation above): anyone can
  type a personal ID, and a stranger's home address is not theirs to read. Otherwise the
  citizen types the address and validation checks it against the register without showing it
  (:func:`household_address_of`);
- ``child_nationality`` — Việt Nam when a parent is a Vietnamese citizen (Luật Quốc tịch
  2008, Điều 15–16; both parents in the register are Vietnamese citizens);
- ``child_ethnicity`` — the parents' ethnicity when they share it; when they differ the
  parents choose (Luật Hộ tịch 2014 and Bộ luật Dân sự 2015, Điều 29), so nothing is derived;
- ``parent_role`` — ``mother`` or ``father``: the applicant's sex, applying for their child;
- ``household_head`` — the head of the applicant's own household, as a person (a newborn is
  registered where the parents live: Luật Cư trú 2020, Điều 12 and 20);
- ``child_relation_to(<person field>)`` — the relation to that household head of the
  applicant's child: ``Con`` when the head is the applicant or their spouse, ``Cháu`` when a
  parent of the applicant; otherwise asked;
- ``household_head_name(<person field>)`` — the name of the head of that person's household,
  under the same rule as ``household_address`` (the applicant or a relative of theirs).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from portal.eforms.prefill import Lookup, address_value, person_value
from portal.registry.records import PersonRecord

if TYPE_CHECKING:
    from portal.eforms.definitions import FormDefinition

RULES = (
    "contact_phone", "contact_email", "relation_to", "household_address",
    "child_nationality", "child_ethnicity", "parent_role",
    "household_head", "child_relation_to", "household_head_name",
)
_RULE = re.compile(r"([a-z_]+)(?:\(([a-z][a-z0-9_]*)\))?")
_WITH_PERSON = frozenset({"relation_to", "household_address", "child_relation_to", "household_head_name"})


def parse_rule(text: Any) -> tuple[str, str | None]:
    """(rule, person field) of a ``derive`` value; raises ``ValueError`` naming the problem."""
    match = _RULE.fullmatch(text) if isinstance(text, str) else None
    if match is None or match.group(1) not in RULES:
        raise ValueError(f"derive must be one of {', '.join(RULES)} (got {text!r})")
    rule, person = match.groups()
    if (rule in _WITH_PERSON) != (person is not None):
        raise ValueError(f"derive rule {rule} {'needs' if rule in _WITH_PERSON else 'takes no'} (<person field>)")
    return rule, person


def _chosen(answers: Mapping[str, Any], key: str | None, lookup: Lookup) -> PersonRecord | None:
    value = answers.get(key) if key else None
    personal_id = value.get("personal_id") if isinstance(value, Mapping) else None
    return lookup(personal_id) if personal_id else None


def relation_of(applicant: PersonRecord, other: PersonRecord) -> str | None:
    """The applicant's relation to ``other`` as the register links them, or None."""
    if applicant.spouse_id == other.personal_id:
        return "Chồng" if applicant.sex == "M" else "Vợ"
    if other.personal_id in (applicant.father_id, applicant.mother_id):
        return "Con"
    if applicant.personal_id == other.father_id:
        return "Cha"
    if applicant.personal_id == other.mother_id:
        return "Mẹ"
    return None


def _parents(applicant: PersonRecord, answers: Mapping[str, Any], lookup: Lookup) -> list[PersonRecord]:
    return [p for p in (_chosen(answers, "mother", lookup), _chosen(answers, "father", lookup)) if p is not None]


def _child_nationality(applicant: PersonRecord, answers: Mapping[str, Any], lookup: Lookup) -> str | None:
    parents = _parents(applicant, answers, lookup)
    return "Việt Nam" if any(p.nationality == "Việt Nam" for p in parents) else None


def _child_ethnicity(applicant: PersonRecord, answers: Mapping[str, Any], lookup: Lookup) -> str | None:
    ethnicities = {p.ethnicity for p in _parents(applicant, answers, lookup) if p.ethnicity}
    return ethnicities.pop() if len(ethnicities) == 1 else None


def _household_head(applicant: PersonRecord, answers: Mapping[str, Any], lookup: Lookup) -> dict[str, str] | None:
    household = applicant.household
    return person_value(household.head) if household and household.head else None


def child_relation_to_head(applicant: PersonRecord, head: PersonRecord) -> str | None:
    """How the register would write the applicant's child's relation to ``head``."""
    if head.personal_id in (applicant.personal_id, applicant.spouse_id):
        return "Con"
    if head.personal_id in (applicant.father_id, applicant.mother_id):
        return "Cháu"
    return None


_SIMPLE: dict[str, Callable[[PersonRecord, Mapping[str, Any], Lookup], Any]] = {
    "contact_phone": lambda applicant, answers, lookup: applicant.phone or None,
    "contact_email": lambda applicant, answers, lookup: applicant.email or None,
    "child_nationality": _child_nationality,
    "child_ethnicity": _child_ethnicity,
    "parent_role": lambda applicant, answers, lookup: {"F": "mother", "M": "father"}.get(applicant.sex),
    "household_head": _household_head,
}


def derive_value(text: str, applicant: PersonRecord, answers: Mapping[str, Any], lookup: Lookup) -> Any:
    rule, person_field = parse_rule(text)
    if rule in _SIMPLE:
        return _SIMPLE[rule](applicant, answers, lookup)
    other = _chosen(answers, person_field, lookup)
    if other is None:
        return None
    if rule == "relation_to":
        return relation_of(applicant, other)
    if rule == "child_relation_to":
        return child_relation_to_head(applicant, other)
    if other.personal_id != applicant.personal_id and relation_of(applicant, other) is None:
        return None  # not the applicant's relative: never reveal their home
    if rule == "household_head_name":
        return other.household.head_full_name if other.household else None
    return household_address_of(other)


def household_address_of(person: PersonRecord) -> dict[str, Any]:
    """The address value of a person's household (their permanent address without one)."""
    household = person.household
    return address_value(household.address) if household and household.address else address_value(person.permanent_address)


def derived_values(
    definition: FormDefinition, applicant: PersonRecord, lookup: Lookup, answers: Mapping[str, Any]
) -> dict[str, Any]:
    """Field key → derived value, for the fields with a ``derive`` rule not answered yet that the
    register can answer now."""
    values: dict[str, Any] = {}
    for field in definition.fields:
        if field.derive is None or answers.get(field.key) not in (None, ""):
            continue
        value = derive_value(field.derive, applicant, {**answers, **values}, lookup)
        if value is not None:
            values[field.key] = value
    return values


SOURCES = ("prefilled", "derived", "reused", "typed", "uploaded")


def check_origin(
    source: Any, derive: Any, field_type: str, prefill: str | None, reuse: str | None
) -> tuple[str, str | None]:
    """Check a field's ``source`` (and ``derive`` rule) against how it is filled; returns them.

    Where a value comes from is recorded per field so an officer sees it: the register
    (prefilled), a rule applied to the register (derived), the citizen's earlier dossiers
    (reused), the citizen (typed); a document is uploaded. Raises ``ValueError``."""
    implied = "uploaded" if field_type == "file" else "prefilled" if prefill else "reused" if reuse else None
    source = source or ""
    if source and (source not in SOURCES or source not in ((implied, "derived") if implied else ("typed", "derived"))):
        raise ValueError(f"'source' must agree with prefill/reuse/type (got {source!r}, expected {implied or 'typed or derived'})")
    if derive is not None:
        parse_rule(derive)
    if (derive is not None) != (source == "derived") or (derive is not None and prefill):
        raise ValueError("a derived field has both 'derive: <rule>' and 'source: derived', and no prefill")
    return source, derive
