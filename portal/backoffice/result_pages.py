"""``/officer/dossiers/<code>/result``: the result document as the specialist drafts it and the
leader checks it (issue 18).

Every line of the procedure's legal template, prefilled from the dossier with its source shown;
the specialist changes only the lines the law leaves to the agency (``editable``). Both see the
exact PDF approval will sign (``result-preview.pdf``): same template, values, date and number
as at the moment they look. The proposal note stays internal.
"""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.access import roles_required
from portal.backoffice.blueprint import backoffice_bp, load_for_officer
from portal.deadlines import VN_TZ
from portal.dossiers.models import Dossier
from portal.dossiers.states import Status
from portal.i18n import gettext as _
from portal.paperwork import PaperworkError, UnknownResultForm
from portal.responses import pdf_response
from portal.workflow.result_draft import choose_result_values, draft_result, result_form_of
from portal.workflow.results import render_unsigned_result

RESULT_ROLES = ("specialist", "leader")
_DRAFTING = (Status.IN_PROCESS.value, Status.PENDING_APPROVAL.value)


def _may_edit(dossier: Dossier) -> bool:
    return (
        current_user.role == "specialist"
        and dossier.status == Status.IN_PROCESS.value
        and dossier.assigned_to_id == current_user.id
    )


def _render(dossier: Dossier, *, errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
            status: int = 200):
    try:
        form = result_form_of(dossier)
    except UnknownResultForm:
        abort(404)
    return render_template(
        "backoffice/result_draft.html",
        dossier=dossier,
        form=form,
        lines=draft_result(dossier, datetime.now(VN_TZ)),
        may_edit=_may_edit(dossier),
        errors=errors or {},
        values=values or {},
    ), status


@backoffice_bp.route("/dossiers/<code>/result", methods=["GET", "POST"])
@roles_required(*RESULT_ROLES)
def result_draft(code: str):
    dossier = load_for_officer(code)
    if dossier.status not in _DRAFTING:
        abort(404)
    if request.method == "GET":
        return _render(dossier)
    if not _may_edit(dossier):
        abort(403)
    values = {k: v for k, v in request.form.items() if k not in ("csrf_token", "version")}
    if request.form.get("version", type=int) != dossier.version:
        flash(_("The dossier has been updated by someone else. Here is its current state; check it and try again."), "error")
        return _render(dossier, values=values, status=409)
    errors = choose_result_values(dossier, values)
    if errors:
        return _render(dossier, errors=errors, values=values, status=422)
    flash(_("The result's choices are saved. Check the PDF before proposing it."), "success")
    return redirect(url_for("backoffice.result_draft", code=code))


@backoffice_bp.route("/dossiers/<code>/result-preview.pdf")
@roles_required(*RESULT_ROLES)
def result_preview(code: str):
    """The unsigned PDF that approval would sign now (the signature itself is added then)."""
    dossier = load_for_officer(code)
    if dossier.status not in _DRAFTING:
        abort(404)
    try:
        pdf = render_unsigned_result(dossier, current_user, datetime.now(VN_TZ))
    except (PaperworkError, UnknownResultForm):
        abort(503)
    response = pdf_response(pdf, f"du-thao-ket-qua-{dossier.code}.pdf", is_inline=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response
