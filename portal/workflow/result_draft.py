"""The result document of a dossier as the specialist drafts it and the leader checks it (issue 18).

1. :func:`draft_result` fills the procedure's legal template
   (:func:`portal.paperwork.get_result_form`) from the dossier: the e-form's answers, the
   population register, the dossier and the issuing agency, each line with its source shown;
2. where the template leaves the agency a choice (``editable``: the period of a temporary
   stay, the marital status found, the judicial record's entries, a child's hometown), the
   specialist records it with :func:`choose_result_values`; nothing else can be changed;
3. :func:`portal.workflow.results.result_letter` prints exactly these lines — never the
   specialist's proposal note, which stays internal (except as a refusal's reasons).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.deadlines import to_local
from portal.dossiers.display import display_value
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.paperwork import ResultField, ResultForm, get_result_form
from portal.registry import get_registry
from portal.registry.client import RegistryUnavailable

MAX_CHOICE_LENGTH = 300

_UNITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


@dataclass(frozen=True)
class DraftLine:
    """One line of the drafted result: what the template prints, where it came from, and
    whether the law leaves it to the agency."""

    key: str
    label: str
    value: str
    source: str
    editable: bool
    hint: str
    choices: tuple[str, ...]
    section: str | None


def _two_digits(n: int) -> str:
    tens, unit = divmod(n, 10)
    if tens == 0:
        return _UNITS[unit]
    head = "mười" if tens == 1 else f"{_UNITS[tens]} mươi"
    if unit == 0:
        return head
    tail = {1: "mốt" if tens > 1 else "một", 4: "tư" if tens > 1 else "bốn", 5: "lăm"}.get(unit, _UNITS[unit])
    return f"{head} {tail}"


def date_in_words(value: date) -> str:
    """``15/03/2020`` → "ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi", as the
    civil-status books write a date of birth in words."""
    thousands, rest = divmod(value.year, 1000)
    hundreds, tail = divmod(rest, 100)
    year = f"{_UNITS[thousands]} nghìn"
    if hundreds or tail:
        year += f" {_UNITS[hundreds]} trăm"
    if 0 < tail < 10:
        year += f" lẻ {_UNITS[tail]}"
    elif tail:
        year += f" {_two_digits(tail)}"
    month = "tư" if value.month == 4 else _two_digits(value.month)
    return f"ngày {_two_digits(value.day)} tháng {month} năm {year}"


def _iso_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(start)


class _Sources:
    """Reads each source of a template line once per draft (the register is asked at most once
    per person)."""

    def __init__(self, dossier: Dossier, now: datetime) -> None:
        self.dossier = dossier
        self.now = now
        self.fields = {f.key: f for f in dossier.form_definition.fields}
        self._people: dict[str, Any] = {}

    def answer(self, path: str) -> tuple[str, str]:
        key, _, part = path.partition(".")
        value = self.dossier.answers.get(key)
        field = self.fields.get(key)
        source = str(_l("E-form: %(field)s", field=getattr(field, "label_vi", key) if field else key))
        if part:
            person = value if isinstance(value, dict) else {}
            if part == "birth_year":
                return str(person.get("date_of_birth", ""))[:4], source
            return str(person.get(part, "") or ""), source
        if field is None:
            return ("" if value is None else str(value)), source
        with force_locale("vi"):
            return display_value(field, value, "vi"), source

    def register(self, path: str) -> tuple[str, str]:
        role, _, attribute = path.partition(".")
        if role == "applicant":
            personal_id = self.dossier.applicant_personal_id
        else:
            person = self.dossier.answers.get(role)
            personal_id = person.get("personal_id", "") if isinstance(person, dict) else ""
        source = str(_l("Population register"))
        if not personal_id:
            return "", source
        if personal_id not in self._people:
            try:
                self._people[personal_id] = get_registry().get_person(personal_id)
            except RegistryUnavailable:
                self._people[personal_id] = None
                source = str(_l("Population register (unavailable: fill in)"))
        record = self._people[personal_id]
        value = getattr(record, attribute, "") if record is not None else ""
        return str(value or ""), source

    def issue(self, name: str) -> tuple[str, str]:
        local = to_local(self.now)
        source = str(_l("Issued with the signature"))
        if name == "date":
            return local.strftime("%d/%m/%Y"), source
        sequence = result_sequence(self.dossier)
        if name == "hkd_code":
            return f"HKD-{local:%Y}-{sequence:06d}", str(_l("Agency's register, next number"))
        form = get_result_form(self.dossier.procedure_snapshot["code"])
        return f"{sequence}/{form.number_suffix}", str(_l("Agency's register, next number"))

    def computed(self, name: str) -> tuple[str, str]:
        answers = self.dossier.answers
        source = str(_l("Composed from the e-form's answers"))
        if name == "stay_period":
            start = to_local(self.now).date()
            months = answers.get("months")
            if not isinstance(months, int) or months <= 0:
                return "", source
            end = add_months(start, min(months, 24))
            return f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}", source
        if name == "child_dob_words":
            born = _iso_date(answers.get("child_date_of_birth"))
            return (date_in_words(born) if born else ""), source
        if name == "marital_purpose":
            if answers.get("purpose") == "marriage":
                return f"Làm thủ tục đăng ký kết hôn với {answers.get('partner_name', '')}".strip(), source
            other = answers.get("other_purpose")
            if other:
                return str(other), source
            return self.answer("purpose")[0], source
        raise ValueError(f"unknown computed value {name!r}")

    def read(self, spec: str) -> tuple[str, str]:
        if spec.startswith("text:"):
            return spec[5:], str(_l("Wording of the legal template"))
        kind, _, path = spec.partition(".")
        if kind == "answer":
            return self.answer(path)
        if kind == "register":
            return self.register(path)
        if kind == "issue":
            return self.issue(path)
        if kind == "computed":
            return self.computed(path)
        if kind == "agency":
            return self.dossier.agency.name_vi, str(_l("Issuing agency"))
        if kind == "dossier":
            return str(getattr(self.dossier, path) or ""), str(_l("Dossier"))
        raise ValueError(f"unknown source {spec!r}")


def result_sequence(dossier: Dossier) -> int:
    """The number of this result in its agency's register: the dossier's own once issued, else
    the next one."""
    issued = db.session.execute(
        select(func.count(Dossier.id)).where(Dossier.agency_id == dossier.agency_id, Dossier.result_token.is_not(None))
    ).scalar_one()
    return issued if dossier.result_token else issued + 1


def result_form_of(dossier: Dossier) -> ResultForm:
    return get_result_form(dossier.procedure_snapshot["code"])


def draft_result(dossier: Dossier, now: datetime) -> list[DraftLine]:
    """Every line of the dossier's result document, with its source; the agency's recorded
    choices replace the prefilled value of the lines the law leaves to it."""
    sources = _Sources(dossier, now)
    lines = []
    chosen = dossier.result_choices or {}
    for field in result_form_of(dossier).fields:
        value, source = sources.read(field.source)
        if field.editable and field.key in chosen:
            value, source = chosen[field.key], str(_l("Chosen by the agency"))
        lines.append(_line(field, value, source))
    return lines


def _line(field: ResultField, value: str, source: str) -> DraftLine:
    return DraftLine(
        key=field.key, label=field.label, value=value, source=source, editable=field.editable,
        hint=field.hint, choices=field.choices, section=field.section,
    )


def choose_result_values(dossier: Dossier, values: dict[str, str]) -> dict[str, str]:
    """Record the agency's choices for the editable lines; returns the errors by line key
    (nothing is recorded when there is one). Lines the law fixes are ignored."""
    form = result_form_of(dossier)
    errors: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for field in form.fields:
        if not field.editable or field.key not in values:
            continue
        value = " ".join(str(values[field.key]).split())
        if not value:
            errors[field.key] = str(_l("Fill in this line of the result."))
        elif len(value) > MAX_CHOICE_LENGTH:
            errors[field.key] = str(_l("At most %(count)s characters.", count=MAX_CHOICE_LENGTH))
        elif field.choices and value not in field.choices:
            errors[field.key] = str(_l("Choose one of the wordings the law allows."))
        else:
            chosen[field.key] = value
    if not errors:
        dossier.result_choices = {**(dossier.result_choices or {}), **chosen}
    return errors
