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

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale
from portal.dossiers.codes import next_counter_value

from portal.deadlines import to_local
from portal.dossiers.display import display_value
from portal.dossiers.models import Dossier, ResultNumberCounter
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.paperwork import ResultField, ResultForm, get_result_form
from portal.registry import get_registry
from portal.registry.client import RegistryUnavailable

MAX_CHOICE_LENGTH = 300
MAX_DETAILS_LENGTH = 1000
# What the draft and the preview print where the official number will be: it is given only
# when the leader signs (:func:`allocate_result_number`), so a preview never shows one that a
# later result could take.
PENDING_NUMBER = "(số sẽ cấp khi ký)"

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
    # The agency must choose this line (its template gives no default) and has not yet.
    needs_choice: bool = False
    # The line comes from the population register, which did not answer.
    register_down: bool = False
    # The choices after which the specialist writes details, and the details recorded.
    details_for: tuple[str, ...] = ()
    details: str = ""
    # Left out of the document while it has no value (``ResultField.omit_blank``).
    omit_blank: bool = False

    @property
    def printed(self) -> str:
        """What the result prints on this line: the value, then the details written after it."""
        return f"{self.value}: {self.details}" if self.details else self.value


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
        self._unanswered: set[str] = set()

    def answer(self, path: str) -> tuple[str, str]:
        key, _, part = path.partition(".")
        value = self.dossier.answers.get(key)
        field = self.fields.get(key)
        source = str(_l("E-form: %(field)s", field=getattr(field, "label_vi", key) if field else key))
        if part:
            person = value if isinstance(value, dict) else {}
            if part == "birth_year":
                return str(person.get("date_of_birth", ""))[:4], source
            if part == "date_of_birth":
                born = _iso_date(person.get("date_of_birth"))
                return (born.strftime("%d/%m/%Y") if born else ""), source
            return str(person.get(part, "") or ""), source
        if self.dossier.provenance.get(key) == "registry" and field is None:
            source = str(_l("Population register"))
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
                self._unanswered.add(personal_id)
        if personal_id in self._unanswered:
            return "", str(_l("Population register (unavailable: fill in)"))
        record = self._people[personal_id]
        value = getattr(record, attribute, "") if record is not None else ""
        return str(value or ""), source

    def register_answered(self, spec: str) -> bool:
        """False when ``spec`` is a register line whose person the register did not answer for."""
        if "|" in spec:
            return all(self.register_answered(part) for part in spec.split("|"))
        if not spec.startswith("register."):
            return True
        return self.register(spec.partition(".")[2])[1] != str(_l("Population register (unavailable: fill in)"))

    def issue(self, name: str) -> tuple[str, str]:
        local = to_local(self.now)
        source = str(_l("Issued with the signature"))
        if name == "date":
            return local.strftime("%d/%m/%Y"), source
        sequence = result_sequence(self.dossier)
        if sequence is None:
            return PENDING_NUMBER, str(_l("Agency's register, number given at signing"))
        number, year = sequence
        if name == "hkd_code":
            return f"HKD-{year}-{number:06d}", str(_l("Agency's register"))
        return f"{number}/{result_form_of(self.dossier).number_suffix}", str(_l("Agency's register"))

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
        if name == "card_valid_until":  # Luật Bảo hiểm y tế: a child's card runs until 72 months of age
            born = _iso_date(answers.get("child_date_of_birth"))
            return (add_months(born, 72).strftime("%d/%m/%Y") if born else ""), source
        if name == "bank_account":
            account, bank = answers.get("bank_account"), answers.get("bank_name")
            return (f"Số {account} tại {bank}" if account else ""), source
        if name == "death_moment":
            died = _iso_date(answers.get("date_of_death"))
            hour, _, minute = str(answers.get("time_of_death") or "").partition(":")
            moment = f"{int(hour)} giờ {minute} phút, " if hour and minute else ""
            return (f"{moment}ngày {died:%d/%m/%Y}" if died else ""), source
        if name == "marital_purpose":
            if answers.get("purpose") == "marriage":
                return f"Làm thủ tục đăng ký kết hôn với {answers.get('partner_name', '')}".strip(), source
            other = answers.get("other_purpose")
            if other:
                return str(other), source
            return self.answer("purpose")[0], source
        raise ValueError(f"unknown computed value {name!r}")

    def read(self, spec: str) -> tuple[str, str]:
        if not spec:
            return "", str(_l("To be chosen by the agency"))
        if spec.startswith("text:"):
            return spec[5:], str(_l("Wording of the legal template"))
        if "|" in spec:  # the first alternative that has a value
            read = [self.read(part) for part in spec.split("|")]
            return next((r for r in read if r[0]), read[-1])
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


