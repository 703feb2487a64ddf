"""What anyone holding a dossier code may see of it.

1. The code is checked for its shape (``{agency}-{yyMMdd}-{NNNN}``) before any lookup.
2. The public view has the procedure, agency, status (words and national code), the times and
   the public events; never internal notes nor who did what inside the agency.
3. The applicant's name is masked (``Nguyễn V*** A``) unless the person also gives the last
   four digits of the personal ID, or is the signed-in applicant.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, bindparam, literal_column, null, select, union_all

from portal.catalog.models import Agency, Procedure
from portal.dossiers.models import Dossier, DossierEvent
from portal.extensions import db, reading_connection, reading_only
from portal.textutil import mask_name
from portal.timeutil import from_db
from portal.dossiers.states import Status, national_code, status_label
from portal.workflow.linked import public_note
from portal.workflow.transitions import TRANSITIONS

#: Changes with a new release of the code or of the tracking page (ETags of old pages then stop matching).
_RELEASE = "|".join(
    str(int(path.stat().st_mtime)) for path in (
        Path(__file__), Path(__file__).parent.parent.parent / "templates" / "tracking" / "track.html",
    ) if path.exists()
)

CODE_PATTERN = re.compile(r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}-[0-9]{6}-[0-9]{4}$")


class MalformedCode(ValueError):
    """Not the shape of a dossier code."""


def normalise(code: str) -> str:
    code = (code or "").strip().upper()
    if not CODE_PATTERN.match(code):
        raise MalformedCode(code)
    return code


@dataclass(frozen=True)
class Named:
    """An agency or procedure as tracking shows it: its name in either language."""

    name_vi: str
    name_en: str

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi


@dataclass(frozen=True)
class TrackedEvent:
    at: datetime
    action: str
    to_status: str
    public_note: str


@dataclass(frozen=True)
class Tracked:
    """What tracking shows of a dossier, read in one round trip (not an ORM object)."""

    id: int
    version: int
    code: str
    status: str
    applicant_personal_id: str
    applicant_name: str
    #: From the procedure as it was at submission (the snapshot), not the whole snapshot.
    procedure_code: str
    procedure_name_at_submission: str
    discount_pct: int
    channel: str
    delivery: str | None
    submitted_at: datetime | None
    accepted_at: datetime | None
    due_at: datetime | None
    estimated_due_at: datetime | None
    legal_due_at: datetime | None
    estimated_legal_due_at: datetime | None
    completed_at: datetime | None
    returned_at: datetime | None
    agency: Named
    procedure: Named
    events: tuple[TrackedEvent, ...]
    #: The rows as read, every value of them (what :func:`fingerprint` digests).
    rows: tuple[tuple[Any, ...], ...] = field(repr=False, compare=False)


_DOSSIER_COLUMNS = (
    Dossier.id, Dossier.version, Dossier.code, Dossier.status, Dossier.applicant_personal_id, Dossier.applicant_name,
    Dossier.procedure_snapshot["code"].as_string(), Dossier.procedure_snapshot["name_vi"].as_string(),
    Dossier.procedure_snapshot["discount_pct"].as_integer(), Dossier.channel, Dossier.delivery, Dossier.submitted_at, Dossier.accepted_at,
    Dossier.due_at, Dossier.estimated_due_at, Dossier.legal_due_at, Dossier.estimated_legal_due_at,
    Dossier.completed_at, Dossier.returned_at,
)
_EVENT_COLUMNS = (DossierEvent.at, DossierEvent.action, DossierEvent.to_status, DossierEvent.public_note)
_NAME_COLUMNS = (Agency.name_vi, Agency.name_en, Procedure.name_vi, Procedure.name_en)
_TRACKED = (Dossier.code == bindparam("code"), Dossier.status != Status.DRAFT.value)
_DOSSIER_ROW = (
    select(literal_column("0").label("part"), *_DOSSIER_COLUMNS, *_NAME_COLUMNS,
           *(null().cast(c.type).label(c.key) for c in _EVENT_COLUMNS), null().cast(Integer).label("event_id"))
    .join(Agency, Agency.id == Dossier.agency_id)
    .join(Procedure, Procedure.id == Dossier.procedure_id)
    .where(*_TRACKED)
)
_EVENT_ROWS = (
    select(literal_column("1"), *(null().cast(c.type) for c in (*_DOSSIER_COLUMNS, *_NAME_COLUMNS)), *_EVENT_COLUMNS, DossierEvent.id)
    .join(Dossier, Dossier.id == DossierEvent.dossier_id)
    .where(*_TRACKED)
)
#: Built once: the dossier with its agency's and procedure's names in one row, then one row per
#: event with only the event's values (the others NULL), in one round trip. Each event row
#: repeating the dossier's two dozen values made the database sort, send and convert them (and
#: psycopg read them) once per event: PostgreSQL's time for a dossier with 7 events was twice
#: what it is now. Both parts find the dossier by the same condition in the same statement, so
#: they see the same dossier. The answers, the procedure snapshot (three of its values only),
#: other large columns and the internal notes are never read.
_FIND = union_all(_DOSSIER_ROW, _EVENT_ROWS)
_FIND = _FIND.order_by(_FIND.selected_columns.part, _FIND.selected_columns.at, _FIND.selected_columns.event_id)
_NAMES_AT = 1 + len(_DOSSIER_COLUMNS)
_EVENT_AT = _NAMES_AT + len(_NAME_COLUMNS)


def find(code: str) -> Tracked | None:
    """The dossier with what its public view shows, in one round trip (:data:`_FIND`)."""
    with reading_connection() as connection:
        rows = connection.execute(_FIND, {"code": code}).all()
    if not rows or rows[0][0] != 0:  # no dossier's row: not found (events alone are never shown)
        return None
    first = rows[0]
    agency_vi, agency_en, procedure_vi, procedure_en = first[_NAMES_AT:_EVENT_AT]
    events = tuple(TrackedEvent(*row[_EVENT_AT:-1]) for row in rows[1:])
    return Tracked(*first[1:_NAMES_AT], agency=Named(agency_vi, agency_en), procedure=Named(procedure_vi, procedure_en),
                   events=events, rows=tuple(tuple(row) for row in rows))


def fingerprint(dossier: Tracked, *, is_detailed: bool, lang: str) -> str:
    """An ETag for what tracking shows of ``dossier``: a digest of everything read for it (so
    it changes whenever anything shown does, the version counting every change besides), with
    the language, the detail shown and the release of the code and template."""
    key = f"{_RELEASE}|{is_detailed}|{lang}|{dossier.rows!r}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def may_see_details(dossier: Tracked, id_last4: str, user: Any) -> bool:
    if user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_citizen", False):
        if user.personal_id == dossier.applicant_personal_id:
            return True
    given = (id_last4 or "").strip()
    return len(given) == 4 and hmac.compare_digest(given, dossier.applicant_personal_id[-4:])


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    status: str
    status_code: int | None
    note: str


@dataclass(frozen=True)
class PublicView:
    dossier: Tracked
    applicant: str
    is_detailed: bool
    submitted_at: datetime | None
    received_at: datetime | None
    due_at: datetime | None
    legal_due_at: datetime | None
    is_due_estimated: bool
    discount_pct: int
    completed_at: datetime | None
    returned_at: datetime | None
    timeline: tuple[TimelineEntry, ...]
    lang: str

    @property
    def status_label(self) -> str:
        return status_label(self.dossier.status, self.lang)

    @property
    def status_code(self) -> int | None:
        return national_code(self.dossier.status)


#: Events whose note the linked procedure wrote (stored in Vietnamese, the record): said again in
#: the reader's language (``workflow.linked.public_note``), as the group's pages do.
_LINKED_ACTIONS = frozenset({"receive_linked", "stop_linked"})


def _linked_notes(dossier: Tracked, lang: str) -> dict[tuple[datetime, str], str]:
    if not any(e.action in _LINKED_ACTIONS for e in dossier.events):
        return {}
    reading_only()  # the ORM reads below, as the lookup: outside a transaction, no lock
    record = db.session.get(Dossier, dossier.id)
    if record is None:
        return {}
    return {(e.at, e.action): public_note(e, record, lang) for e in record.events if e.action in _LINKED_ACTIONS}


def public_view(dossier: Tracked, *, is_detailed: bool, lang: str = "vi") -> PublicView:
    is_estimated = dossier.due_at is None
    due = from_db(dossier.due_at or dossier.estimated_due_at)
    legal = from_db(dossier.legal_due_at or dossier.estimated_legal_due_at)
    applies_discount = dossier.channel == "online" and dossier.delivery == "online"
    linked_notes = _linked_notes(dossier, lang)
    timeline = tuple(
        TimelineEntry(
            at=from_db(e.at),
            status=status_label(e.to_status, lang),
            status_code=national_code(e.to_status),
            note=linked_notes.get((e.at, e.action), e.public_note),
        )
        for e in dossier.events
        if TRANSITIONS[e.action].is_public
    )
    return PublicView(
        dossier=dossier,
        applicant=dossier.applicant_name if is_detailed else mask_name(dossier.applicant_name),
        is_detailed=is_detailed,
        submitted_at=from_db(dossier.submitted_at),
        received_at=from_db(dossier.accepted_at),
        due_at=due,
        legal_due_at=legal,
        is_due_estimated=is_estimated,
        discount_pct=dossier.discount_pct if applies_discount and due != legal else 0,
        completed_at=from_db(dossier.completed_at),
        returned_at=from_db(dossier.returned_at),
        timeline=timeline,
        lang=lang,
    )


def as_json(view: PublicView) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    dossier = view.dossier
    return {
        "code": dossier.code,
        "procedure_code": dossier.procedure_code,
        "procedure": dossier.procedure_name_at_submission,
        "agency": dossier.agency.name_vi,
        "status": dossier.status,
        "status_label": view.status_label,
        "status_code": view.status_code,
        "submitted_at": iso(view.submitted_at),
        "received_at": iso(view.received_at),
        "due_at": iso(view.due_at),
        "legal_due_at": iso(view.legal_due_at),
        "is_due_estimated": view.is_due_estimated,
        "completed_at": iso(view.completed_at),
        "returned_at": iso(view.returned_at),
        "timeline": [
            {"at": iso(t.at), "status": t.status, "status_code": t.status_code, "note": t.note}
            for t in view.timeline
        ],
        "applicant": view.applicant,
    }
