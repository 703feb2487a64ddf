"""How the portal reaches the payment gateway, an outside system (Open Forms' plugin shape: one
interface, adapters chosen by ``GATEWAY_CLIENT``).

- ``inprocess`` (default): the bundled mock gateway's ledger, called directly.
- ``http``: the mock gateway's API at ``GATEWAY_URL`` within ``GATEWAY_TIMEOUT`` seconds, as a
  real gateway would be reached.

Both answer ``refund`` (idempotent per refund reference, never more than was paid) and
``day`` (the gateway's ledger of a business day, for reconciliation).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from urllib.parse import urlencode

import requests
from flask import Flask, current_app, url_for

from portal.gateway import ledger
from portal.gateway.ledger import Entry
from portal.gateway.protocol import REFUND_FIELDS, sign
from portal.payments.models import Payment

EXTENSION_KEY = "payment_gateway"
REQUEST_FIELDS = ("reference", "amount", "return_url", "notify_url")


class GatewayUnavailable(RuntimeError):
    """The gateway did not answer in time; nothing is known to have happened there."""


class GatewayRefused(ValueError):
    """The gateway refused the call; ``code`` says why (``exceeds_payment``, ``unknown_transaction``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class GatewayClient(Protocol):
    def refund(self, transaction: str, amount: int, refund_reference: str) -> str: ...

    def day(self, business_day: date) -> list[Entry]: ...


class InProcessGateway:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def refund(self, transaction: str, amount: int, refund_reference: str) -> str:
        try:
            return ledger.refund(self.database_url, transaction, amount, refund_reference)
        except ledger.RefundRefused as exc:
            raise GatewayRefused(exc.code) from exc

    def day(self, business_day: date) -> list[Entry]:
        return ledger.day(self.database_url, business_day)


class HttpGateway:
    def __init__(self, base_url: str, secret: str, timeout: float) -> None:
        self.base_url, self.secret, self.timeout = base_url.rstrip("/"), secret, timeout

    def refund(self, transaction: str, amount: int, refund_reference: str) -> str:
        fields = {"transaction": transaction, "amount": str(amount), "refund_reference": refund_reference}
        fields["signature"] = sign(fields, self.secret, REFUND_FIELDS)
        try:
            response = requests.post(f"{self.base_url}/mock-gateway/api/refunds", data=fields, timeout=self.timeout)
        except requests.RequestException as exc:
            raise GatewayUnavailable(str(exc)) from exc
        if response.status_code == 409:
            raise GatewayRefused(response.json().get("error", "refused"))
        if response.status_code != 200:
            raise GatewayUnavailable(f"HTTP {response.status_code}")
        return response.json()["refund"]

    def day(self, business_day: date) -> list[Entry]:
        query = {"date": business_day.isoformat()}
        query["signature"] = sign(query, self.secret, ("date",))
        try:
            response = requests.get(f"{self.base_url}/mock-gateway/api/ledger", params=query, timeout=self.timeout)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise GatewayUnavailable(str(exc)) from exc
        return [Entry(e["kind"], e["id"], e["reference"], e["transaction"], e["amount"], datetime.fromisoformat(e["at"]))
                for e in response.json()]


def init_app(app: Flask) -> None:
    kind = app.config["GATEWAY_CLIENT"]
    if kind == "inprocess":
        app.extensions[EXTENSION_KEY] = InProcessGateway(app.config["GATEWAY_DATABASE_URL"])
    elif kind == "http":
        app.extensions[EXTENSION_KEY] = HttpGateway(
            app.config["GATEWAY_URL"], app.config["PAYMENT_SECRET"], float(app.config["GATEWAY_TIMEOUT"])
        )
    else:
        raise ValueError(f"GATEWAY_CLIENT must be 'inprocess' or 'http', not {kind!r}")


def get_gateway() -> GatewayClient:
    return current_app.extensions[EXTENSION_KEY]


def pay_url(payment: Payment) -> str:
    """The gateway's page for a payment: the request signed, with where to send the outcome."""
    fields = {
        "reference": payment.reference,
        "amount": str(payment.amount),
        "return_url": url_for("payments.payment_return", _external=True),
        "notify_url": url_for("payments.notify", _external=True),
    }
    fields["signature"] = sign(fields, current_app.config["PAYMENT_SECRET"], REQUEST_FIELDS)
    base = current_app.config["GATEWAY_URL"].rstrip("/") if current_app.config["GATEWAY_CLIENT"] == "http" else ""
    return f"{base}/mock-gateway/pay?{urlencode(fields)}"
