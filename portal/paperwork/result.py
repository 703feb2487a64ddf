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
from dataclasses import dataclass
from datetime import datetime

from portal.paperwork.common import render_document, require_aware, require_text, require_tracking_url

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

    def __post_init__(self) -> None:
        require_text(
            self, "dossier_code", "agency_name", "procedure_name", "result_title", "applicant_name",
            "body", "signer_name", "signer_title",
        )
        require_aware(self, "issued_at")
        require_tracking_url(self.tracking_url)

    @property
    def paragraphs(self) -> list[str]:
        return [paragraph.strip() for paragraph in _BLANK_LINES.split(self.body.strip().replace("\r\n", "\n"))]


def render_result(doc: ResultDocument, lang: str = "vi") -> bytes:
    """The result letter as PDF bytes, unsigned. Raises only :class:`PaperworkError`."""
    return render_document("result.html", doc, lang)
