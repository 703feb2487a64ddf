"""Check the answers, submit (paying now, later or at the counter), or discard the draft."""
from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.catalog.service import Component, components_of
from portal.citizen.blueprint import CHECK_STEP, dossiers_bp, progress
from portal.citizen.payment import redirect_to_gateway
from portal.deadlines import VN_TZ
from portal.dossiers.access import dossier_or_404, may_edit_draft
from portal.dossiers.display import display_value, document_name, step_title
from portal.dossiers.models import Dossier
from portal.i18n import current_lang, gettext as _
from portal.payments.operations import has_paid
from portal.submission import operations as ops
from portal.workflow.declaration import DeclarationFailed
from portal.submission.linked import is_linked, submit_linked
from portal.workflow.transitions import TransitionRefused


def _appointments(dossier: Dossier, components: list[Component], lang: str) -> list[tuple[Component, datetime | None, str]]:
    """Each component of a linked draft with when its result may be expected: an estimate for one
    that starts at once; for one that waits, no date but the result its time starts from."""
    names = {c.procedure.code: c.procedure.name(lang) for c in components}
    now = datetime.now(VN_TZ)
    rows: list[tuple[Component, datetime | None, str]] = []
    for c in components:
        if c.waits_for:
            rows.append((c, None, _("Starts when the result of “%(procedure)s” is signed.",
                                    procedure=names.get(c.waits_for, ""))))
        elif dossier.delivery:
            snapshot = ops.procedure_snapshot(c.procedure)
            rows.append((c, ops.estimate_for(snapshot, dossier.channel, now, dossier.delivery, lang).due_at, ""))
        else:
            rows.append((c, None, ""))
    return rows


def render_check(dossier: Dossier, status: int = 200):
    lang = current_lang()
    components = components_of(dossier.procedure)
    # A linked draft has no one appointment: each component gets its own (or waits for another's result).
    due = ops.estimate(dossier, datetime.now(VN_TZ), dossier.delivery, lang) if dossier.delivery and not components else None
    return (
        render_template(
            "dossiers/check.html",
            dossier=dossier,
            definition=dossier.form_definition,
            problems=ops.missing_for_submission(dossier),
            due=due,
            fee=ops.fee_for(dossier),
            display_value=display_value,
            step_title=step_title,
            document_name=document_name,
            attachments_by_key=dossier.attachments_by_key(),
            progress=progress(dossier, CHECK_STEP),
            components=_appointments(dossier, components, lang),
        ),
        status,
    )


@dossiers_bp.route("/apply/<public_id>/check")
@login_required
def check_answers(public_id: str):
    dossier = dossier_or_404(may_edit_draft, public_id=public_id)
    if not dossier.is_draft:
        return redirect(url_for("dossiers.show_my_dossier", code=dossier.code))
    return render_check(dossier)


def _payment_status(dossier: Dossier, choice: str) -> str | None:
    """How the fee is settled for this submission; None when the citizen must still choose."""
    fee = ops.fee_for(dossier)
    if not fee:
        return "none"
    if dossier.channel != "online":
        return "counter"
    if has_paid(dossier):  # paid on the gateway already, the submission after it did not go through
        return "paid"
    if choice == "later" and dossier.procedure_snapshot["allows_pay_later"]:
        return "later"
    return None


@dossiers_bp.route("/apply/<public_id>/submit", methods=["POST"])
@login_required
def submit(public_id: str):
    dossier = dossier_or_404(may_edit_draft, public_id=public_id)
    if not dossier.is_draft:  # a double click or the back button: the dossier already exists
        return redirect(_after_submit_url(dossier))
    choice = request.form.get("payment", "none")
    payment_status = _payment_status(dossier, choice)
    if payment_status is None and choice == "now":
        if ops.missing_for_submission(dossier):
            return render_check(dossier, 422)
        return redirect_to_gateway(dossier)
    if payment_status is None:
        flash(_("Choose how to pay the fee."), "error")
        return render_check(dossier, 422)
    linked = is_linked(dossier)
    try:
        if linked:  # one group code, one component dossier per agency
            group = submit_linked(dossier, current_user)
        else:
            ops.submit_dossier(dossier, current_user, payment_status=payment_status)
    except ops.DossierIncomplete:
        return render_check(dossier, 422)
    except DeclarationFailed:
        flash(_("Your declaration could not be produced from your answers just now, so the dossier was not "
                "submitted. Nothing is lost: try again in a few minutes."), "error")
        return render_check(dossier, 503)
    except TransitionRefused:  # submitted meanwhile (another tab): show where it is now
        if linked:
            return redirect(url_for("dossiers.list_my_dossiers") if current_user.is_citizen else url_for("web.home"))
        return redirect(_after_submit_url(dossier))
    if not linked:
        return redirect(_after_submit_url(dossier))
    if current_user.is_officer:
        return redirect(url_for("dossiers.counter_receipt", public_id=group.dossiers[0].public_id))
    return redirect(url_for("dossiers.confirmation", code=group.code))


def _after_submit_url(dossier: Dossier) -> str:
    if dossier.is_draft:
        return url_for("dossiers.check_answers", public_id=dossier.public_id)
    if dossier.channel == "counter":
        return url_for("dossiers.counter_receipt", public_id=dossier.public_id)
    return url_for("dossiers.confirmation", code=dossier.code)


@dossiers_bp.route("/apply/<public_id>/discard", methods=["POST"])
@login_required
def discard(public_id: str):
    dossier = dossier_or_404(may_edit_draft, public_id=public_id)
    if dossier.is_draft and ops.discard_draft(dossier):
        flash(_("The draft was deleted."), "info")
    elif dossier.is_draft:
        flash(_("A payment was made or started for this draft, so it is kept: submit it, and any fee "
                "paid twice is refunded."), "error")
        return redirect(url_for("dossiers.check_answers", public_id=dossier.public_id))
    return redirect(url_for("dossiers.list_my_dossiers") if current_user.is_citizen else url_for("web.home"))
