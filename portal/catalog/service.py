"""Reading and loading the procedure catalog.

1. ``load_catalog_file`` reads the YAML data file and validates every entry (unknown field,
   agency, level, unit, delivery or a discount outside 0–20 % stops the load with a message).
2. ``upsert_catalog`` writes it: new procedures are added, changed ones get a new ``version``.
3. Views and other modules read through ``search_procedures``, ``get_procedure``,
   ``procedure_rules`` and ``working_calendar``.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from flask import g, has_request_context
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from portal.catalog.models import (
    DELIVERIES,
    LEVELS,
    PROCESSING_UNITS,
    SUPPLEMENT_POLICIES,
    Agency,
    CalendarException,
    Procedure,
    ProcedureField,
)
from portal.deadlines import (
    ClockEvent,
    ClockEventKind,
    DeadlineResult,
    ProcessingTime,
    WorkingCalendar,
    compute_deadline,
)
from portal.extensions import db
from portal.textutil import fold
from portal.timeutil import VN_TZ, from_db

CATALOG_FILE = Path(__file__).parent / "data" / "catalog.yaml"
MAX_DISCOUNT_PCT = 20
# The longest supplement time limit or extension a procedure may set, in working days.
MAX_LIMIT_DAYS = 60


class CatalogError(ValueError):
    """The catalog data file is invalid; the message names the entry and the problem."""


@dataclass(frozen=True)
class ProcedureRules:
    """What the deadline engine needs to know of a procedure."""

    code: str
    processing_time: ProcessingTime
    discount_pct: int
    supplement_policy: str


def _require(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise CatalogError(f"{where}: missing '{key}'")
    return entry[key]


def _check_procedure(entry: dict[str, Any], fields: set[str], agencies: set[str]) -> None:
    where = f"procedure {entry.get('code', '?')}"
    for key in ("code", "name_vi", "name_en", "result_vi", "result_en"):
        _require(entry, key, where)
    if _require(entry, "field", where) not in fields:
        raise CatalogError(f"{where}: unknown field '{entry['field']}'")
    if _require(entry, "agency", where) not in agencies:
        raise CatalogError(f"{where}: unknown agency '{entry['agency']}'")
    if _require(entry, "level", where) not in LEVELS:
        raise CatalogError(f"{where}: level must be one of {LEVELS}")
    processing = _require(entry, "processing", where)
    if processing.get("unit") not in PROCESSING_UNITS or int(processing.get("value", 0)) < 1:
        raise CatalogError(f"{where}: processing needs a positive value and a unit in {PROCESSING_UNITS}")
    if not 0 <= int(entry.get("discount_pct", 0)) <= MAX_DISCOUNT_PCT:
        raise CatalogError(f"{where}: discount_pct must be between 0 and {MAX_DISCOUNT_PCT}")
    deliveries = entry.get("result_deliveries") or []
    if not deliveries or any(d not in DELIVERIES for d in deliveries):
        raise CatalogError(f"{where}: result_deliveries must be a non-empty subset of {DELIVERIES}")
    if entry.get("supplement_policy", "pause") not in SUPPLEMENT_POLICIES:
        raise CatalogError(f"{where}: supplement_policy must be one of {SUPPLEMENT_POLICIES}")
    for fee in ("fee_counter", "fee_online"):
        if int(entry.get(fee, 0)) < 0:
            raise CatalogError(f"{where}: {fee} cannot be negative")
    for limit in ("supplement_days", "max_extension_days"):
        if entry.get(limit) is not None and not 1 <= int(entry[limit]) <= MAX_LIMIT_DAYS:
            raise CatalogError(f"{where}: {limit} must be between 1 and {MAX_LIMIT_DAYS} working days")
    for doc in entry.get("required_documents") or []:
        for key in ("key", "name_vi", "name_en"):
            _require(doc, key, f"{where}, document")
    _check_texts(entry, where)


def _check_texts(entry: dict[str, Any], where: str) -> None:
    """What pages and the API show as text is text: YAML reads an unquoted ``a: b`` in a list as a
    mapping, ``yes`` as true, ``2024`` as a number."""
    texts = [(key, entry.get(key)) for key in ("name_vi", "name_en", "result_vi", "result_en")]
    texts += [(f"document {doc.get('key')} {key}", doc.get(key))
              for doc in entry.get("required_documents") or [] for key in ("name_vi", "name_en")]
    basis = entry.get("legal_basis") or []
    if not isinstance(basis, list):
        raise CatalogError(f"{where}: legal_basis must be a list of texts")
    texts += [(f"legal_basis item {number}", item) for number, item in enumerate(basis, start=1)]
    for name, value in texts:
        if not isinstance(value, str):
            raise CatalogError(f"{where}: {name} must be text, not {value!r} (quote it: YAML reads 'a: b' as a mapping)")


def _check_components(entry: dict[str, Any], procedures: dict[str, dict[str, Any]]) -> None:
    """A linked procedure names at least two procedures of the catalog that are not linked
    themselves, each once, each waiting only for one listed before it; the first receives the
    group, so it is the linked procedure's agency. Every component is free or names the
    exemption that makes it free here: one submission, nothing to pay (Nghị định 63/2024/NĐ-CP)."""
    where = f"procedure {entry['code']}"
    components = entry.get("components") or []
    codes = [str(c.get("code", "")) for c in components]
    if len(codes) < 2 or len(set(codes)) != len(codes):
        raise CatalogError(f"{where}: a linked procedure lists at least two different components")
    for position, component in enumerate(components):
        target = procedures.get(codes[position])
        if target is None or target.get("components"):
            raise CatalogError(f"{where}: component '{codes[position]}' is no single procedure of the catalog")
        waits_for = component.get("waits_for")
        if waits_for is not None and waits_for not in codes[:position]:
            raise CatalogError(f"{where}: component '{codes[position]}' waits for '{waits_for}', not listed before it")
        has_fee = int(target.get("fee_counter", 0)) or int(target.get("fee_online", 0))
        if has_fee and not (component.get("fee_exemption_vi") and component.get("fee_exemption_en")):
            raise CatalogError(f"{where}: component '{codes[position]}' has a fee; name its exemption (vi and en)")
    if procedures[codes[0]]["agency"] != entry["agency"]:
        raise CatalogError(f"{where}: the agency of a linked procedure is that of its first component")


def load_catalog_file(path: Path = CATALOG_FILE) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields = {_require(f, "code", "field") for f in data.get("fields", [])}
    agencies = {_require(a, "code", "agency") for a in data.get("agencies", [])}
    procedures: dict[str, dict[str, Any]] = {}
    for entry in data.get("procedures", []):
        _check_procedure(entry, fields, agencies)
        if entry["code"] in procedures:
            raise CatalogError(f"procedure {entry['code']}: listed twice")
        procedures[entry["code"]] = entry
    for entry in procedures.values():
        if entry.get("components"):
            _check_components(entry, procedures)
    return data


def _procedure_values(entry: dict[str, Any], field_id: int, agency_id: int) -> dict[str, Any]:
    return {
        "name_vi": entry["name_vi"],
        "name_en": entry["name_en"],
        "field_id": field_id,
        "agency_id": agency_id,
        "level": entry["level"],
        "processing_value": int(entry["processing"]["value"]),
        "processing_unit": entry["processing"]["unit"],
        "discount_pct": int(entry.get("discount_pct", 0)),
        "fee_counter": int(entry.get("fee_counter", 0)),
        "fee_online": int(entry.get("fee_online", 0)),
        "required_documents": [
            {
                "key": d["key"],
                "name_vi": d["name_vi"],
                "name_en": d["name_en"],
                "is_required": bool(d.get("is_required", True)),
            }
            for d in entry.get("required_documents") or []
        ],
        "result_deliveries": list(entry["result_deliveries"]),
        "supplement_policy": entry.get("supplement_policy", "pause"),
        "supplement_days": entry.get("supplement_days"),
        "max_extension_days": entry.get("max_extension_days"),
        "allows_pay_later": bool(entry.get("allows_pay_later", False)),
        "result_vi": entry["result_vi"],
        "result_en": entry["result_en"],
        "legal_basis": list(entry.get("legal_basis") or []),
        "components": [
            {key: component[key] for key in ("code", "waits_for", "fee_exemption_vi", "fee_exemption_en")
             if component.get(key)}
            for component in entry.get("components") or []
        ],
        "search_text": fold(" ".join((entry["code"], entry["name_vi"], entry["name_en"]))),
    }


def _upsert(model: type, key: str, values: dict[str, Any]) -> Any:
    row = db.session.execute(select(model).filter_by(code=key)).scalar_one_or_none()
    if row is None:
        row = model(code=key, **values)
        db.session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    return row


def upsert_catalog(data: dict[str, Any] | None = None, *, update_existing: bool = True) -> int:
    """Write the catalog data into the database; returns the number of procedures.

    With ``update_existing=False`` (the demo seed) procedures already in the database keep
    what administrators set; only missing ones are added.
    """
    data = data if data is not None else load_catalog_file()
    fields = {
        f["code"]: _upsert(ProcedureField, f["code"], {"name_vi": f["name_vi"], "name_en": f["name_en"]})
        for f in data["fields"]
    }
    agencies = {
        a["code"]: _upsert(Agency, a["code"], {k: a.get(k) for k in ("name_vi", "name_en", "province_code", "ward_code", "address")})
        for a in data["agencies"]
    }
    db.session.flush()
    for entry in data["procedures"]:
        values = _procedure_values(entry, fields[entry["field"]].id, agencies[entry["agency"]].id)
        existing = db.session.execute(select(Procedure).filter_by(code=entry["code"])).scalar_one_or_none()
        if existing is None:
            db.session.add(Procedure(code=entry["code"], version=1, **values))
        elif update_existing and any(getattr(existing, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(existing, name, value)
            existing.version += 1
    db.session.flush()
    return len(data["procedures"])


def _published() -> Select[tuple[Procedure]]:
    return (
        select(Procedure)
        .where(Procedure.is_published.is_(True))
        .options(joinedload(Procedure.agency), joinedload(Procedure.field))
    )


def search_procedures(
    query: str = "", field_code: str | None = None, agency_code: str | None = None
) -> list[Procedure]:
    """Published procedures matching every word of ``query`` (accent-insensitive), by name."""
    stmt = _published()
    for word in fold(query).split():
        stmt = stmt.where(Procedure.search_text.contains(word, autoescape=True))
    if field_code:
        stmt = stmt.join(Procedure.field).where(ProcedureField.code == field_code)
    if agency_code:
        stmt = stmt.join(Procedure.agency).where(Agency.code == agency_code)
    return list(db.session.execute(stmt.order_by(Procedure.code)).unique().scalars())


@dataclass(frozen=True, slots=True)
class ProcedureName:
    code: str
    name_vi: str
    name_en: str

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi


#: Built once (a queue page's filter reads it on every page): the agency is a parameter.
_PROCEDURE_NAMES = (
    select(Procedure.code, Procedure.name_vi, Procedure.name_en)
    .where(Procedure.is_published.is_(True), Procedure.agency_id == bindparam("agency_id")).order_by(Procedure.code)
)


def procedure_names(agency_id: int) -> list[ProcedureName]:
    """The published procedures of an agency by code, their names only (a list's filter)."""
    return [ProcedureName(*row) for row in db.session.execute(_PROCEDURE_NAMES, {"agency_id": agency_id})]


def get_procedure(code: str) -> Procedure | None:
    return db.session.execute(_published().where(Procedure.code == code)).unique().scalar_one_or_none()


@dataclass(frozen=True)
class Component:
    """A component of a linked procedure: the procedure, and the component it waits for."""

    procedure: Procedure
    waits_for: str | None
    fee_exemption_vi: str = ""
    fee_exemption_en: str = ""

    def fee_exemption(self, locale: str) -> str:
        return self.fee_exemption_en if locale == "en" else self.fee_exemption_vi


def components_of(procedure: Procedure) -> list[Component]:
    """The component procedures of a linked procedure, in order (empty for any other); a
    component no longer published is left out."""
    if not procedure.components:
        return []
    codes = [c["code"] for c in procedure.components]
    found = {p.code: p for p in db.session.execute(_published().where(Procedure.code.in_(codes))).unique().scalars()}
    return [
        Component(found[c["code"]], c.get("waits_for"), c.get("fee_exemption_vi", ""), c.get("fee_exemption_en", ""))
        for c in procedure.components if c["code"] in found
    ]


def list_fields() -> list[ProcedureField]:
    return list(db.session.execute(select(ProcedureField).order_by(ProcedureField.code)).scalars())


def list_agencies() -> list[Agency]:
    return list(db.session.execute(select(Agency).order_by(Agency.code)).scalars())


def rules_of(procedure: Procedure) -> ProcedureRules:
    return ProcedureRules(
        code=procedure.code,
        processing_time=ProcessingTime(procedure.processing_value, procedure.processing_unit),
        discount_pct=procedure.discount_pct,
        supplement_policy=procedure.supplement_policy,
    )


def procedure_rules(code: str) -> ProcedureRules | None:
    procedure = get_procedure(code)
    return rules_of(procedure) if procedure else None


_CALENDARS: dict[tuple[tuple[Any, bool, str], ...], WorkingCalendar] = {}
_CALENDARS_KEPT = 16  # the current calendar and the few that dossiers' appointments still use
_CALENDARS_LOCK = threading.Lock()

ExceptionRow = tuple[date, bool, str, datetime | None, datetime | None]


def exception_rows() -> tuple[ExceptionRow, ...]:
    """Every exception ever made, deleted ones included (read once per request)."""
    if has_request_context() and "calendar_exceptions" in g:
        return g.calendar_exceptions
    rows = tuple(
        (day, is_working, reference, from_db(created), from_db(deleted))
        for day, is_working, reference, created, deleted in db.session.execute(
            select(CalendarException.day, CalendarException.is_working_day, CalendarException.legal_reference,
                   CalendarException.created_at, CalendarException.deleted_at)
            .order_by(CalendarException.day, CalendarException.id)
        )
    )
    if has_request_context():
        g.calendar_exceptions = rows
    return rows


def standing_at(row: ExceptionRow, at: datetime) -> bool:
    _day, _working, _reference, created, deleted = row
    return (created is None or created <= at) and (deleted is None or deleted > at)


def working_calendar(as_of: datetime | None = None) -> WorkingCalendar:
    """The working calendar with the administrators' exceptions standing at ``as_of`` (now by
    default); rebuilt only when they change.

    A dossier's appointment uses the calendar of the instant it was promised
    (``workflow.clock.calendar_instant``): an exception made later does not move it.
    """
    at = as_of or datetime.now(VN_TZ)
    exceptions = tuple(row[:3] for row in exception_rows() if standing_at(row, at))
    calendar = _CALENDARS.get(exceptions)
    if calendar is None:
        calendar = WorkingCalendar(
            exceptions={day: is_working for day, is_working, _ in exceptions},
            exception_reasons={day: reference for day, _, reference in exceptions},
        )
        with _CALENDARS_LOCK:  # gunicorn's threads share the cache
            while len(_CALENDARS) >= _CALENDARS_KEPT:
                _CALENDARS.pop(next(iter(_CALENDARS)), None)
            calendar = _CALENDARS.setdefault(exceptions, calendar)
    return calendar


def forget_working_calendar() -> None:
    """After a change to the exceptions: the rest of the request reads them again."""
    if has_request_context():
        g.pop("calendar_exceptions", None)


@dataclass(frozen=True)
class AppointmentEstimate:
    """What a citizen submitting now can expect: online with the result online, or otherwise."""

    online: DeadlineResult
    other: DeadlineResult


def estimate_appointment(procedure: Procedure, received_at: datetime, lang: str) -> AppointmentEstimate:
    """Due times for a dossier received at ``received_at`` (an estimate: the binding
    appointment is set when the one-stop-shop accepts the dossier, DESIGN §5)."""
    rules, calendar = rules_of(procedure), working_calendar()
    events = [ClockEvent(ClockEventKind.START, received_at)]

    def compute(is_online: bool) -> DeadlineResult:
        return compute_deadline(
            events,
            calendar,
            rules.processing_time,
            discount_pct=rules.discount_pct,
            is_online_submission=is_online,
            is_online_delivery=is_online,
            supplement_policy=rules.supplement_policy,
            lang=lang,
        )

    return AppointmentEstimate(online=compute(True), other=compute(False))
