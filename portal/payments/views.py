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
from sqlalchemy.orm.exc import StaleDataError

from portal.dossiers import operations as ops
from portal.dossiers.models import Dossier
from portal.extensions import csrf, db
from portal.payments.operations import PaymentError, complete_payment, sign, start_payment, verify_callback
from portal.security import parse_number
from portal.workflow.transitions import TransitionRefused

payments_bp = Blueprint("payments", __name__)


def redirect_to_gateway(dossier: Dossier):
    payment = start_payment(dossier)
    return redirect(url_for("payments.gateway", reference=payment.reference, amount=payment.amount))


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
    try:
        payment = verify_callback(request.args)
    except PaymentError:
        return render_template("payments/invalid.html"), 400
    dossier = payment.dossier
    is_first_success = complete_payment(payment, request.args)
    if payment.status == "paid":
        if dossier.is_draft and is_first_success:
            actor = dossier.applicant or (current_user if current_user.is_authenticated else None)
            try:
                ops.submit_dossier(dossier, actor, payment_status="paid")
                db.session.flush()
            except (ops.DossierIncomplete, TransitionRefused, StaleDataError):
                db.session.rollback()
                dossier = db.session.get(Dossier, dossier.id)
        elif dossier.status == "payment_requested" and is_first_success:
            from portal.workflow.transitions import apply_transition

            # A counter dossier has no applicant account: the citizen paying it is signed in.
            payer = dossier.applicant or (current_user if current_user.is_authenticated else None)
            try:
                apply_transition(dossier, "record_payment", payer, public_note=payment.reference)
                db.session.flush()
            except TransitionRefused:
                # The payment itself is recorded; the one-stop officer records it on the dossier.
                flash(_("The fee has been paid. The one-stop-shop will record it on your dossier."), "success")
            else:
                flash(_("The fee has been paid. Processing continues."), "success")
            return redirect(url_for("dossiers.show_my_dossier", code=dossier.code))
        if not dossier.is_draft:
            return redirect(url_for("dossiers.confirmation", code=dossier.code))
    if payment.status in ("failed", "cancelled") and not dossier.is_draft:
        # A fee requested during processing: the dossier stays where it was, waiting for it.
        flash(_("The payment did not go through. The fee is still to be paid; try again when you are ready."), "error")
    elif payment.status in ("failed", "cancelled"):
        flash(
            _("The payment was cancelled. Your dossier has not been submitted yet; your draft is kept.")
            if payment.status == "cancelled"
            else _("The payment did not go through. Your dossier has not been submitted yet; your draft is kept. Try again or choose another way to pay."),
            "error",
        )
    if not dossier.is_draft:
        return redirect(url_for("dossiers.show_my_dossier", code=dossier.code))
    return redirect(url_for("dossiers.check_answers", public_id=dossier.public_id))
