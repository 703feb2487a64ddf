"""Responses that the citizen's and the officers' pages share: a stored document, a slip as PDF."""
from __future__ import annotations

import io

from flask import abort, flash, make_response, redirect, request, send_file, url_for

from portal import paperwork
from portal.dossiers.models import Dossier, StoredDocument
from portal.dossiers.storage import file_store
from portal.i18n import current_lang, gettext as _
from portal.workflow.slips import build_slip


def send_document(document: StoredDocument):
    """A stored file, read whole (at most 10 MB) so no file handle outlives the request."""
    data = file_store().read(document.storage_name)
    if data is None:
        abort(404)
    extension = document.storage_name.rsplit(".", 1)[-1]
    return send_file(
        io.BytesIO(data),
        mimetype=document.content_type,
        as_attachment=request.args.get("inline") is None,
        download_name=f"{document.document_key}-{document.id}.{extension}",
    )


def slip_response(dossier: Dossier, number: str = "01"):
    """Slip ``number`` of the dossier as a PDF; 404 if it was never issued. A slip that cannot be
    rendered just now is said so; the dossier is untouched and the slip can be asked for again."""
    lang = current_lang()
    slip = build_slip(dossier, number, lang)
    if slip is None:
        abort(404)
    try:
        pdf = getattr(paperwork, f"render_slip{number}")(slip, lang)
    except paperwork.PaperworkError:
        flash(_("The receipt could not be generated just now. Your dossier is safe; try again in a minute."), "error")
        return redirect(request.referrer or url_for("web.home"))
    return pdf_response(pdf, f"{dossier.code}-phieu-{number}.pdf")


def pdf_response(pdf: bytes, filename: str, *, is_inline: bool = False):
    """A generated PDF, to download (or to open in the browser with ``is_inline``)."""
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'{"inline" if is_inline else "attachment"}; filename="{filename}"'
    return response
