"""Dossiers (*hồ sơ*), their attachments and history, and the citizen's document store."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.catalog.models import Agency, Procedure
from portal.eforms.definitions import FormDefinition, get_form_definition
from portal.extensions import db
from portal.timeutil import utcnow
from portal.dossiers.states import OPEN_STATES, Status, national_code, sql_literals

CHANNELS = ("online", "counter", "post")
RUNNING_PREDICATE = "status IN ({})".format(", ".join(sql_literals(OPEN_STATES)))
PROVENANCES = ("registry", "profile", "reuse", "citizen", "officer")


def _public_id() -> str:
    return uuid.uuid4().hex


# What the statistics (portal.stats) read of a dossier received or completed in a period: on
# PostgreSQL the two indexes by agency and time carry these columns, so a year of an agency is
# an index-only scan instead of a walk through the wide rows (answers, snapshot…).
# What the queues' counts test besides agency and status (backoffice.queues._membership).
QUEUE_COUNTED = ["assigned_to_id", "has_new_supplement", "supplement_due_at"]
QUEUE_ORDER = ["due_at", "submitted_at", "id"]
# An agency's dossiers are assigned to its own specialists: agency and assignee are correlated,
# which PostgreSQL's planner cannot know without these statistics (without them it combined two
# bitmaps of 370,000 rows to find a specialist's 2,000 dossiers: 34 ms instead of 0.3 ms).
CORRELATED_STATISTICS = (
    "CREATE STATISTICS IF NOT EXISTS st_dossiers_agency_assignee (dependencies, ndistinct) "
    "ON agency_id, assigned_to_id, status FROM dossiers"
)
STATS_SUBMITTED = ["procedure_id", "channel", "delivery", "status", "accepted_at", "fee_amount",
                   "payment_status", "has_registry_data", "attachment_count", "reused_attachment_count"]
STATS_COMPLETED = ["procedure_id", "outcome", "legal_outcome", "working_minutes_used", "working_minutes_saved",
                   "delivery", "result_document_id", "rating_score"]


class Dossier(db.Model):
    """A dossier from its first draft to the returned result.

    ``procedure_snapshot`` keeps the rules of the procedure version it was submitted under
    (fees, processing time, discount, documents) so later catalog changes never alter it.
    ``version`` is the optimistic lock: two officers (or a double click) on one dossier cannot
    both write it.
    """

    __tablename__ = "dossiers"
    __table_args__ = (
        # Covering: a queue's size and the navigation's counts are read from the index alone; and
        # each state's dossiers of an agency in a queue's order (due time, submission, id), so a
        # queue's page merges the first rows of each of its states (backoffice.queues._listing).
        Index("ix_dossiers_agency_status", "agency_id", "status", *QUEUE_ORDER, postgresql_include=QUEUE_COUNTED),
        Index("ix_dossiers_applicant_status", "applicant_personal_id", "status"),
        Index("ix_dossiers_agency_submitted", "agency_id", "submitted_at", postgresql_include=STATS_SUBMITTED),
        Index("ix_dossiers_agency_completed", "agency_id", "completed_at", postgresql_include=STATS_COMPLETED),
        # The running dossiers of an agency in due order: the queues' deadline filters read
        # them here instead of walking every finished dossier's due time (bench.growth).
        Index("ix_dossiers_running_due", "agency_id", "due_at",
              postgresql_where=text(RUNNING_PREDICATE), sqlite_where=text(RUNNING_PREDICATE)),
        # One official number per result in its agency's register (``{number}/{year}``).
        Index("ix_dossiers_agency_result_number", "agency_id", "result_number", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=_public_id)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    procedure_version: Mapped[int]
    procedure_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    applicant_personal_id: Mapped[str] = mapped_column(String(12))
    applicant_name: Mapped[str] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(10))
    delivery: Mapped[str | None] = mapped_column(String(10))
    delivery_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(30), default=Status.DRAFT.value)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    provenance: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Values from the register at draft creation: the server refuses any change to them.
    locked: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    completed_steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_registry_unverified: Mapped[bool] = mapped_column(default=False)
    # Set at submission: the applicant's data came from the population register (some answer
    # has provenance ``registry`` and the register was reachable) — Decision 766's reuse of
    # population data, stored so the statistics need not parse every dossier's JSON.
    has_registry_data: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Counted at submission and at each supplement (``count_attachments``): the documents given,
    # and how many of them came from the citizen's document store (NĐ 45/2020 reuse).
    attachment_count: Mapped[int] = mapped_column(default=0, server_default="0")
    reused_attachment_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_score: Mapped[int | None]  # the citizen's rating (``rate``), 1–5
    fee_amount: Mapped[int] = mapped_column(default=0)
    payment_status: Mapped[str] = mapped_column(String(10), default="none")
    estimated_due_at: Mapped[datetime | None]
    estimated_legal_due_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    # Life after submission (DESIGN §4–5). Due times are derived from the clock ledger and
    # stored for the queues; ``at_risk_from`` is when 20 % of the working time is left.
    accepted_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    legal_due_at: Mapped[datetime | None]
    at_risk_from: Mapped[datetime | None]
    # The instant whose working calendar the appointment is computed with: None for the
    # acceptance (the first clock entry); set when an administrator re-plans the dossier after
    # a change to the calendar (``workflow.replan``). Later calendar changes never move it.
    calendar_as_of: Mapped[datetime | None]
    is_clock_paused: Mapped[bool] = mapped_column(default=False)
    completed_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(10))
    legal_outcome: Mapped[str | None] = mapped_column(String(10))
    # Set with the outcome (``workflow.clock``): working minutes from acceptance to the result,
    # paused time left out, and the part of the early-return discount the citizen got.
    working_minutes_used: Mapped[int | None]
    working_minutes_saved: Mapped[int | None]
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # What the one-stop-shop or the specialist asked for (slip 02), and where to go back to.
    supplement_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    supplement_return_status: Mapped[str | None] = mapped_column(String(30))
    # The time limit of the supplement request, and when the citizen was reminded of it.
    supplement_due_at: Mapped[datetime | None]
    supplement_reminded_at: Mapped[datetime | None]
    has_new_supplement: Mapped[bool] = mapped_column(default=False)
    # The specialist's proposal and the leader's decision on it.
    result_body: Mapped[str | None] = mapped_column(Text)
    is_result_refusal: Mapped[bool] = mapped_column(default=False)
    result_document_id: Mapped[int | None] = mapped_column(ForeignKey("stored_documents.id"))
    # Issue 18: the values the agency chose where the result's legal template leaves a choice
    # (``workflow.result_draft``), and the token of the public verification address printed
    # on the signed result (``/verify/<token>``).
    result_choices: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    result_token: Mapped[str | None] = mapped_column(String(24), unique=True, index=True)
    # The result's number in the agency's register, ``{number}/{year}``, given when it is signed.
    result_number: Mapped[str | None] = mapped_column(String(20))
    extension_due_at: Mapped[datetime | None]
    extension_reason: Mapped[str | None] = mapped_column(Text)
    postal_tracking_number: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    procedure: Mapped[Procedure] = relationship()
    agency: Mapped[Agency] = relationship()
    applicant: Mapped[User | None] = relationship(foreign_keys=[applicant_user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    result_document: Mapped[StoredDocument | None] = relationship(foreign_keys=[result_document_id])
    clock: Mapped[list[ClockEntry]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="ClockEntry.id"
    )
    notes: Mapped[list[InternalNote]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="InternalNote.id"
    )
    rating: Mapped[Rating | None] = relationship(cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="Attachment.id"
    )
    events: Mapped[list[DossierEvent]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierEvent.id"
    )
    # Its place in a linked dossier (``DossierGroup``), when it is a component of one.
    linked: Mapped[GroupComponent | None] = relationship(
        back_populates="dossier", foreign_keys="GroupComponent.dossier_id", uselist=False
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_code(self) -> int | None:
        return national_code(self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT.value

    @property
    def form_definition(self) -> FormDefinition:
        """The e-form of the procedure the dossier was started under."""
        return get_form_definition(self.procedure_snapshot["code"])

    def attachments_by_key(self) -> dict[str, list[Attachment]]:
        """The attached documents grouped by the required document they answer."""
        grouped: dict[str, list[Attachment]] = {}
        for attachment in self.attachments:
            grouped.setdefault(attachment.document_key, []).append(attachment)
        return grouped

    def rate(self, score: int, comment: str = "") -> Rating:
        """The citizen's rating, once; its score is kept on the dossier too, for the statistics."""
        self.rating = Rating(score=score, comment=comment)
        self.rating_score = score
        return self.rating

    def count_attachments(self) -> None:
        """Store how many documents the dossier has, and how many were reused, for the statistics."""
        self.attachment_count = len(self.attachments)
        self.reused_attachment_count = sum(1 for a in self.attachments if a.source == "reuse")


