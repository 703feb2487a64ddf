"""What every slip and result document shares: checks of its values when it is built, the
outcome words of the annex, and rendering in a language with the helpers the templates use."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import segno
from flask import current_app
from flask_babel import force_locale

from portal.deadlines import to_local
from portal.dossiers.states import DEADLINE_LABELS
from portal.i18n import money
from portal.paperwork.pdf import PaperworkError, render_pdf
from portal.paperwork.qr import qr_svg_data_uri

OUTCOMES = ("early", "on_time", "late")



# Where an agency's name turns from what it is to where (Ủy ban nhân dân | phường Ba Đình;
# Bảo hiểm xã hội | Thành phố Hà Nội — "xã hội" is not a commune).
_PLACE_START = re.compile(
    r"\s(?=(?:phường|xã|thị trấn|đặc khu|thành phố|tỉnh|quận|huyện|thị xã)\s(?!hội\b))", re.IGNORECASE,
)
# An upper-case bold line the header's agency column (40 % of the page) holds without wrapping.
HEADER_LINE_CHARACTERS = 26


def agency_lines(name: str) -> list[tuple[str, bool]]:
    """The agency's name as the national header prints it (Nghị định 30/2020/NĐ-CP): the kind
    of agency on one line, the place on the next, each kept whole (``True``) when it fits, so
    no line breaks inside a name ("…PHƯỜNG BA / ĐÌNH")."""
    parts = _PLACE_START.split(name.strip(), maxsplit=1)
    return [(part.upper(), len(part) <= HEADER_LINE_CHARACTERS) for part in parts if part]


def outcome_label(outcome: str) -> str:
    """The annex's word for an outcome ("Trước hạn / Đúng hạn / Quá hạn", Thông tư 03/2025/TT-VPCP)
    in the current locale; ``""`` (still open) prints nothing."""
    return str(DEADLINE_LABELS[outcome]) if outcome else ""


def require_aware(document: object, *names: str) -> None:
    """Every time printed is converted to Asia/Ho_Chi_Minh, which needs to know its offset."""
    for name in names:
        value = getattr(document, name)
        if value is not None and value.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")


def require_outcome(value: str, name: str = "outcome") -> None:
    if value and value not in OUTCOMES:
        raise ValueError(f"{name} must be one of {OUTCOMES} or empty, not {value!r}")


def require_tracking_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("tracking_url must be an absolute http(s) URL")


def require_text(document: object, *names: str) -> None:
    for name in names:
        if not getattr(document, name).strip():
            raise ValueError(f"{name} cannot be empty")


def require_language(lang: str) -> None:
    if lang not in current_app.config["LANGUAGES"]:
        raise PaperworkError(f"no slips in language {lang!r}")


def render_document(
    template_name: str, document: Any, lang: str, *, has_qr: bool = True, qr_url: str | None = None,
    pdf_variant: str | None = None, **extra: object
) -> bytes:
    """Render a slip or result in ``lang`` with what the templates use: local times, money, the
    annex's outcome words and, with ``has_qr``, the QR code to the document's tracking URL
    (DESIGN §6); ``extra`` is passed on to the template. Raises only :class:`PaperworkError`."""
    require_language(lang)
    qr_data_uri = None
    if has_qr:
        try:
            qr_data_uri = qr_svg_data_uri(qr_url or document.tracking_url)
        except segno.DataOverflowError as error:
            raise PaperworkError(f"the tracking URL is too long for a QR code: {error}") from error
    with force_locale(lang):
        return render_pdf(
            template_name,
            pdf_variant=pdf_variant,
            slip=document,
            lang=lang,
            qr_data_uri=qr_data_uri,
            to_local=to_local,
            money=money,
            outcome_label=outcome_label,
            local_text=local_text,
            agency_lines=agency_lines,
            **extra,
        )


def local_text(value: datetime | None, pattern: str = "%d/%m/%Y %H:%M") -> str:
    """A time as the register prints it (Vietnam time), or ``""`` when it has not happened."""
    return to_local(value).strftime(pattern) if value else ""