def result_sequence(dossier: Dossier) -> tuple[int, int] | None:
    """The number of this result in its agency's register and its year, once given at signing."""
    if not dossier.result_number:
        return None
    number, _, year = dossier.result_number.partition("/")
    return int(number), int(year)


def document_number(dossier: Dossier) -> str:
    """The number printed after "Số:" — :data:`PENDING_NUMBER` until the result is signed."""
    sequence = result_sequence(dossier)
    if sequence is None:
        return PENDING_NUMBER
    return f"{sequence[0]}/{result_form_of(dossier).number_suffix}"


def allocate_result_number(dossier: Dossier, now: datetime) -> str:
    """Give ``dossier`` the next number of its agency's register for the year of ``now`` (kept
    once given). One upsert on the counter row: on PostgreSQL its row lock serialises two
    leaders signing at once, and the unique index on (agency, number) backs it."""
    if dossier.result_number:
        return dossier.result_number
    year = to_local(now).year
    number = next_counter_value(db.session, ResultNumberCounter.__table__, agency_id=dossier.agency_id, year=year)
    dossier.result_number = f"{number}/{year}"
    return dossier.result_number


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
        details = ""
        if field.editable and field.key in chosen:
            value, source = chosen[field.key], str(_l("Chosen by the agency"))
            details = chosen.get(details_key(field.key), "") if value in field.details_for else ""
        lines.append(DraftLine(
            key=field.key, label=field.label, value=value, source=source,
            editable=field.editable, hint=field.hint, choices=field.choices, section=field.section,
            needs_choice=field.editable and not field.source and field.key not in chosen,
            register_down=not value and not sources.register_answered(field.source),
            details_for=field.details_for, details=details, omit_blank=field.omit_blank,
        ))
    return lines


def details_key(key: str) -> str:
    """Where the details written after a choice of line ``key`` are recorded (and posted)."""
    return f"{key}_details"


def missing_choices(dossier: Dossier) -> list[str]:
    """The labels of the lines the agency must choose (no default in the template) and has not."""
    chosen = dossier.result_choices or {}
    return [f.label for f in result_form_of(dossier).fields if f.editable and not f.source and f.key not in chosen]


def _normalised(value: Any) -> str:
    return unicodedata.normalize("NFC", " ".join(str(value or "").split()))


def choose_result_values(dossier: Dossier, values: dict[str, str]) -> dict[str, str]:
    """Record the agency's choices for the editable lines; returns the errors by line key
    (nothing is recorded when there is one). Lines the law fixes are ignored."""
    form = result_form_of(dossier)
    errors: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for field in form.fields:
        if not field.editable or field.key not in values:
            continue
        value = _normalised(values[field.key])
        if value and field.details_for:
            details = _normalised(values.get(details_key(field.key))) if value in field.details_for else ""
            if value in field.details_for and not details:
                errors[details_key(field.key)] = str(_l("Write the details of “%(choice)s”.", choice=value))
            elif len(details) > MAX_DETAILS_LENGTH:
                errors[details_key(field.key)] = str(_l("At most %(count)s characters.", count=MAX_DETAILS_LENGTH))
            else:
                chosen[details_key(field.key)] = details
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
        db.session.flush()  # a concurrent change is refused here, before the page says "saved"
    return errors
