"""The official slips of Thông tư 03/2025/TT-VPCP, annex I, as plain values rendered to PDF.

Each slip is a frozen dataclass of what is printed on it, built by the module that issues it
(dossiers, workflow), so a slip can be regenerated from the same values at any time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from portal.deadlines import CHANNELS, DELIVERIES
from portal.paperwork.common import (
    render_document,
    require_aware,
    require_outcome,
    require_text,
    require_tracking_url,
)


@dataclass(frozen=True)
class SlipDocument:
    """One document received with the dossier (*thành phần hồ sơ*).

    ``form`` is how it was handed in (``"Bản chính"``, ``"Bản sao chứng thực"``…); empty means
    an electronic copy, printed as such in the slip's language.
    """

    name: str
    copies: int = 1
    form: str = ""


@dataclass(frozen=True, kw_only=True)
class Slip01:
    """Receipt and appointment slip (*Giấy tiếp nhận hồ sơ và hẹn trả kết quả*), Mẫu số 01 of
    Thông tư 03/2025/TT-VPCP, annex I.

    Issued at submission with ``is_appointment_estimated`` set: the clock only starts when the
    one-stop-shop accepts the dossier (DESIGN §5), so until then the appointment is an estimate
    and the slip says so; a linked component still waiting for another's result promises no date
    (``waiting_note`` says when its time starts). ``appointment_at`` is the committed due time; when the early-return
    discount applies, ``legal_due_at`` is the later time the law allows and both are printed.
    """

    dossier_code: str
    agency_name: str
    agency_address: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    applicant_personal_id: str
    applicant_address: str
    applicant_phone: str | None = None
    channel: str
    received_at: datetime
    appointment_at: datetime
    is_appointment_estimated: bool
    waiting_note: str = ""  # a linked component waiting for another's result: printed instead of a date
    legal_due_at: datetime
    discount_pct: int = 0
    documents: tuple[SlipDocument, ...] = field(default_factory=tuple)
    delivery: str
    delivery_address: str | None = None
    fee_amount: int = 0
    fee_status: str = ""
    officer_name: str | None = None
    tracking_url: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "documents", tuple(self.documents))
        if self.channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}, not {self.channel!r}")
        if self.delivery not in DELIVERIES:
            raise ValueError(f"delivery must be one of {DELIVERIES}, not {self.delivery!r}")
        if self.delivery == "post" and not self.delivery_address:
            raise ValueError("a result delivered by post needs delivery_address")
        require_aware(self, "received_at", "appointment_at", "legal_due_at")
        if not 0 <= self.discount_pct <= 100:
            raise ValueError("discount_pct is a percentage")
        if self.fee_amount < 0:
            raise ValueError("fee_amount cannot be negative")
        require_tracking_url(self.tracking_url)


def render_slip01(slip: Slip01, lang: str = "vi") -> bytes:
    """Slip 01 as PDF bytes, in Vietnamese or in English. Raises only :class:`PaperworkError`."""
    return render_document("slip01.html", slip, lang)


@dataclass(frozen=True, kw_only=True)
class DossierSlip:
    """What slips 02–06 print about the dossier they concern, at the top and in the QR code."""

    dossier_code: str
    agency_name: str
    procedure_name: str
    applicant_name: str
    tracking_url: str

    _times: ClassVar[tuple[str, ...]] = ()
    _texts: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        require_text(self, "dossier_code", "agency_name", "procedure_name", "applicant_name", *self._texts)
        require_aware(self, *self._times)
        require_tracking_url(self.tracking_url)


@dataclass(frozen=True, kw_only=True)
class Slip02(DossierSlip):
    """Supplement request (*Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ*), Mẫu số 02 of Thông tư
    03/2025/TT-VPCP, annex I.

    ``items`` is the one consolidated list of what to supplement: Nghị định 118/2025/NĐ-CP lets
    the one-stop-shop ask for a supplement once, in full, and only for documents the procedure
    requires (DESIGN §4). ``reason`` is printed when given; ``supplement_due_at``, the time limit
    to send it (:mod:`portal.workflow.limits`), when the request has one.
    """

    received_at: datetime
    items: tuple[str, ...]
    reason: str = ""
    officer_name: str
    issued_at: datetime
    supplement_due_at: datetime | None = None

    _times = ("received_at", "issued_at", "supplement_due_at")
    _texts = ("officer_name",)

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        super().__post_init__()
        if not self.items or not all(item.strip() for item in self.items):
            raise ValueError("a supplement request lists at least one item, none of them empty")


@dataclass(frozen=True, kw_only=True)
class Slip03(DossierSlip):
    """Refusal to accept the dossier (*Phiếu từ chối tiếp nhận giải quyết hồ sơ*), Mẫu số 03 of
    Thông tư 03/2025/TT-VPCP, annex I, with the reasons the one-stop-shop gives."""

    received_at: datetime
    reasons: str
    officer_name: str
    issued_at: datetime

    _times = ("received_at", "issued_at")
    _texts = ("reasons", "officer_name")


@dataclass(frozen=True, kw_only=True)
class Slip04(DossierSlip):
    """Apology and new appointment (*Phiếu xin lỗi và hẹn lại ngày trả kết quả*), Mẫu số 04 of
    Thông tư 03/2025/TT-VPCP, annex I (listed there as *Văn bản xin lỗi và đề nghị gia hạn thời
    gian giải quyết*), signed by the leader who approved the extension.

    The dossier stays counted late against ``previous_due_at`` (DESIGN §5).
    """

    received_at: datetime
    previous_due_at: datetime
    new_due_at: datetime
    reason: str
    leader_name: str
    issued_at: datetime

    _times = ("received_at", "previous_due_at", "new_due_at", "issued_at")
    _texts = ("reason", "leader_name")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.new_due_at <= self.previous_due_at:
            raise ValueError("the new appointment must come after the previous one")


@dataclass(frozen=True, kw_only=True)
class Slip05(DossierSlip):
    """Notice that processing stops (*Thông báo dừng giải quyết hồ sơ*), Mẫu số 05 of Thông tư
    03/2025/TT-VPCP, annex I, signed by the agency's leader."""

    reason: str
    leader_name: str
    issued_at: datetime

    _times = ("issued_at",)
    _texts = ("reason", "leader_name")


