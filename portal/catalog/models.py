"""Agencies and administrative procedures (*thủ tục hành chính*)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import utcnow

LEVELS = ("full", "partial")
PROCESSING_UNITS = ("working_days", "working_hours", "same_day")
DELIVERIES = ("online", "post", "counter")
SUPPLEMENT_POLICIES = ("pause", "restart")


class Agency(db.Model):
    """A public body that receives dossiers (*cơ quan giải quyết*); its code prefixes dossier codes."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    province_code: Mapped[int]
    ward_code: Mapped[int | None]
    address: Mapped[str] = mapped_column(String(500))

    procedures: Mapped[list[Procedure]] = relationship(back_populates="agency")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi


class ProcedureField(db.Model):
    """A field of administration (*lĩnh vực*), e.g. residence, civil status, judicial records."""

    __tablename__ = "procedure_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi


class Procedure(db.Model):
    """An administrative procedure as published in the national procedure database.

    ``version`` increases with every change of its rules; a dossier keeps a snapshot of the
    version it was submitted under (DESIGN §3).
    """

    __tablename__ = "procedures"
    __table_args__ = (UniqueConstraint("code", name="uq_procedures_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(default=1)
    name_vi: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str] = mapped_column(String(500))
    field_id: Mapped[int] = mapped_column(ForeignKey("procedure_fields.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    level: Mapped[str] = mapped_column(String(10))
    processing_value: Mapped[int]
    processing_unit: Mapped[str] = mapped_column(String(20))
    discount_pct: Mapped[int] = mapped_column(default=0)
    fee_counter: Mapped[int] = mapped_column(default=0)
    fee_online: Mapped[int] = mapped_column(default=0)
    # [{"key", "name_vi", "name_en", "is_required", "note_vi", "note_en"}]
    required_documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    result_deliveries: Mapped[list[str]] = mapped_column(JSON, default=list)
    supplement_policy: Mapped[str] = mapped_column(String(10), default="pause")
    # Working days the citizen has to send a supplement (slip 02), and how far past the current
    # appointment an extension (slip 04) may go; None: the portal's defaults
    # (``SUPPLEMENT_WORKING_DAYS``, ``MAX_EXTENSION_WORKING_DAYS``).
    supplement_days: Mapped[int | None]
    max_extension_days: Mapped[int | None]
    # The fee may be paid after submission (at the result) instead of before it.
    allows_pay_later: Mapped[bool] = mapped_column(default=False)
    result_vi: Mapped[str] = mapped_column(String(500))
    result_en: Mapped[str] = mapped_column(String(500))
    legal_basis: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_published: Mapped[bool] = mapped_column(default=True)
    # A linked procedure (*thủ tục liên thông*, Nghị định 63/2024/NĐ-CP) lists its component
    # procedures in order: ``[{"code", "waits_for", "fee_exemption_vi", "fee_exemption_en"}]``
    # (``waits_for``: the component whose result this one needs). Empty for the others.
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    # Lower-case, accent-free code and names, so "dang ky thuong tru" finds "Đăng ký thường trú".
    search_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    field: Mapped[ProcedureField] = relationship()
    agency: Mapped[Agency] = relationship(back_populates="procedures")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi

    def result_name(self, locale: str) -> str:
        return self.result_en if locale == "en" else self.result_vi

    @property
    def is_linked(self) -> bool:
        return bool(self.components)

    @property
    def is_free(self) -> bool:
        return self.fee_counter == 0 and self.fee_online == 0

    @property
    def has_online_benefit(self) -> bool:
        """Online submission with an online result earns the early-return discount."""
        return self.discount_pct > 0 and "online" in self.result_deliveries


class CalendarException(db.Model):
    """An administrator's override of the working calendar, with its legal reference.

    Exceptions are never forgotten: one deleted keeps its row (``deleted_at``), so the calendar
    as it stood at any instant can be read again (``catalog.service.working_calendar(as_of=…)``).
    A dossier's appointment is computed with the calendar of the instant it was promised, so an
    exception added or deleted later does not move it (issue 16); ``created_at`` is None for
    exceptions known from the start (before the calendar was versioned).
    """

    __tablename__ = "calendar_exceptions"
    __table_args__ = (
        # One standing exception per day; deleted ones stay as history.
        Index("uq_calendar_exceptions_day_standing", "day", unique=True,
              sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    is_working_day: Mapped[bool]
    legal_reference: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime | None]  # set by the administrators' page; None: known from the start
    deleted_at: Mapped[datetime | None]
