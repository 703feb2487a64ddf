"""The official slips of Thông tư 03/2025/TT-VPCP, annex I, as plain values rendered to PDF.

Each slip is a frozen dataclass of what is printed on it, built by the module that issues it
(dossiers, workflow), so a slip can be regenerated from the same values at any time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import segno
from flask import current_app
from flask_babel import force_locale

from portal.deadlines import CHANNELS, DELIVERIES, to_local
from portal.i18n import money
from portal.paperwork.pdf import PaperworkError, render_pdf
from portal.paperwork.qr import qr_svg_data_uri


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
    and the slip says so. ``appointment_at`` is the committed due time; when the early-return
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
        for name in ("received_at", "appointment_at", "legal_due_at"):
            if getattr(self, name).utcoffset() is None:
                raise ValueError(f"{name} must be timezone-aware")
        if not 0 <= self.discount_pct <= 100:
            raise ValueError("discount_pct is a percentage")
        if self.fee_amount < 0:
            raise ValueError("fee_amount cannot be negative")
        url = urlsplit(self.tracking_url)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ValueError("tracking_url must be an absolute http(s) URL")


def render_slip01(slip: Slip01, lang: str = "vi") -> bytes:
    """Slip 01 as PDF bytes, in Vietnamese or in English. Raises only :class:`PaperworkError`."""
    return _render_slip("slip01.html", slip, lang)


def _render_slip(template_name: str, slip: Any, lang: str) -> bytes:
    """Render a slip in ``lang`` with what every slip template uses: local times, money, and
    the QR code to the slip's tracking URL (DESIGN §6)."""
    if lang not in current_app.config["LANGUAGES"]:
        raise PaperworkError(f"no slips in language {lang!r}")
    try:
        qr_data_uri = qr_svg_data_uri(slip.tracking_url)
    except segno.DataOverflowError as error:
        raise PaperworkError(f"the tracking URL is too long for a QR code: {error}") from error
    with force_locale(lang):
        return render_pdf(
            template_name, slip=slip, lang=lang, qr_data_uri=qr_data_uri, to_local=to_local, money=money
        )
