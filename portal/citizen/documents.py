"""The citizen's documents: attachments, the document store, slip 01 and the signed result."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from portal.auth.access import citizen_required
from portal.citizen.blueprint import dossiers_bp
from portal.dossiers.access import attachment_or_404, dossier_or_404, is_applicant
from portal.dossiers.models import StoredDocument
from portal.dossiers.states import Status
from portal.extensions import db
from portal.i18n import current_lang, gettext as _
from portal.paperwork import PaperworkError, render_receipt
from portal.payments.receipts import receipt_for
from portal.responses import pdf_response, send_document, slip_response


@dossiers_bp.route("/my/dossiers/<code>/attachments/<int:attachment_id>")
@citizen_required
def download_attachment(code: str, attachment_id: int):
    return send_document(attachment_or_404(dossier_or_404(is_applicant, code=code), attachment_id).document)


@dossiers_bp.route("/my/documents/<int:document_id>")
@citizen_required
def download_stored_document(document_id: int):
    document = db.session.get(StoredDocument, document_id)
    if document is None or document.owner_personal_id != current_user.personal_id:
        abort(404)
    return send_document(document)


@dossiers_bp.route("/my/dossiers/<code>/slip01.pdf")
@citizen_required
def download_slip(code: str):
    return slip_response(dossier_or_404(is_applicant, code=code))


@dossiers_bp.route("/my/dossiers/<code>/result.pdf")
@citizen_required
def download_result(code: str):
    dossier = dossier_or_404(is_applicant, code=code)
    if dossier.result_document is None or dossier.status not in (Status.RETURNED.value, Status.SHIPPED.value):
        abort(404)
    return send_document(dossier.result_document)


@dossiers_bp.route("/my/dossiers/<code>/receipts/<reference>.pdf")
@citizen_required
def download_receipt(code: str, reference: str):
    """The electronic receipt of a fee paid, or of its refund."""
    receipt = receipt_for(dossier_or_404(is_applicant, code=code), reference)
    if receipt is None:
        abort(404)
    try:
        pdf = render_receipt(receipt, current_lang())
    except PaperworkError:
        abort(503, _("The receipt could not be generated just now; try again in a minute."))
    return pdf_response(pdf, f"bien-lai-{reference}.pdf")
