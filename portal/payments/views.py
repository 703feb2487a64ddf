"""The mock payment gateway and the portal's return endpoint.

``/mock-gateway/pay`` stands for the external gateway (a bank or the national payment
platform): it shows the amount and lets the payer pay, cancel or simulate a failure, then
sends the browser back to ``/payments/return`` with the outcome signed (HMAC-SHA256).
"""
from __future__ import annotations

import secrets
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import csrf
from portal.payments.operations import PaymentError, settle_callback, sign
from portal.security import parse_number

payments_bp = Blueprint("payments", __name__)


@payments_bp.route("/mock-gateway/pay", methods=["GET", "POST"])
@csrf.exempt  # the gateway is another site in reality; its own form carries no portal token
def gateway():
    reference = request.values.get("reference", "")
    amount = request.values.get("amount", "")
    if not reference or parse_number(amount) is None:
        abort(400)
    if request.method == "GET":
        return render_template("payments/gateway.html", reference=reference, amount=int(amount))
    outcome = request.form.get("outcome")
    if outcome not in ("success", "failed", "cancelled"):
        abort(400)
    fields = {
        "reference": reference,
        "amount": amount,
        "status": outcome,
        "transaction": f"MOCK{secrets.token_hex(5).upper()}" if outcome == "success" else "",
    }
    fields["signature"] = sign(fields)
    return redirect(f"{url_for('payments.payment_return')}?{urlencode(fields)}")


@payments_bp.route("/payments/return")
def payment_return():
    """Where the gateway sends the payer back: the outcome is recorded before anything else."""
    payer = current_user if current_user.is_authenticated else None
    try:
        settled = settle_callback(request.args, payer)
    except PaymentError:
        return render_template("payments/invalid.html"), 400
    payment, dossier = settled.payment, settled.dossier
    if payment.status == "paid":
        if settled.step == "record_payment":
            flash(_("The fee has been paid. Processing continues.") if settled.is_step_done
                  # The payment itself is recorded; the one-stop officer records it on the dossier.
                  else _("The fee has been paid. The one-stop-shop will record it on your dossier."), "success")
            return redirect(url_for("dossiers.show_my_dossier", code=dossier.code))
        if not dossier.is_draft:
            return redirect(url_for("dossiers.confirmation", code=dossier.code))
        if settled.step == "submit":
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
