"""``/officer/refunds``: the fees the agency owes back, oldest first, and confirming each
through the payment gateway (*hoàn phí*)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from portal.auth.access import roles_required
from portal.backoffice.blueprint import backoffice_bp
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.i18n import gettext as _
from portal.payments.models import Refund
from portal.payments.operations import RefundFailed, confirm_refund

REFUND_ROLES = ("intake", "leader")
REASONS = {
    "not_accepted": lambda: _("Dossier not accepted"),
    "withdrawn": lambda: _("Withdrawn by the citizen"),
    "stopped": lambda: _("Processing stopped"),
    "duplicate": lambda: _("Fee paid twice"),
}
FAILURES = {
    "unavailable": lambda: _("The payment gateway did not answer. Nothing was refunded; try again in a few minutes."),
    "exceeds_payment": lambda: _("The gateway refused: the refund would exceed what was paid."),
}


def _agency_refunds() -> list[Refund]:
    return list(db.session.execute(
        select(Refund).join(Refund.dossier).where(Dossier.agency_id == current_user.agency_id)
        .options(joinedload(Refund.dossier), joinedload(Refund.payment), joinedload(Refund.refunded_by))
        .order_by(case((Refund.status == "due", 0), else_=1), Refund.created_at, Refund.id)
    ).scalars())


@backoffice_bp.route("/refunds")
@roles_required(*REFUND_ROLES)
def list_refunds():
    refunds = _agency_refunds()
    return render_template(
        "backoffice/refunds.html",
        due=[r for r in refunds if r.status == "due"],
        done=[r for r in refunds if r.status == "refunded"][-50:][::-1],
        reasons={key: label() for key, label in REASONS.items()},
    )


@backoffice_bp.route("/refunds/<int:refund_id>/confirm", methods=["POST"])
@roles_required("intake")
def confirm(refund_id: int):
    refund = db.session.get(Refund, refund_id)
    if refund is None or refund.dossier.agency_id != current_user.agency_id:
        abort(404)
    try:
        confirm_refund(refund, current_user)
    except RefundFailed as exc:
        flash(FAILURES.get(exc.code, FAILURES["unavailable"])(), "error")
    else:
        flash(_("Refunded %(amount)s for dossier %(code)s; the citizen has been told.",
                amount=f"{refund.amount:,}".replace(",", ".") + " ₫", code=refund.dossier.code), "success")
    return redirect(url_for("backoffice.list_refunds"))
