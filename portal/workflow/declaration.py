"""The e-form is the declaration (issue 17; NĐ 45/2020, Điều 12; NĐ 42/2022).

At submission :func:`attach_declaration` renders the procedure's declaration or request form
(the form definition's ``declaration``) from the answers, stores it in the citizen's document
store as ``kind="eform"`` and attaches it to the dossier with ``source="eform"``: the citizen
and the officer see it among the documents, marked "generated from the e-form". It runs inside
``submit_dossier``'s savepoint, so a form that cannot be rendered refuses the submission and
leaves the draft as it was (:class:`DeclarationFailed`). A component of a linked dossier that
waited for another's result has its declaration rendered again when that result gives what it
waited for (:func:`refresh_declaration`: the child's personal ID on CT01 and TK1-TS).
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale

from portal.dossiers.display import display_value, document_name
from portal.dossiers.models import Attachment, Dossier, StoredDocument
from portal.dossiers.storage import file_store
from portal.extensions import db
from portal.eforms.linked import get_linked_form
from portal.paperwork import Declaration, PaperworkError, render_declaration
from portal.registry import get_registry
from portal.registry.client import RegistryUnavailable
from portal.registry.ids import InvalidPersonalId, parse_personal_id
from portal.registry.records import PersonRecord
from portal.timeutil import from_db

EFORM = "eform"
NOT_APPLICABLE = "—"  # the legal forms' mark for an item that does not apply or is not known

# Items the declaration templates print that are not answers of the e-form: composed from
# several answers, or read from the register (``tests/dossiers/test_declaration.py`` checks
# that every item a template reads is an answer of the form or one of these).
DERIVED_VALUES = {
    "new_household_head_name": "the chosen household head's name (answer new_household_head)",
    "new_household_head_id": "the chosen household head's personal ID (answer new_household_head)",
    "household_head_id": "the personal ID of the head of the applicant's household, from the register",
    "mother_name": "the mother's name (answer mother)", "father_name": "the father's name (answer father)",
    "mother_birth_year": "from answer mother", "father_birth_year": "from answer father",
    "mother_nationality": "the child's nationality when not asked", "father_nationality": "likewise",
    "mother_address": "the mother's residence in the register, when the register links her (the couple)",
    "father_address": "the father's residence in the register, when the register links him (the couple)",
    "request": "item 10 of CT01, from the address and reason", "marital_status_text": "answer marital_status",
    "purpose_text": "the purpose of the marital status certificate",
    "child_personal_id": "the child's personal ID (answer child), or a note that birth registration gives it",
    "deceased_name": "the deceased's name (answer deceased or removed_person)", "deceased_birth_date": "likewise",
    "deceased_id": "likewise", "death_moment": "answers time_of_death and date_of_death",
    "household_head_name": "CT01 of a removal: the household of the person removed (answer removed_household_head)",
    "relation_to_head": "CT01 of a removal: not known to the declarant (—)",
}
# What a component of a linked dossier prints where the result it waits for will give a value
# (the child's personal ID before the birth is registered).
AWAITED = "Được bổ sung khi có kết quả của thủ tục liên thông trước đó"
_SEX = {"M": "Nam", "F": "Nữ"}


class DeclarationFailed(Exception):
    """The declaration could not be rendered; nothing was stored."""


def _person(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _year(person: dict[str, Any]) -> str:
    born = person.get("date_of_birth")
    return born[:4] if isinstance(born, str) and born else ""


def _birth_date(value: Any) -> str:
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y") if value else ""
    except (TypeError, ValueError):
        return ""


def _register(personal_id: str | None) -> PersonRecord | None:
    """The register's record, or None when it does not answer (the item is then marked —)."""
    if not personal_id:
        return None
    try:
        return get_registry().get_person(personal_id)
    except RegistryUnavailable:
        return None


def _residence(person: PersonRecord | None) -> str:
    address = person.current_address if person else None
    if address is None:
        return NOT_APPLICABLE
    return ", ".join(p for p in (address.street, address.ward_name, address.province_name) if p) or NOT_APPLICABLE


