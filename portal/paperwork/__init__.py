"""Paperwork (DESIGN §6): the official slips of Thông tư 03/2025/TT-VPCP, annex I, and the signed
result documents, as PDF.

1. A slip or result is a frozen dataclass of plain values (:mod:`~portal.paperwork.slips` for
   slips 01–06, :mod:`~portal.paperwork.register` for the register, slip 07, also as CSV,
   :mod:`~portal.paperwork.result` for results), filled by the module that issues it; no ORM
   object reaches a template.
2. Its Jinja template under ``templates/paperwork/`` extends ``_base.html`` (fonts, page, the
   national header, the QR block, the signature blocks) and is rendered in the slip's language.
3. :func:`portal.paperwork.pdf.render_pdf` lays it out with WeasyPrint; any failure is a
   :class:`PaperworkError`, which callers catch so a dossier is never lost for its slip — the slip
   is regenerated later from the same values.
4. A result is then signed with its agency's certificate (:mod:`~portal.paperwork.pki`, a demo
   CA made by the seed); a :class:`SigningError` leaves the dossier as it was.
"""
from portal.paperwork.common import OUTCOMES
from portal.paperwork.declarations import Declaration, render_declaration
from portal.paperwork.pdf import PaperworkError, render_pdf
from portal.paperwork.pki import (
    CA_NAME,
    NSS_DIR,
    SignatureCheck,
    SigningError,
    ensure_demo_pki,
    ensure_nss_db,
    sign_pdf,
    verify_pdf,
)
from portal.paperwork.qr import qr_svg_data_uri
from portal.paperwork.register import RegisterRow, Slip07, render_slip07, slip07_csv
from portal.paperwork.result import PrintedField, ResultDocument, render_result, signature_box
from portal.paperwork.result_forms import (
    ResultField,
    ResultForm,
    UnknownResultForm,
    get_result_form,
    result_form_codes,
    result_kinds_serving,
)
from portal.paperwork.receipt import Receipt, render_receipt
from portal.paperwork.slips import (
    DossierSlip,
    Handoff,
    Slip01,
    Slip02,
    Slip03,
    Slip04,
    Slip05,
    Slip06,
    SlipDocument,
    render_slip01,
    render_slip02,
    render_slip03,
    render_slip04,
    render_slip05,
    render_slip06,
)

__all__ = [
    "Receipt",
    "render_receipt",
    "CA_NAME",
    "Declaration",
    "render_declaration",
    "OUTCOMES",
    "DossierSlip",
    "Handoff",
    "PaperworkError",
    "RegisterRow",
    "ResultDocument",
    "PrintedField",
    "ResultField",
    "ResultForm",
    "UnknownResultForm",
    "get_result_form",
    "result_form_codes",
    "result_kinds_serving",
    "signature_box",
    "SignatureCheck",
    "SigningError",
    "Slip01",
    "Slip02",
    "Slip03",
    "Slip04",
    "Slip05",
    "Slip06",
    "Slip07",
    "SlipDocument",
    "ensure_demo_pki",
    "ensure_nss_db",
    "NSS_DIR",
    "qr_svg_data_uri",
    "render_pdf",
    "render_result",
    "render_slip01",
    "render_slip02",
    "render_slip03",
    "render_slip04",
    "render_slip05",
    "render_slip06",
    "render_slip07",
    "sign_pdf",
    "slip07_csv",
    "verify_pdf",
]
