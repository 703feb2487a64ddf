"""Realistic past dossiers, for the demo (``seed-demo --history N``) and the benchmarks.

Each dossier lives a plausible life, simulated on the real working calendar and turned into
the rows the workflow itself would have written — no row is made up apart from its life:

1. Days of the period get dossiers in proportion to their weight (working days more than
   weekends and holidays, later months more than earlier ones, as online use grows); within a
   day, times follow the channel (counter dossiers in working hours, online ones any time).
2. A dossier is submitted, then accepted within a few working hours (or refused, or withdrawn),
   assigned, sometimes sent back for a supplement (the clock pauses, or restarts under the
   procedure's policy), sometimes stopped or withdrawn, usually proposed, approved and signed
   — early, on time or late against the due time the deadline engine gives it, late ones
   sometimes after an approved extension (slip 04) — and returned online, at the counter or by
   post; a third of the returned results are rated.
3. Every step is checked against the workflow's table as it is written
   (:func:`portal.workflow.transitions.check_step`), and so is every clock entry against the
   entries its transition may append: a life the portal could not have lived is a bug here and
   stops the generator. Where a step leads, who takes it when only one role may, and whether it
   shows on the public timeline come from the table.
4. Whatever would happen after ``end`` is cut off, so the last weeks hold open dossiers at
   every stage. The stored due times, outcome and working minutes come from the same
   ``workflow.clock`` functions as for live dossiers, from the ledger kept.
5. Rows are handed out in batches (plain dicts per table, ids assigned here), so the caller
   chooses how to write them: SQLAlchemy ``executemany`` (:func:`insert_batch`, the demo and
   SQLite) or PostgreSQL ``COPY`` (``bench/dossier_data.py``). Notifications are not made:
   nobody should be e-mailed about the past.

Deterministic: the same inputs and ``seed`` give the same rows.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from portal.deadlines import VN_TZ, ClockEvent, ClockEventKind, WorkingCalendar
from portal.dossiers.models import (
    Attachment,
    ClockEntry,
    Dossier,
    DossierCodeCounter,
    DossierEvent,
    Rating,
    StoredDocument,
)
from portal.dossiers.postal import s10_check_digit
from portal.payments.models import Payment
from portal.workflow import clock
from portal.workflow.transitions import TRANSITIONS, check_step

#: Tables in the order their rows must be written (foreign keys).
TABLES = (StoredDocument, Dossier, Attachment, DossierEvent, ClockEntry, Rating, Payment)
#: What the stored documents of past dossiers point to: one small placeholder file.
PLACEHOLDER_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PLACEHOLDER_SHA256 = hashlib.sha256(PLACEHOLDER_PDF).hexdigest()
ANSWERS_CACHE = 20_000
_UTC_OFFSET = timedelta(hours=7)  # Asia/Ho_Chi_Minh, without daylight saving since 1975


def _db(value: datetime | None) -> datetime | None:
    """An aware Vietnam time as stored (naive UTC): ``timeutil.to_db`` for the times made here,
    a few times faster — it runs some thirty times per dossier."""
    return None if value is None else value.replace(tzinfo=None) - _UTC_OFFSET


def _tracking_number(dossier_id: int) -> str:
    """A valid S10 number, as ``ship`` guarantees; the same for a dossier on every run."""
    serial = f"{dossier_id % 100_000_000:08d}"
    return f"EH{serial}{s10_check_digit(serial)}VN"


@dataclass(frozen=True)
class ProcedureSpec:
    """A procedure as the generator needs it: ids, the snapshot dossiers keep, its documents."""

    id: int
    agency_id: int
    agency_code: str
    version: int
    snapshot: dict[str, Any]
    weight: float = 1.0

    @property
    def required_documents(self) -> list[str]:
        return [d["key"] for d in self.snapshot["required_documents"] if d.get("is_required", True)]

    @property
    def optional_documents(self) -> list[str]:
        return [d["key"] for d in self.snapshot["required_documents"] if not d.get("is_required", True)]


@dataclass(frozen=True)
class Staff:
    """The officers of one agency who act on its dossiers."""

    intake_id: int
    specialist_id: int
    leader_id: int

    def actor_id(self, role: str) -> int | None:
        """Who acts in ``role``; None for the citizen: past applicants have no account here."""
        return {"intake": self.intake_id, "specialist": self.specialist_id, "leader": self.leader_id}.get(role)


@dataclass(frozen=True)
class Applicant:
    personal_id: str
    full_name: str


@dataclass(frozen=True)
class Answers:
    """What the e-form held: answers, where each came from, and the register's locked values."""

    answers: dict[str, Any]
    provenance: dict[str, str]
    locked: dict[str, Any]
    is_registry_unverified: bool = False