def _register_values(dossier: Dossier, answers: dict[str, Any]) -> dict[str, str]:
    """The items read from the register: the head of the applicant's own household, and the
    residence of a parent only when the register links that parent to the applicant (a
    parent typed by personal ID is not: their home is not the applicant's to read)."""
    values: dict[str, str] = {}
    applicant = _register(dossier.applicant_personal_id) if not dossier.is_registry_unverified else None
    household = applicant.household if applicant else None
    values["household_head_id"] = household.head_id if household else NOT_APPLICABLE
    linked = {dossier.applicant_personal_id, applicant.spouse_id if applicant else None} - {None}
    for role in ("mother", "father"):
        personal_id = _person(answers.get(role)).get("personal_id")
        if not personal_id:
            continue
        known = role in dossier.locked and personal_id in linked
        values[f"{role}_address"] = _residence(applicant if personal_id == dossier.applicant_personal_id
                                               else _register(personal_id)) if known else NOT_APPLICABLE
    return values


def declaration_values(dossier: Dossier) -> tuple[dict[str, str], dict[str, Any]]:
    """Every answer as the paper form prints it, plus the items the forms compose from several
    answers or read from the register (:data:`DERIVED_VALUES`); and the raw answers of the
    choice fields (for check boxes)."""
    definition = dossier.form_definition
    answers = dossier.answers
    with force_locale("vi"):
        values = {
            f.key: display_value(f, answers.get(f.key), "vi")
            for f in definition.fields
            if f.type != "file" and f.is_visible(answers)
        }
    choices = {f.key: answers.get(f.key) for f in definition.fields if f.type in ("select", "yesno", "number")}
    for key in ("date_of_birth", "child_date_of_birth"):
        if key in values:
            values[key] = _birth_date(answers.get(key))
    for key, value in _register_values(dossier, answers).items():
        values.setdefault(key, value)
    head = _person(answers.get("new_household_head"))
    values["new_household_head_name"] = head.get("full_name", "")
    values["new_household_head_id"] = head.get("personal_id", "")
    for role in ("mother", "father"):
        person = _person(answers.get(role))
        values[f"{role}_name"] = values.get(f"{role}_name") or person.get("full_name", "")
        values[f"{role}_birth_year"] = _year(person)
        values.setdefault(f"{role}_nationality", values.get("child_nationality", "") if person else "")
    if "new_address" in values:
        values["request"] = f"Đăng ký thường trú tại {values['new_address']}. {values.get('reason', '')}".strip()
    elif "temporary_address" in values:
        why = values.get("purpose_detail") or values.get("purpose", "")
        values["request"] = (
            f"Đăng ký tạm trú tại {values['temporary_address']}, thời hạn {values.get('months', '')} tháng; "
            f"lý do: {why}."
        )
    _awaited_items(dossier, values)
    _deceased_values(values, answers)
    values["marital_status_text"] = values.get("marital_status", "")
    if answers.get("purpose") == "marriage":
        values["purpose_text"] = f"Để đăng ký kết hôn với {values.get('partner_name', '')}"
    elif "other_purpose" in values:
        values["purpose_text"] = values["other_purpose"]
    return values, choices


def _deceased_values(values: dict[str, str], answers: dict[str, Any]) -> None:
    """The items about a deceased (or removed) person, and a removal's CT01: its items 1–4 and
    7 are the person removed, the declarant signs (Luật Cư trú 2020, Điều 24)."""
    removed = _person(answers.get("removed_person"))
    person = _person(answers.get("deceased")) or removed
    values["deceased_name"] = person.get("full_name", "")
    values["deceased_birth_date"] = _birth_date(person.get("date_of_birth"))
    values["deceased_id"] = person.get("personal_id", "")
    if answers.get("date_of_death"):
        hour, _, minute = str(answers.get("time_of_death") or "").partition(":")
        moment = f"{int(hour)} giờ {minute} phút, " if hour and minute else ""
        values["death_moment"] = f"{moment}ngày {_birth_date(answers['date_of_death'])}"
    values["child_personal_id"] = _person(answers.get("child")).get("personal_id", "")
    if not removed:
        return
    try:
        sex = _SEX[parse_personal_id(removed.get("personal_id", "")).sex]
    except InvalidPersonalId:
        sex = NOT_APPLICABLE
    values.update(full_name=values["deceased_name"], date_of_birth=values["deceased_birth_date"],
                  personal_id=values["deceased_id"], sex=sex, relation_to_head=NOT_APPLICABLE,
                  household_head_name=values.get("removed_household_head") or NOT_APPLICABLE,
                  household_head_id=NOT_APPLICABLE)
    extract = values.get("death_extract_number")
    proof = "" if not extract else f"; trích lục khai tử: {extract[0].lower()}{extract[1:]}" if extract == AWAITED \
        else f"; trích lục khai tử số {extract}"
    values["request"] = (f"Xóa đăng ký thường trú tại {values.get('removed_address') or NOT_APPLICABLE}; "
                         f"lý do: {values.get('removal_reason', '')}{proof}.")