@dataclass(frozen=True, kw_only=True)
class Handoff:
    """One step of a dossier between two parties (*giao, nhận hồ sơ*) and whether the step was
    done early, on time or late (``""`` while it has no time limit of its own)."""

    from_party: str
    to_party: str
    at: datetime
    note: str = ""
    outcome: str = ""

    def __post_init__(self) -> None:
        require_text(self, "from_party", "to_party")
        require_aware(self, "at")
        require_outcome(self.outcome)


@dataclass(frozen=True, kw_only=True)
class Slip06(DossierSlip):
    """Processing-control sheet (*Phiếu kiểm soát quá trình giải quyết hồ sơ*), Mẫu số 06 of
    Thông tư 03/2025/TT-VPCP, annex I: every hand-off with its time and outcome, and the outcome
    of the dossier (``""`` while it is still open)."""

    received_at: datetime
    due_at: datetime
    handoffs: tuple[Handoff, ...] = ()
    result_outcome: str = ""

    _times = ("received_at", "due_at")

    def __post_init__(self) -> None:
        object.__setattr__(self, "handoffs", tuple(self.handoffs))
        super().__post_init__()
        require_outcome(self.result_outcome, "result_outcome")


def render_slip02(slip: Slip02, lang: str = "vi") -> bytes:
    """Slip 02 as PDF bytes. Raises only :class:`PaperworkError`, as every ``render_*`` does."""
    return render_document("slip02.html", slip, lang)


def render_slip03(slip: Slip03, lang: str = "vi") -> bytes:
    return render_document("slip03.html", slip, lang)


def render_slip04(slip: Slip04, lang: str = "vi") -> bytes:
    return render_document("slip04.html", slip, lang)


def render_slip05(slip: Slip05, lang: str = "vi") -> bytes:
    return render_document("slip05.html", slip, lang)


def render_slip06(slip: Slip06, lang: str = "vi") -> bytes:
    return render_document("slip06.html", slip, lang)
