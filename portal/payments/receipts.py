"""Receipts of the payments and refunds of a dossier, as the citizen downloads them."""
from __future__ import annotations

from portal.dossiers.display import track_url
from portal.dossiers.models import Dossier
from portal.paperwork import Receipt
from portal.payments.models import Payment, Refund
from portal.timeutil import from_db


def receipt_for(dossier: Dossier, reference: str) -> Receipt | None:
    """The receipt of the submitted dossier's paid payment or refunded refund with ``reference``;
    None when there is none (pending, failed, a refund still due, or another dossier's)."""
    common = {
        "dossier_code": dossier.code,
        "agency_name": dossier.agency.name_vi,
        "procedure_name": dossier.procedure_snapshot["name_vi"],
        "applicant_name": dossier.applicant_name,
        "tracking_url": track_url(dossier.code),
    }
    payment: Payment | None = next((p for p in dossier.payments if p.reference == reference), None)
    if payment is not None and payment.status == "paid" and payment.gateway_transaction:
        return Receipt(kind="payment", reference=payment.reference, gateway_id=payment.gateway_transaction,
                       amount=payment.amount, at=from_db(payment.completed_at), **common)
    refund: Refund | None = next((r for r in dossier.refunds if r.reference == reference), None)
    if refund is not None and refund.status == "refunded":
        return Receipt(kind="refund", reference=refund.reference, gateway_id=refund.gateway_refund,
                       paid_reference=refund.payment.reference, amount=refund.amount, at=from_db(refund.refunded_at),
                       **common)
    return None
