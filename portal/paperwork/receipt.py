"""The electronic receipt of a fee paid online or refunded (*biên lai điện tử*), as plain values."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.paperwork.common import render_document
from portal.paperwork.slips import DossierSlip

RECEIPT_KINDS = ("payment", "refund")


@dataclass(frozen=True, kw_only=True)
class Receipt(DossierSlip):
    """A payment (``kind="payment"``) or a refund of one, with the gateway's transaction id so
    that the citizen's bank statement and the receipt can be matched line by line."""

    kind: str
    reference: str
    gateway_id: str
    paid_reference: str = ""  # for a refund: the payment it pays back
    amount: int
    at: datetime

    _times = ("at",)
    _texts = ("reference", "gateway_id")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kind not in RECEIPT_KINDS:
            raise ValueError(f"kind must be one of {RECEIPT_KINDS}")
        if self.amount <= 0:
            raise ValueError("amount must be positive")


def render_receipt(receipt: Receipt, lang: str = "vi") -> bytes:
    return render_document("receipt.html", receipt, lang)
