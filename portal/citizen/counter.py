"""Counter dossiers: an intake officer starts the same wizard for a walk-in citizen."""
from __future__ import annotations

from flask import redirect, render_template, request
from flask_login import current_user

from portal.auth.access import roles_required
from portal.catalog.service import search_procedures
from portal.citizen.blueprint import dossiers_bp, first_open_step_url
from portal.dossiers.access import dossier_or_404, is_counter_receipt
from portal.i18n import gettext as _
from portal.registry.ids import InvalidPersonalId, parse_personal_id
from portal.responses import slip_response
from portal.submission import operations as ops


@dossiers_bp.route("/officer/counter/new", methods=["GET", "POST"])
@roles_required("intake")
def start_counter_dossier():
    procedures = [p for p in search_procedures() if p.agency_id == current_user.agency_id]
    errors: dict[str, str] = {}
    values = {"procedure": request.form.get("procedure", ""), "personal_id": request.form.get("personal_id", "").strip()}
    if request.method == "POST":
        procedure = next((p for p in procedures if p.code == values["procedure"]), None)
        if procedure is None:
            errors["procedure"] = _("Choose a procedure of your agency.")
        try:
            parse_personal_id(values["personal_id"])
        except InvalidPersonalId:
            errors["personal_id"] = _("Enter the citizen's 12-digit personal ID.")
        if not errors:
            draft, _is_new = ops.open_draft(procedure, values["personal_id"], officer=current_user)
            return redirect(first_open_step_url(draft))
    return (
        render_template("dossiers/counter_new.html", procedures=procedures, errors=errors, values=values),
        422 if errors else 200,
    )


@dossiers_bp.route("/officer/counter/<public_id>/receipt")
@roles_required("intake")
def counter_receipt(public_id: str):
    return render_template("dossiers/counter_receipt.html", dossier=dossier_or_404(is_counter_receipt, public_id=public_id))


@dossiers_bp.route("/officer/counter/<public_id>/slip01.pdf")
@roles_required("intake")
def download_counter_slip(public_id: str):
    return slip_response(dossier_or_404(is_counter_receipt, public_id=public_id))