AnswersFor = Callable[[Applicant, ProcedureSpec], Answers]


def plain_answers(applicant: Applicant, procedure: ProcedureSpec) -> Answers:
    """Name and ID from the register: enough for pages and queues when no register is at hand."""
    locked = {"full_name": applicant.full_name, "personal_id": applicant.personal_id}
    return Answers(dict(locked), {key: "registry" for key in locked}, locked)


@dataclass
class Batch:
    """Rows per table name, ready to insert."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {t.__tablename__: [] for t in TABLES})

    def __len__(self) -> int:
        return len(self.rows[Dossier.__tablename__])


@dataclass
class _Life:
    """What happened to one dossier, as event and clock rows, and the dossier's final columns
    that the effects of its transitions leave and its events do not tell."""

    events: list[tuple[datetime, str, str, str, int | None, str, str]] = field(default_factory=list)
    ledger: list[ClockEvent] = field(default_factory=list)
    ledger_actors: list[int | None] = field(default_factory=list)
    status: str = "draft"
    supplement_return_status: str | None = None
    extension_due_at: datetime | None = None
    extension_reason: str | None = None


class HistoryGenerator:
    """Generates dossiers submitted in [``start``, ``end``), two midnights in Vietnam time.

    ``first_ids`` are the next free ids per table (:func:`first_ids`), ``counters`` the code
    numbers already used per agency and day; ``answers_for`` gives an applicant's e-form answers
    for a procedure (default :func:`plain_answers`).
    """

    def __init__(
        self,
        procedures: Sequence[ProcedureSpec],
        staff: dict[int, Staff],
        applicants: Sequence[Applicant],
        calendar: WorkingCalendar,
        *,
        start: datetime,
        end: datetime,
        seed: int,
        first_ids: dict[str, int] | None = None,
        counters: dict[tuple[int, date], int] | None = None,
        answers_for: AnswersFor = plain_answers,
        storage_name: str = "history-placeholder.pdf",
    ) -> None:
        if any((t.hour, t.minute, t.second, t.microsecond) != (0, 0, 0, 0) for t in (start, end)):
            raise ValueError("start and end are midnights (Vietnam time)")
        self.procedures = list(procedures)
        self.staff = staff
        self.applicants = list(applicants)
        self.calendar = calendar
        self.start, self.end = start, end
        self.rng = random.Random(seed)
        self.next_id = {t.__tablename__: 1 for t in TABLES} | (first_ids or {})
        self.counters: dict[tuple[int, date], int] = dict(counters or {})
        self.answers_for = answers_for
        self.storage_name = storage_name
        self._documents: dict[str, dict[str, int]] = {}  # applicant → document key → last upload's id
        self._answers: dict[tuple[str, int], Answers] = {}
        self._weights = [p.weight for p in self.procedures]

    # -- the calendar of submissions ------------------------------------------------------

    def _day_counts(self, count: int) -> list[tuple[date, int]]:
        """``count`` spread over the days of the period by weight (largest remainder: exact)."""
        days: list[date] = []
        day = self.start.date()
        while datetime.combine(day, time(), VN_TZ) < self.end:
            days.append(day)
            day += timedelta(days=1)
        span = max(1, len(days) - 1)
        weights = [
            (1.0 if self.calendar.is_working_day(d) else 0.12) * (0.75 + 0.5 * i / span) for i, d in enumerate(days)
        ]
        total = sum(weights)
        shares = [count * w / total for w in weights]
        counts = [int(s) for s in shares]
        order = sorted(range(len(days)), key=lambda i: shares[i] - counts[i], reverse=True)
        for i in order[: count - sum(counts)]:
            counts[i] += 1
        return list(zip(days, counts, strict=True))

    def _submission_time(self, day: date, channel: str) -> datetime:
        """To the minute, as the clock counts: a later event is never before it."""
        rng = self.rng
        in_hours = channel != "online" or rng.random() < 0.72
        if in_hours and self.calendar.is_working_day(day):
            minute = rng.randrange(self.calendar.minutes_per_day)
            midnight = datetime.combine(day, time(), VN_TZ)
            return self.calendar.at_position(self.calendar.position(midnight) + minute, period_end=False)
        return datetime.combine(day, time(rng.randrange(6, 23), rng.randrange(60)), VN_TZ)

    def batches(self, count: int, batch_size: int = 5_000) -> Iterator[Batch]:
        """The dossiers in submission order, ``batch_size`` at a time."""
        batch = Batch()
        span = (self.end - self.start).total_seconds() or 1.0
        for day, n in self._day_counts(count):
            is_working = self.calendar.is_working_day(day)
            planned = []
            for _ in range(n):
                procedure = self.rng.choices(self.procedures, self._weights)[0]
                channel = self._channel(is_working, (datetime.combine(day, time(), VN_TZ) - self.start).total_seconds() / span)
                planned.append((self._submission_time(day, channel), channel, procedure))
            for submitted_at, channel, procedure in sorted(planned, key=lambda p: p[0]):
                self._dossier(batch, procedure, channel, submitted_at, (submitted_at - self.start).total_seconds() / span)
                if len(batch) >= batch_size:
                    yield batch
                    batch = Batch()
        if len(batch):
            yield batch

    def _channel(self, is_working_day: bool, progress: float) -> str:
        if not is_working_day:
            return "online"
        r = self.rng.random()
        if r < 0.02:
            return "post"
        return "online" if r < 0.5 + 0.3 * progress else "counter"

    def counter_rows(self) -> list[dict[str, Any]]:
        """The last code number used per agency and day, for ``dossier_code_counters``."""
        return [{"agency_id": a, "day": d, "last_value": v} for (a, d), v in sorted(self.counters.items())]

    # -- one dossier ----------------------------------------------------------------------

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _add(self, t: datetime, minutes: float) -> datetime:
        """``minutes`` working minutes after ``t``, at the start of a working period if on a boundary."""
        cal = self.calendar
        return cal.at_position(cal.position(t) + int(minutes), period_end=False)

    def _dossier(self, batch: Batch, procedure: ProcedureSpec, channel: str, submitted_at: datetime,
                 progress: float) -> None:
        rng = self.rng
        rows = batch.rows
        applicant = rng.choice(self.applicants)
        staff = self.staff[procedure.agency_id]
        snapshot = procedure.snapshot
        dossier_id = self._id("dossiers")
        delivery = rng.choices(
            ("online", "post", "counter"),
            {"online": (75, 15, 10), "counter": (12, 18, 70), "post": (20, 80, 0)}[channel],
        )[0]
        fee = snapshot["fee_online"] if channel == "online" else snapshot["fee_counter"]
        if fee == 0:
            payment_status = "none"
        elif channel == "online":
            payment_status = "later" if snapshot["allows_pay_later"] and rng.random() < 0.3 else "paid"
        else:
            payment_status = "counter"
        form = self._answers.get((applicant.personal_id, procedure.id))
        if form is None:
            if len(self._answers) >= ANSWERS_CACHE:
                self._answers.clear()
            form = self._answers[(applicant.personal_id, procedure.id)] = self.answers_for(applicant, procedure)
        is_unverified = form.is_registry_unverified or rng.random() < 0.01
        day = submitted_at.date()
        number = self.counters.get((procedure.agency_id, day), 0) + 1
        self.counters[(procedure.agency_id, day)] = number
        code = f"{procedure.agency_code}-{day:%y%m%d}-{number:04d}"
        life = self._live(code, procedure, staff, channel, delivery, submitted_at)

        estimate = clock.compute([ClockEvent(ClockEventKind.START, submitted_at)], snapshot, channel, delivery,
                                 self.calendar)
        values: dict[str, Any] = {
            "due_at": None, "legal_due_at": None, "at_risk_from": None, "is_clock_paused": False,
            "outcome": None, "legal_outcome": None, "working_minutes_used": None, "working_minutes_saved": None,
        }
        if life.ledger:
            result = clock.compute(life.ledger, snapshot, channel, delivery, self.calendar)
            values.update(clock.stored_values(result, self.calendar))
        at: dict[str, datetime] = {}
        for when, action, *_ in life.events:
            at.setdefault(action, when)
        completed_at = at.get("approve")
        returned_at = at.get("return_online") or at.get("return_counter") or at.get("deliver")

        result_document_id = None
        if completed_at is not None:
            result_document_id = self._document(rows, applicant, "result", "result", completed_at,
                                                f"Kết quả giải quyết – hồ sơ {dossier_id}")
        attachment_count, reused_count = self._attachments(rows, dossier_id, applicant, procedure, submitted_at,
                                                           progress)
        is_refusal = completed_at is not None and rng.random() < 0.02
        dossier_row = {
            "id": dossier_id,
            "public_id": f"{rng.getrandbits(128):032x}",
            "code": code,
            "procedure_id": procedure.id,
            "procedure_version": procedure.version,
            "procedure_snapshot": snapshot,
            "agency_id": procedure.agency_id,
            "applicant_user_id": None,
            "applicant_personal_id": applicant.personal_id,
            "applicant_name": applicant.full_name,
            "created_by_id": staff.intake_id if channel == "counter" else None,
            "channel": channel,
            "delivery": delivery,
            "delivery_address": {"province_code": 1, "ward_code": 4, "street": "Số 12 phố Đội Cấn"} if delivery == "post" else None,
            "status": life.status,
            "answers": form.answers,
            "provenance": form.provenance,
            "locked": form.locked,
            "completed_steps": [],
            "is_registry_unverified": is_unverified,
            "has_registry_data": not is_unverified and "registry" in form.provenance.values(),
            "attachment_count": attachment_count,
            "reused_attachment_count": reused_count,
            "rating_score": None,
            "fee_amount": fee,
            "payment_status": payment_status,
            "estimated_due_at": _db(estimate.due_at),
            "estimated_legal_due_at": _db(estimate.legal_due_at),
            "submitted_at": _db(submitted_at),
            "accepted_at": _db(at.get("accept")),
            **values,
            "completed_at": _db(completed_at),
            "returned_at": _db(returned_at),
            "assigned_to_id": staff.specialist_id if "assign" in at else None,
            "supplement_items": procedure.required_documents[:1] if "request_supplement" in at else [],
            "supplement_return_status": life.supplement_return_status,
            "has_new_supplement": "supplement" in at,
            "result_body": ("Không đủ điều kiện giải quyết." if is_refusal else "Đồng ý giải quyết theo đề nghị.")
            if "propose_result" in at else None,
            "is_result_refusal": is_refusal,
            "result_document_id": result_document_id,
            "extension_due_at": _db(life.extension_due_at),
            "extension_reason": life.extension_reason,
            "postal_tracking_number": _tracking_number(dossier_id) if "ship" in at else None,
            "created_at": _db(submitted_at - timedelta(minutes=rng.randrange(5, 90))),
            "updated_at": _db(life.events[-1][0]),
            "version": len(life.events) + 1,
        }
        rows["dossiers"].append(dossier_row)
        for when, action, from_status, to_status, actor_id, role, note in life.events:
            is_public = TRANSITIONS[action].is_public
            rows["dossier_events"].append({
                "id": self._id("dossier_events"), "dossier_id": dossier_id, "at": _db(when), "action": action,
                "actor_id": actor_id, "actor_role": role, "from_status": from_status, "to_status": to_status,
                "public_note": note if is_public else "", "internal_note": "" if is_public else note,
            })
        for event, actor_id in zip(life.ledger, life.ledger_actors, strict=True):
            rows["clock_entries"].append({
                "id": self._id("clock_entries"), "dossier_id": dossier_id, "kind": event.kind.value,
                "at": _db(event.at), "due_at": _db(event.due_at), "reason": event.reason or "", "actor_id": actor_id,
            })
        if payment_status == "paid":
            payment_id = self._id("payments")
            rows["payments"].append({
                "id": payment_id, "reference": f"PAYH{payment_id:010d}", "dossier_id": dossier_id, "amount": fee,
                "status": "paid", "gateway_transaction": f"MOCKH{payment_id:08d}",
                "created_at": _db(submitted_at - timedelta(minutes=2)), "completed_at": _db(submitted_at),
            })
        if returned_at is not None and rng.random() < 0.35:
            rated_at = returned_at + timedelta(hours=rng.randrange(1, 72))
            if rated_at < self.end:
                late = values["outcome"] == "late"
                score = rng.choices((5, 4, 3, 2, 1), (20, 30, 25, 15, 10) if late else (58, 26, 9, 4, 3))[0]
                dossier_row["rating_score"] = score
                rows["ratings"].append({"id": self._id("ratings"), "dossier_id": dossier_id, "score": score,
                                        "comment": "", "created_at": _db(rated_at)})

    def _document(self, rows: dict[str, list[dict[str, Any]]], applicant: Applicant, kind: str, key: str,
                  at: datetime, title: str) -> int:
        document_id = self._id("stored_documents")
        rows["stored_documents"].append({
            "id": document_id, "owner_personal_id": applicant.personal_id, "kind": kind, "document_key": key,
            "title": title, "content_type": "application/pdf", "size": len(PLACEHOLDER_PDF),
            "sha256": PLACEHOLDER_SHA256, "storage_name": self.storage_name, "created_at": _db(at),
        })
        return document_id

    def _attachments(self, rows: dict[str, list[dict[str, Any]]], dossier_id: int, applicant: Applicant,
                     procedure: ProcedureSpec, at: datetime, progress: float) -> tuple[int, int]:
        """The required documents (and sometimes an optional one); a document the citizen gave
        before is reused from the store more often as the years go by (Nghị định 45/2020).
        Returns how many were attached and how many of them reused."""
        rng = self.rng
        keys = procedure.required_documents + [k for k in procedure.optional_documents if rng.random() < 0.3]
        earlier = self._documents.setdefault(applicant.personal_id, {})
        reused = 0
        for key in keys:
            if key in earlier and rng.random() < 0.35 + 0.4 * progress:
                document_id, source = earlier[key], "reuse"
                reused += 1
            else:
                document_id = earlier[key] = self._document(rows, applicant, "upload", key, at, key)
                source = "upload"
            rows["attachments"].append({"id": self._id("attachments"), "dossier_id": dossier_id, "document_key": key,
                                        "stored_document_id": document_id, "source": source, "created_at": _db(at)})
        return len(keys), reused

    def _live(self, code: str, procedure: ProcedureSpec, staff: Staff, channel: str, delivery: str,
              submitted_at: datetime) -> _Life:
        """The events and clock ledger of dossier ``code`` up to ``end``."""
        rng, life, end = self.rng, _Life(), self.end
        snapshot = procedure.snapshot

        def illegal(at: datetime, action: str, why: str) -> AssertionError:
            """The generator contradicts the workflow: a bug to fix here, never rows to write."""
            return AssertionError(f"history of dossier {code}, {action} at {at:%Y-%m-%d %H:%M}: {why}")

        def event(at: datetime, action: str, *, role: str | None = None, note: str = "",
                  to_status: str | None = None) -> bool:
            """Record the step if it happened before ``end``; False when it did not happen yet.
            ``role`` is named only where the table allows several, ``to_status`` only where the
            effect decides it (a supplement goes back where it was requested)."""
            if at >= end:
                return False
            transition = TRANSITIONS[action]
            if role is None:
                [role] = transition.roles
            to_status = str(to_status or transition.target or life.status)  # rows hold plain strings
            why = check_step(action, life.status, to_status, role)
            if why:
                raise illegal(at, action, why)
            life.events.append((at, action, life.status, to_status, staff.actor_id(role), role, note))
            life.status = to_status
            return True

        def tick(kind: ClockEventKind, reason: str = "", due_at: datetime | None = None) -> None:
            """The clock entry the last step appends, at its time and by its actor."""
            at, action, _, _, actor_id, _, _ = life.events[-1]
            if kind not in TRANSITIONS[action].clock:
                raise illegal(at, action, f"the clock gets no {kind.value} entry from it")
            life.ledger.append(ClockEvent(kind, at, reason=reason or None, due_at=due_at))
            life.ledger_actors.append(actor_id)

        event(submitted_at, "submit", role="intake" if channel == "counter" else "citizen")
        r = rng.random()
        accepted_at = self._add(submitted_at, rng.expovariate(1 / 150) if channel == "online" else rng.randrange(0, 20))
        if r < 0.015:
            event(submitted_at + timedelta(hours=rng.randrange(2, 30)), "withdraw")
            return life
        if r < 0.045:
            event(accepted_at, "refuse", note="Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.")
            return life
        if not event(accepted_at, "accept"):
            return life
        tick(ClockEventKind.START)
        assigned_at = self._add(accepted_at, rng.randrange(10, 120))
        if not event(assigned_at, "assign", role="intake"):
            return life
        last = assigned_at
        policy = snapshot["supplement_policy"]
        if rng.random() < 0.08:
            asked = self._add(last, rng.randrange(60, 600))
            requested_from = life.status
            if not event(asked, "request_supplement", role="specialist",
                         note="Đề nghị bổ sung giấy tờ chứng minh chỗ ở hợp pháp."):
                return life
            life.supplement_return_status = requested_from
            tick(ClockEventKind.PAUSE, "supplement")
            given = self._add(asked, rng.randrange(240, 2400))
            if not event(given, "supplement", to_status=requested_from):
                return life
            tick(ClockEventKind.RESTART if policy == "restart" else ClockEventKind.RESUME, "supplement")
            last = given
        if rng.random() < 0.01:
            at = self._add(last, rng.randrange(60, 900))
            if event(at, "withdraw", note="Không còn nhu cầu."):
                tick(ClockEventKind.STOP, "withdraw")
            return life
        if rng.random() < 0.007:
            at = self._add(last, rng.randrange(60, 900))
            if event(at, "stop", note="Dừng xử lý theo đề nghị của cơ quan liên quan."):
                tick(ClockEventKind.STOP, "stop")
            return life
        running = clock.compute(life.ledger, snapshot, channel, delivery, self.calendar)
        committed = running.committed_minutes
        due_position = self.calendar.position(running.due_at)
        r = rng.random()
        if r < 0.55:
            shift = -committed * rng.uniform(0.15, 0.7)
        elif r < 0.89:
            shift = -committed * rng.uniform(0.0, 0.15)
        else:
            shift = committed * rng.uniform(0.02, 0.6) + 1
        close_position = max(int(due_position + shift), self.calendar.position(last) + 90)
        closed_at = self.calendar.at_position(close_position)
        if close_position > due_position and rng.random() < 0.4:
            proposed = self.calendar.at_position(max(self.calendar.position(last) + 30, due_position - 240),
                                                 period_end=False)
            new_due = self.calendar.at_position(close_position + rng.randrange(0, 960))
            reason = "Cần xác minh thêm thông tin với cơ quan khác."
            if not event(proposed, "propose_extension", note=reason):
                return life
            life.extension_due_at, life.extension_reason = new_due, reason
            approved = self._add(proposed, 30)
            if not event(approved, "approve_extension"):
                return life
            tick(ClockEventKind.EXTEND, reason, due_at=new_due)
            life.extension_due_at = None
        proposed = self.calendar.at_position(max(close_position - rng.randrange(30, 480), self.calendar.position(life.events[-1][0])),
                                             period_end=False)
        if not event(proposed, "propose_result", note="Đồng ý giải quyết theo đề nghị."):
            return life
        if closed_at <= proposed:
            closed_at = proposed + timedelta(minutes=5)
        if not event(closed_at, "approve"):
            return life
        tick(ClockEventKind.CLOSE)
        if delivery == "online":
            event(closed_at + timedelta(minutes=rng.randrange(10, 1440)), "return_online")
        elif delivery == "counter":
            event(self._add(closed_at, rng.randrange(60, 1440)), "return_counter",
                  note="Đã trao kết quả cho người nộp hồ sơ.")
        elif event(self._add(closed_at, rng.randrange(60, 480)), "ship"):
            event(self._add(life.events[-1][0], rng.randrange(480, 1440)), "deliver")
        return life


def insert_batch(conn: Connection, batch: Batch) -> None:
    """Write a batch with SQLAlchemy ``executemany`` (SQLite, and the demo on PostgreSQL)."""
    for table in TABLES:
        rows = batch.rows[table.__tablename__]
        if rows:
            conn.execute(table.__table__.insert(), rows)


def write_counters(conn: Connection, generator: HistoryGenerator) -> None:
    """Keep the daily code numbers after the generated ones, so new dossiers never collide."""
    rows = generator.counter_rows()
    if not rows:
        return
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    table = DossierCodeCounter.__table__
    stmt = insert(table)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.agency_id, table.c.day],
            set_={"last_value": func.max(table.c.last_value, stmt.excluded.last_value)
                  if conn.dialect.name == "sqlite" else func.greatest(table.c.last_value, stmt.excluded.last_value)},
        ),
        rows,
    )


def first_ids(conn: Connection) -> dict[str, int]:
    """The next free id of every table the generator writes."""
    return {
        t.__tablename__: (conn.execute(select(func.max(t.__table__.c.id))).scalar() or 0) + 1 for t in TABLES
    }


def reset_sequences(conn: Connection) -> None:
    """After rows were written with explicit ids, PostgreSQL's sequences must continue after them."""
    if conn.dialect.name != "postgresql":
        return
    for t in TABLES:
        name = t.__tablename__
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
        ))
