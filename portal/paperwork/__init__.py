"""Paperwork (DESIGN §6): the official slips of Thông tư 03/2025/TT-VPCP, annex I, as PDF.

1. A slip is a frozen dataclass of plain values (:mod:`portal.paperwork.slips`), filled by the
   module that issues it; no ORM object reaches a template.
2. Its Jinja template under ``templates/paperwork/`` extends ``_base.html`` (fonts, page, the
   national header, the QR block, the signature blocks) and is rendered in the slip's language.
3. :func:`portal.paperwork.pdf.render_pdf` lays it out with WeasyPrint; any failure is a
   :class:`PaperworkError`, which callers catch so a dossier is never lost for its slip — the slip
   is regenerated later from the same values.
"""
from portal.paperwork.pdf import PaperworkError, render_pdf
from portal.paperwork.qr import qr_svg_data_uri
from portal.paperwork.slips import Slip01, SlipDocument, render_slip01

__all__ = ["PaperworkError", "Slip01", "SlipDocument", "qr_svg_data_uri", "render_pdf", "render_slip01"]
