"""The result of a dossier as an official letter (*văn bản*), to be signed by the agency.

1. The specialist writes the decision text; the leader approves it and the workflow builds a
   :class:`ResultDocument` from plain values.
2. :func:`render_result` lays it out as Nghị định 30/2020/NĐ-CP sets an official letter: agency
   and national motto, number and date, title, addressee, body, signature block, recipients.
3. :func:`portal.paperwork.pki.sign_pdf` signs the PDF with the agency's certificate; the
   signature block says it is signed digitally, since no ink signature will ever be on it.
"""
from __future__ import annotations

import re
import io
from dataclasses import dataclass, field
from datetime import datetime

import pypdf

from portal.paperwork.common import render_document, require_aware, require_text, require_tracking_url
from portal.paperwork.pdf import PaperworkError

# The fragment of the link the signature stamp carries, to find where the page drew it.
SIGNATURE_ANCHOR = "chu-ky-so"


@dataclass(frozen=True)
class PrintedField:
    """One line of a result document: its label as the legal template words it, and the value."""

    label: str
    value: str
    section: str | None = None

_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True, kw_only=True)
class ResultDocument:
    """The result of a dossier, or the refusal on the merits (``is_refusal``) that ends it.

    ``body`` is the decision text, paragraphs separated by a blank line; a single line break
    stays a line break. ``document_number`` is the letter's number in the agency's register
    (``"125/TB-CAP"``), printed under the agency's name when it has one; the dossier code is
    printed in any case.
    """

    dossier_code: str
    agency_name: str
    agency_address: str
    procedure_name: str
    result_title: str
    applicant_name: str
    applicant_personal_id: str
    body: str
    is_refusal: bool
    signer_name: str
    signer_title: str
    issued_at: datetime
    tracking_url: str
    document_number: str = ""
    # The legal document of the procedure (issue 18, :mod:`portal.paperwork.result_forms`):
    # with ``fields`` the result is laid out as that template, and ``body`` is not printed
    # unless it is a refusal's reasons.
    form_number: str = ""
    subtitle: str = ""
    legal_basis: tuple[str, ...] = ()
    intro: str = ""
    fields: tuple[PrintedField, ...] = field(default_factory=tuple)
    closing: tuple[str, ...] = ()
    refusal_basis: str = ""
    verify_url: str = ""
    verify_token: str = ""
    place: str = ""
    # What the leader previews before signing: no signature stamp, no signer's name.
    is_preview: bool = False

    def __post_init__(self) -> None:
        require_text(
            self, "dossier_code", "agency_name", "procedure_name", "result_title", "applicant_name",
            "body", "signer_name", "signer_title",
        )
        require_aware(self, "issued_at")
        require_tracking_url(self.tracking_url)
        if self.verify_url:
            require_tracking_url(self.verify_url)

    @property
    def is_official(self) -> bool:
        """Laid out as the procedure's legal document, with a verification address."""
        return bool(self.verify_url)

    @property
    def sections(self) -> list[tuple[str | None, list[PrintedField]]]:
        grouped: list[tuple[str | None, list[PrintedField]]] = []
        for item in self.fields:
            if not grouped or (item.section and item.section != grouped[-1][0]):
                grouped.append((item.section, []))
            grouped[-1][1].append(item)
        return grouped

    @property
    def paragraphs(self) -> list[str]:
        return [paragraph.strip() for paragraph in _BLANK_LINES.split(self.body.strip().replace("\r\n", "\n"))]


def render_result(doc: ResultDocument, lang: str = "vi") -> bytes:
    """The result letter as PDF bytes, unsigned. Raises only :class:`PaperworkError`.

    An official result (``verify_url``) is the procedure's legal document as PDF/A-3b, its QR
    code pointing at the public verification page."""
    if doc.is_official:
        return render_document(
            "official_result.html", doc, lang, qr_url=doc.verify_url, pdf_variant="pdf/a-3b",
            signature_anchor=SIGNATURE_ANCHOR,
        )
    return render_document("result.html", doc, lang)


def signature_box(pdf: bytes) -> tuple[int, tuple[float, float, float, float]] | None:
    """Where the page drew the signature stamp: ``(page index, (x1, y1, x2, y2))`` of the link
    whose address ends in ``#chu-ky-so``, or ``None``. The visible signature goes there."""
    try:
        for index, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages):
            for ref in page.get("/Annots") or []:
                annotation = ref.get_object()
                action = annotation.get("/A")
                uri = str(action.get_object().get("/URI", "")) if action is not None else ""
                if uri.endswith(f"#{SIGNATURE_ANCHOR}"):
                    x1, y1, x2, y2 = (float(v) for v in annotation["/Rect"])
                    return index, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    except Exception as error:  # an unreadable PDF has no place for a stamp
        raise PaperworkError(f"the signature box cannot be found: {error}") from error
    return None
