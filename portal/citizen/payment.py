"""Paying a fee: at submission ("pay now") or when the agency asks for it during processing."""
from __future__ import annotations

from flask import redirect

from portal.auth.access import citizen_required
from portal.citizen.blueprint import back_to_dossier, dossiers_bp
from portal.dossiers.access import dossier_or_404, is_applicant
from portal.dossiers.models import Dossier
from portal.dossiers.states import Status
from portal.i18n import gettext as _
from portal.payments.gateway import pay_url
from portal.payments.operations import start_payment


def redirect_to_gateway(dossier: Dossier):
    """To the gateway's page for the fee due now: the same payment when one is pending."""
    return redirect(pay_url(start_payment(dossier)))


@dossiers_bp.route("/my/dossiers/<code>/pay", methods=["POST"])
@citizen_required
def pay_requested_fee(code: str):
    dossier = dossier_or_404(is_applicant, code=code)
    if dossier.status != Status.PAYMENT_REQUESTED.value:
        return back_to_dossier(code, _("No payment is requested for this dossier now."))
    return redirect_to_gateway(dossier)
