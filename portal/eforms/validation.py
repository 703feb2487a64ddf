"""Checking one step of an e-form as the citizen submitted it.

:func:`clean_step` goes through the step's fields in order:

1. A field hidden by its ``visible_if`` condition is dropped and never required; the condition
   is read from earlier answers and from this step's answers above it.
2. A field filled from the register (``locked``) keeps the register's value; a submitted value
   that differs is refused — the citizen corrects register data with the police, not here.
3. Every other field is converted from what was typed to its JSON value (see
   :mod:`portal.eforms.prefill` for the shapes), then its validators run, then ``required``.
4. A person field looks the ID up in the register and takes the name and date of birth from
   there; when the register cannot answer, the name and date of birth the citizen typed are
   accepted and the field is listed in ``unverified`` for the officer.

Text is compared in the portal's normal form (:mod:`portal.textutil`): the request already
brings it so, and this module normalises again wherever it compares, so a caller that builds its
own form data (a test, the counter) gets the same answers. A locked register value sent back in
another Unicode form, case or spacing is the register's value; lengths count what the citizen
sees; patterns ignore case unless the definition says case matters.

File fields are not handled here: uploads are checked by the attachment code.
Messages are in the user's language (English msgids, Vietnamese in the catalog).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field as dataclass_field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask_babel import format_number, get_locale
from werkzeug.datastructures import MultiDict

from portal.eforms import places
from portal.eforms.definitions import Field, Step
from portal.eforms.derive import household_address_of, parse_rule, relation_of
from portal.eforms.prefill import address_value, person_value
from portal.i18n import gettext as _
from portal.registry.client import RegistryUnavailable
from portal.registry.ids import InvalidPersonalId, parse_personal_id
from portal.registry.records import PersonRecord
from portal.textutil import comparable, normalise, normalise_line, visible_length

PersonLookup = Callable[[str], PersonRecord | None]

LOCAL_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# The dates a citizen gives (births, marriages, the start of a business) lie in this range.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)
ADDRESS_PARTS = ("province", "ward", "street")
PERSON_PARTS = ("personal_id", "full_name", "date_of_birth")

_WHOLE_NUMBER = re.compile(r"-?\d+")
# Vietnamese write 500.000.000 (dots), English 500,000,000; both group by thousands.
_GROUPED_NUMBER = re.compile(r"-?\d{1,3}(?:[., ]\d{3})+")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WRITTEN_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
# Mobile numbers: 03, 05, 07, 08 or 09 and eight digits; landlines: 02 and nine digits.
_PHONE = re.compile(r"(?:\+?84|0)([35789]\d{8}|2\d{9})")
_PHONE_SEPARATORS = re.compile(r"[\s.()-]")


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class StepResult:
    """``values``: field key → JSON value (``None`` for an optional field left blank);
    ``errors``: field key → message; ``raw``: what was typed, to show it again."""

    values: dict[str, Any]
    errors: dict[str, str]
    raw: dict[str, Any]
    unverified: set[str] = dataclass_field(default_factory=set)
    is_register_down: bool = False

    @property
    def is_valid(self) -> bool:
        return not self.errors


def locked_value_message() -> str:
    return _(
        "This information comes from the national population database and cannot be changed "
        "here. To correct it, contact the police where you live."
    )


def _current_lang() -> str:
    return str(get_locale() or "vi")


def _lowered(label: str) -> str:
    """The label inside a sentence: "Ngày sinh" → "ngày sinh", but "CSDL" stays."""
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label


@dataclass
class _Context:
    lang: str
    today: date
    lookup_person: PersonLookup | None
    result: StepResult
    known: dict[str, Any] = dataclass_field(default_factory=dict)  # answers so far, for checks across fields
    applicant_id: str | None = None  # whose dossier: their relatives' household address is theirs to correct


# A parent is at least this old when their child is born; a younger one is a typing mistake
# (issue 17: checks across fields).
MIN_PARENT_AGE = 13


def _check_after_births(field: Field, day: date, ctx: _Context) -> None:
    """``after_birth_of``: a date (a child's birth) after the birth of the people chosen in
    those person fields, and when they were at least :data:`MIN_PARENT_AGE` years old."""
    for key in field.validators.get("after_birth_of", ()):
        person = ctx.known.get(key)
        born = person.get("date_of_birth") if isinstance(person, Mapping) else None
        if not born:
            continue
        born_on = date.fromisoformat(born)
        name = person.get("full_name") or key
        if day <= born_on:
            raise _Invalid(_("%(label)s is before %(name)s was born (%(date)s); check the date",
                             label=field.label(ctx.lang), name=name, date=born_on.strftime("%d/%m/%Y")))
        age = day.year - born_on.year - ((day.month, day.day) < (born_on.month, born_on.day))
        if age < MIN_PARENT_AGE:
            raise _Invalid(_("On that date %(name)s was only %(age)d years old; check the date",
                             name=name, age=age))


def _years_before(day: date, years: int) -> date:
    """The same day ``years`` years earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _raw(field: Field, formdata: MultiDict) -> Any:
    if field.type == "address":
        return {part: formdata.get(f"{field.key}-{part}", "") for part in ADDRESS_PARTS}
    if field.type == "person":
        return {part: formdata.get(f"{field.key}-{part}", "") for part in PERSON_PARTS}
    return formdata.get(field.key)


def _was_submitted(field: Field, formdata: MultiDict) -> bool:
    parts = {"address": ADDRESS_PARTS, "person": PERSON_PARTS}.get(field.type)
    if parts is None:
        return field.key in formdata
    return any(f"{field.key}-{part}" in formdata for part in parts)


def _text(raw: Any) -> str:
    return normalise(raw or "")


def _parse_date(text: str, label: str) -> str | None:
    """ISO ``2007-03-27`` (what date inputs send) or ``27/03/2007`` (what people write)."""
    if not text:
        return None
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _WRITTEN_DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        year = month = day = 0
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise _Invalid(_("%(label)s must be a real date, like 27/03/2007", label=label)) from None
    if not FIRST_DAY <= parsed <= LAST_DAY:
        raise _Invalid(_("%(label)s must be a date from 1900 to 2100", label=label))
    return parsed.isoformat()


def _convert_number(field: Field, raw: Any, ctx: _Context) -> int | None:
    text = _text(raw)
    if not text:
        return None
    if not (_WHOLE_NUMBER.fullmatch(text) or _GROUPED_NUMBER.fullmatch(text)):
        raise _Invalid(_("%(label)s must be a whole number, in digits only", label=field.label(ctx.lang)))
    return int(re.sub(r"[., ]", "", text))


def _convert_select(field: Field, raw: Any, ctx: _Context) -> str | None:
    text = _text(raw)
    if not text:
        return None
    if text not in {o.value for o in field.options}:
        raise _Invalid(_("Choose one of the options listed"))
    return text


def _convert_yesno(field: Field, raw: Any, ctx: _Context) -> bool | None:
    text = _text(raw)
    if not text:
        return None
    if text not in ("yes", "no"):
        raise _Invalid(_("Choose yes or no"))
    return text == "yes"


def _convert_email(field: Field, raw: Any, ctx: _Context) -> str | None:
    text = _text(raw)
    if not text:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise _Invalid(_("Enter an email address in the correct format, like name@example.com")) from None


def _convert_phone(field: Field, raw: Any, ctx: _Context) -> str | None:
    text = _PHONE_SEPARATORS.sub("", _text(raw))
    if not text:
        return None
    match = _PHONE.fullmatch(text)
    if not match:
        raise _Invalid(_("Enter a phone number like 0912345678 or +84912345678"))
    return f"0{match.group(1)}"


def _convert_address(field: Field, raw: Mapping[str, str], ctx: _Context) -> dict[str, Any] | None:
    province, ward, street = (normalise_line(raw.get(part) or "") for part in ADDRESS_PARTS)
    if not (province or ward or street):
        return None
    # isascii: str.isdigit() also takes "²", which int() refuses.
    if not (province.isascii() and province.isdigit()) or not places.is_province(int(province)):
        raise _Invalid(_("Choose the province or city"))
    if not ward:
        raise _Invalid(_("Choose the ward or commune"))
    if not (ward.isascii() and ward.isdigit()) or not places.is_ward_of(int(ward), int(province)):
        raise _Invalid(_("The ward or commune chosen is not in this province; choose it again"))
    if not street:
        raise _Invalid(_("Enter the house number and street, or the hamlet or village"))
    return address_value(places.address(int(province), int(ward), street))


def _typed_person(field: Field, personal_id: str, raw: Mapping[str, str], ctx: _Context) -> dict[str, str]:
    """The person as the citizen typed them, accepted while the register cannot answer."""
    full_name = normalise_line(raw.get("full_name") or "")
    date_of_birth = _parse_date(_text(raw.get("date_of_birth")), _("Date of birth"))
    if not full_name or not date_of_birth:
        raise _Invalid(_(
            "The national population database cannot be reached right now: enter the full name "
            "and date of birth as well"
        ))
    if int(date_of_birth[:4]) != parse_personal_id(personal_id).birth_year:
        raise _Invalid(_("The date of birth does not match the personal ID number"))
    ctx.result.unverified.add(field.key)
    return {"personal_id": personal_id, "full_name": full_name, "date_of_birth": date_of_birth}


def _convert_person(field: Field, raw: Mapping[str, str], ctx: _Context) -> dict[str, str] | None:
    personal_id = re.sub(r"\s", "", raw.get("personal_id") or "")
    if not personal_id:
        return None
    try:
        parse_personal_id(personal_id)
    except InvalidPersonalId:
        raise _Invalid(_("Enter a valid personal ID number of 12 digits, like 001090012345")) from None
    if ctx.lookup_person is None:
        ctx.result.is_register_down = True
        return _typed_person(field, personal_id, raw, ctx)
    try:
        record = ctx.lookup_person(personal_id)
    except RegistryUnavailable:
        ctx.result.is_register_down = True
        return _typed_person(field, personal_id, raw, ctx)
    if record is None:
        raise _Invalid(_(
            "No one with this personal ID number is in the national population database; "
            "check the number"
        ))
    return person_value(record)


def _convert_text(field: Field, raw: Any, ctx: _Context) -> str | None:
    return (_text(raw) if field.type == "textarea" else normalise_line(raw or "")) or None


def _convert_date(field: Field, raw: Any, ctx: _Context) -> str | None:
    return _parse_date(_text(raw), field.label(ctx.lang))


_CONVERTERS: dict[str, Callable[[Field, Any, _Context], Any]] = {
    "text": _convert_text,
    "textarea": _convert_text,
    "number": _convert_number,
    "date": _convert_date,
    "select": _convert_select,
    "yesno": _convert_yesno,
    "email": _convert_email,
    "phone": _convert_phone,
    "address": _convert_address,
    "person": _convert_person,
}


def _same_address(one: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    return (str(one.get("province_code")) == str(other.get("province_code"))
            and str(one.get("ward_code")) == str(other.get("ward_code"))
            and comparable(one.get("street") or "") == comparable(other.get("street") or ""))


def _is_relative(record: PersonRecord, ctx: _Context) -> bool:
    if not ctx.applicant_id or ctx.lookup_person is None:
        return False
    try:
        applicant = ctx.lookup_person(ctx.applicant_id)
    except RegistryUnavailable:
        return False
    return applicant is not None and relation_of(applicant, record) is not None


def _check_household_address(field: Field, value: Any, ctx: _Context) -> None:
    """An address the register holds for a household chosen by personal ID (``derive:
    household_address(<person>)``) must be that household's; the message never shows the
    register's address (it is derived only for the applicant's relatives)."""
    if field.type != "address" or not field.derive or ctx.lookup_person is None:
        return
    rule, person_field = parse_rule(field.derive)
    chosen = ctx.known.get(person_field) if rule == "household_address" else None
    personal_id = chosen.get("personal_id") if isinstance(chosen, Mapping) else None
    if not personal_id:
        return
    try:
        record = ctx.lookup_person(personal_id)
    except RegistryUnavailable:
        ctx.result.is_register_down = True
        return
    if record is None or _is_relative(record, ctx):
        return  # a relative's address was filled in from the register; they may correct it
    if not _same_address(value, household_address_of(record)):
        raise _Invalid(_(
            "This is not the address of that household in the national population database; "
            "check the address written in the household's residence records"
        ))


def _check_validators(field: Field, value: Any, ctx: _Context) -> None:
    rules, label, text = field.validators, field.label(ctx.lang), value
    if field.type == "address":  # the length limit of an address is its street line's
        label, text = _("House number and street, or hamlet or village"), value["street"]
    if isinstance(text, str):
        length = visible_length(text)
        if "max_length" in rules and length > rules["max_length"]:
            raise _Invalid(_(
                "%(label)s must be %(max)d characters or fewer", label=label, max=rules["max_length"]
            ))
        if "min_length" in rules and length < rules["min_length"]:
            raise _Invalid(_(
                "%(label)s must be %(min)d characters or more", label=label, min=rules["min_length"]
            ))
        choices = [ctx.known[k] for k in rules.get("one_of_answers", ()) if isinstance(ctx.known.get(k), str) and ctx.known[k]]
        if choices and " ".join(text.casefold().split()) not in {" ".join(c.casefold().split()) for c in choices}:
            raise _Invalid(_("%(label)s must be one of: %(choices)s", label=label, choices=", ".join(dict.fromkeys(choices))))
        flags = 0 if rules.get("pattern_case_sensitive") else re.IGNORECASE
        if "pattern" in rules and not re.fullmatch(rules["pattern"], text, flags):
            raise _Invalid(rules["pattern_message_en" if ctx.lang.startswith("en") else "pattern_message_vi"])
    if field.type == "number":
        if "min" in rules and value < rules["min"]:
            raise _Invalid(_("%(label)s must be %(min)s or more", label=label, min=format_number(rules["min"])))
        if "max" in rules and value > rules["max"]:
            raise _Invalid(_("%(label)s must be %(max)s or less", label=label, max=format_number(rules["max"])))
    if field.type == "date":
        day = date.fromisoformat(value)
        if rules.get("not_future") and day > ctx.today:
            raise _Invalid(_("%(label)s must be today or in the past", label=label))
        if rules.get("not_past") and day < ctx.today:
            raise _Invalid(_("%(label)s must be today or in the future", label=label))
        years = rules.get("within_years")
        if years and day <= _years_before(ctx.today, years):
            raise _Invalid(_("%(label)s must be less than %(years)d years ago", label=label, years=years))
        _check_after_births(field, day, ctx)


def _required_message(field: Field, lang: str) -> str:
    label = _lowered(field.label(lang))
    if field.type == "yesno":
        return _("Choose yes or no")
    if field.type == "person":
        return _("Enter the personal ID number of %(label)s", label=label)
    if field.type == "select":
        return _("Choose %(label)s", label=label)
    return _("Enter %(label)s", label=label)


def _differs_from_locked(field: Field, raw: Any, locked: Any, ctx: _Context) -> bool:
    """Whether the submission changes a register value. Compared as the citizen reads it:
    another Unicode form, letter case or spacing of the same text is no change."""
    if field.type == "person":
        return re.sub(r"\s", "", raw.get("personal_id") or "") != locked.get("personal_id")
    if field.type == "address":
        submitted = tuple(comparable(raw.get(part) or "") for part in ADDRESS_PARTS)
        return submitted != (str(locked["province_code"]), str(locked["ward_code"]), comparable(locked["street"]))
    if field.type in ("number", "date"):
        try:
            return _CONVERTERS[field.type](field, raw, ctx) != locked
        except _Invalid:
            return True
    return comparable(raw or "") != comparable(str(locked))


def clean_step(
    step: Step,
    formdata: MultiDict,
    answers: Mapping[str, Any],
    locked: Mapping[str, Any],
    lookup_person: PersonLookup | None,
    *,
    today: date | None = None,
    applicant_id: str | None = None,
) -> StepResult:
    """Check one submitted step; see the module docstring for the order of the checks.

    ``answers``: everything answered so far (for ``visible_if``); ``locked``: the values
    prefilled from the register; ``lookup_person``: the register's ``get_person``, or ``None``
    when the register is known to be down.
    """
    result = StepResult(values={}, errors={}, raw={})
    ctx = _Context(
        lang=_current_lang(),
        today=today or datetime.now(LOCAL_TIMEZONE).date(),
        applicant_id=applicant_id,
        lookup_person=lookup_person,
        result=result,
    )
    known = ctx.known = dict(answers)
    for field in step.fields:
        if field.type == "file":
            continue
        if not field.is_visible(known):
            known.pop(field.key, None)
            continue
        if field.key in locked:
            value = locked[field.key]
            if _was_submitted(field, formdata) and _differs_from_locked(field, _raw(field, formdata), value, ctx):
                result.errors[field.key] = locked_value_message()
            result.values[field.key] = known[field.key] = value
            continue
        raw = result.raw[field.key] = _raw(field, formdata)
        known.pop(field.key, None)
        try:
            value = _CONVERTERS[field.type](field, raw, ctx)
            if value is not None:
                _check_validators(field, value, ctx)
                _check_household_address(field, value, ctx)
        except _Invalid as invalid:
            result.errors[field.key] = invalid.message
            continue
        if value is None and field.required:
            result.errors[field.key] = _required_message(field, ctx.lang)
            continue
        result.values[field.key] = known[field.key] = value
    return result