class DossierGroup(db.Model):
    """A linked dossier (*hồ sơ liên thông*, Nghị định 63/2024/NĐ-CP): one submission under one
    code, answered once, made of one component dossier per agency (``components``).

    Its code is taken from the daily sequence of the agency that receives it, so it has the
    shape of a dossier code and never equals one.
    """

    __tablename__ = "dossier_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    procedure_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applicant_personal_id: Mapped[str] = mapped_column(String(12), index=True)
    applicant_name: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(10))
    submitted_at: Mapped[datetime] = mapped_column(index=True)

    procedure: Mapped[Procedure] = relationship()
    components: Mapped[list[GroupComponent]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupComponent.position"
    )

    @property
    def dossiers(self) -> list[Dossier]:
        return [c.dossier for c in self.components]


class GroupComponent(db.Model):
    """One component dossier of a linked dossier, and the component whose result it waits for
    (the child's personal ID that birth registration creates): while it waits its clock has not
    started; ``released_at`` is when that result came and its agency received it."""

    __tablename__ = "group_components"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("dossier_groups.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    position: Mapped[int]
    waits_for_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"))
    released_at: Mapped[datetime | None]

    group: Mapped[DossierGroup] = relationship(back_populates="components")
    dossier: Mapped[Dossier] = relationship(back_populates="linked", foreign_keys=[dossier_id])
    waits_for: Mapped[Dossier | None] = relationship(foreign_keys=[waits_for_id])

    @property
    def is_waiting(self) -> bool:
        return self.waits_for_id is not None and self.released_at is None


class StoredDocument(db.Model):
    """A file in the citizen's document store (*kho dữ liệu điện tử*): an upload or an
    electronic result, attachable to later dossiers without uploading again (NĐ 45/2020)."""

    __tablename__ = "stored_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_personal_id: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # upload | result
    document_key: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The last day the document may serve (a certificate valid six months); None: no limit.
    # An expired document is not offered again (issue 17, ``submission.reuse``).
    valid_until: Mapped[date | None]


class Attachment(db.Model):
    """A document of a dossier: an upload, or a document reused from the store."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("dossier_id", "document_key", "stored_document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    document_key: Mapped[str] = mapped_column(String(60))
    stored_document_id: Mapped[int] = mapped_column(ForeignKey("stored_documents.id"))
    source: Mapped[str] = mapped_column(String(10))  # upload | reuse
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="attachments")
    document: Mapped[StoredDocument] = relationship()


event.listen(Dossier.__table__, "after_create", DDL(CORRELATED_STATISTICS).execute_if(dialect="postgresql"))


class DossierEvent(db.Model):
    """Append-only history: who did what, when, from which state to which, with notes."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    public_note: Mapped[str] = mapped_column(Text, default="")
    internal_note: Mapped[str] = mapped_column(Text, default="")

    dossier: Mapped[Dossier] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ClockEntry(db.Model):
    """One event of the processing clock (START, PAUSE, RESUME, RESTART, EXTEND, STOP, CLOSE);
    due times are a pure function of these entries and the calendar (DESIGN §5)."""

    __tablename__ = "clock_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime]
    due_at: Mapped[datetime | None]  # the new appointment, for EXTEND
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    dossier: Mapped[Dossier] = relationship(back_populates="clock")


class InternalNote(db.Model):
    """A note between officers; never shown to the citizen."""

    __tablename__ = "internal_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)

    dossier: Mapped[Dossier] = relationship(back_populates="notes")
    author: Mapped[User] = relationship()


class DossierCodeCounter(db.Model):
    """The last sequence number used per agency and day (codes ``{agency}-{yyMMdd}-{NNNN}``)."""

    __tablename__ = "dossier_code_counters"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    last_value: Mapped[int]


class ResultNumberCounter(db.Model):
    """The last official result number used per agency and year (restarting each year)."""

    __tablename__ = "result_number_counters"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int]


class Rating(db.Model):
    """The citizen's satisfaction with a finished dossier (*đánh giá mức độ hài lòng*), once."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