def _awaited_items(dossier: Dossier, values: dict[str, str]) -> None:
    """A component of a linked dossier that waits for another's result says so where that
    result will give the value (``portal.eforms.linked``: ``issued:…``)."""
    if dossier.linked is None:
        return
    linked = get_linked_form(dossier.linked.group.procedure_snapshot["code"])
    for key in linked.component(dossier.procedure_snapshot["code"]).issued:
        printed = "child_personal_id" if key == "child" else key
        if not dossier.answers.get(key):
            values[printed] = AWAITED


def build_declaration(dossier: Dossier, declared_at: datetime) -> Declaration:
    key = dossier.form_definition.declaration
    assert key is not None
    values, choices = declaration_values(dossier)
    address = dossier.answers.get("current_address") or dossier.answers.get("permanent_address") or {}
    return Declaration(
        document_key=key,
        title=document_name(dossier.procedure_snapshot, key, "vi"),
        addressee=dossier.agency.name_vi,
        dossier_code=dossier.code or "",
        procedure_name=dossier.procedure_snapshot["name_vi"],
        declarant_name=dossier.applicant_name or values.get("full_name", ""),
        place=address.get("province_name", "") if isinstance(address, dict) else "",
        declared_at=declared_at,
        values=values,
        choices=choices,
        channel=dossier.channel,
        received_by=dossier.created_by.full_name if dossier.channel == "counter" and dossier.created_by else "",
    )


def attach_declaration(dossier: Dossier, declared_at: datetime) -> Attachment | None:
    """Render, store and attach the declaration; None when the procedure has none. Raises
    :class:`DeclarationFailed` when it cannot be rendered (the caller's savepoint undoes all)."""
    definition = dossier.form_definition
    if definition.declaration is None:
        return None
    try:
        declaration = build_declaration(dossier, declared_at)
        pdf = render_declaration(declaration)
    except (PaperworkError, ValueError) as exc:
        current_app.logger.warning("The declaration of %s could not be rendered: %s", dossier.code, exc)
        raise DeclarationFailed(str(exc)) from exc
    for old in [a for a in dossier.attachments if a.source == EFORM]:
        dossier.attachments.remove(old)  # a submission retried after a refusal renders it afresh
    digest = hashlib.sha256(pdf).hexdigest()
    name = f"{digest}.pdf"
    file_store().save(name, pdf)
    stored = StoredDocument(
        owner_personal_id=dossier.applicant_personal_id,
        kind=EFORM,
        document_key=definition.declaration,
        title=f"{declaration.title} – {dossier.code}",
        content_type="application/pdf",
        size=len(pdf),
        sha256=digest,
        storage_name=name,
    )
    db.session.add(stored)
    attachment = Attachment(dossier=dossier, document_key=definition.declaration, document=stored, source=EFORM)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def refresh_declaration(dossier: Dossier, now: datetime) -> Attachment | None:
    """Render again the declaration of a dossier whose answers the register completed, dated
    as declared (at submission), in place of the one attached; the previous PDF leaves the
    citizen's documents. One that cannot be rendered keeps the previous (logged), so it never
    blocks the result that released the dossier."""
    old = [a.document for a in dossier.attachments if a.source == EFORM]
    try:
        attachment = attach_declaration(dossier, from_db(dossier.submitted_at) if dossier.submitted_at else now)
    except DeclarationFailed:
        return None
    for document in old:
        db.session.delete(document)
    db.session.flush()
    return attachment
