"""Fees: payments through the payment gateway, refunds, receipts, and reconciliation with the
gateway's ledger (``flask payments reconcile``)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.payments import gateway
    from portal.payments.cli import payments_cli

    gateway.init_app(app)
    app.cli.add_command(payments_cli)
