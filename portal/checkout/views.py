"""The gateway's two callbacks: the payer's return page and the server-to-server notification.

Both carry the same signed outcome and both are idempotent; whichever arrives first records it.
"""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from portal.checkout.operations import settle_callback
from portal.extensions import csrf
from portal.i18n import gettext as _
from portal.payments.operations import PaymentError

payments_bp = Blueprint("payments", __name__)


@payments_bp.route("/payments/return")
def payment_return():
    """Where the gateway sends the payer back: the outcome is recorded before anything else."""
    payer = current_user if current_user.is_authenticated else None
    try:
        settled = settle_callback(request.args, payer)
    except PaymentError:
        return render_template("payments/invalid.html"), 400
    payment, dossier = settled.payment, settled.dossier
    if settled.refund is not None and settled.refund.reason != "duplicate":
        flash(_("The fee has been paid, but the dossier was withdrawn, stopped or not accepted meanwhile. "
                "The fee will be refunded to you; you can follow the refund on the dossier page."), "error")
        return redirect(url_for("dossiers.show_my_dossier", code=dossier.code))
    if settled.refund is not None:
        flash(_("This fee had already been paid. The second payment will be refunded to you; "
                "you can follow the refund on the dossier page."), "error")
        return redirect(url_for("dossiers.show_my_dossier", code=dossier.code) if not dossier.is_draft
                        else url_for("dossiers.check_answers", public_id=dossier.public_id))
    if payment.status == "paid":
        if settled.step == "record_payment":
            flash(_("The fee has been paid. Processing continues.") if settled.is_step_done
                  # The payment itself is recorded; the one-stop officer records it on the dossier.
                  else _("The fee has been paid. The one-stop-shop will record it on your dossier."), "success")
            return redirect(url_for("dossiers.show_my_dossier", code=dossier.code))
        if not dossier.is_draft:
            return redirect(url_for("dossiers.confirmation", code=dossier.code))
        flash(_("The fee has been paid, but the dossier could not be submitted just now. "
                "The payment is kept: submit again and you will not be asked to pay twice."), "error")
        return redirect(url_for("dossiers.check_answers", public_id=dossier.public_id))
    if not dossier.is_draft:
        # A fee requested during processing: the dossier stays where it was, waiting for it.
        flash(_("The payment did not go through. The fee is still to be paid; try again when you are ready."), "error")
        return redirect(url_for("dossiers.show_my_dossier", code=dossier.code))
    flash(
        _("The payment was cancelled. Your dossier has not been submitted yet; your draft is kept.")
        if payment.status == "cancelled"
        else _("The payment did not go through. Your dossier has not been submitted yet; your draft is kept. Try again or choose another way to pay."),
        "error",
    )
    return redirect(url_for("dossiers.check_answers", public_id=dossier.public_id))


@payments_bp.route("/payments/notify", methods=["POST"])
@csrf.exempt  # the gateway's server calls it, signed with the shared secret (HMAC)
def notify():
    """The gateway's server-to-server notification: recorded as the return page would, answered
    in JSON; a repeated notification changes nothing."""
    try:
        settled = settle_callback(request.form, None)
    except PaymentError as exc:
        return jsonify({"status": "rejected", "reason": exc.code}), 400
    return jsonify({"status": "recorded", "payment": settled.payment.status})
