"""The mock gateway's pages and API (``/mock-gateway/…``), as a bank's would be.

1. ``pay``: the payer's page. The portal sends the payer here with a signed request (reference,
   amount, return and notification addresses); an unsigned or altered request is refused. Paying
   records the transaction in the gateway's ledger first, then sends the payer back to the return
   address with the signed outcome and, when ``GATEWAY_SENDS_NOTIFICATIONS`` is on, posts the same
   outcome to the notification address (server to server), as real gateways do both.
2. ``api/refunds`` and ``api/ledger``: the merchant's calls, signed with the shared secret.
"""
from __future__ import annotations

import threading
from datetime import date
from urllib.parse import urlencode

import requests
from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request

from portal.gateway import ledger
from portal.gateway.protocol import OUTCOMES, REFUND_FIELDS, is_signed, sign

gateway_bp = Blueprint("gateway", __name__, url_prefix="/mock-gateway")
REQUEST_FIELDS = ("reference", "amount", "return_url", "notify_url")


def _url() -> str:
    return current_app.config["GATEWAY_DATABASE_URL"]


def _secret() -> str:
    return current_app.config["PAYMENT_SECRET"]


@gateway_bp.route("/pay", methods=["GET", "POST"])
def pay():
    fields = {name: request.values.get(name, "") for name in (*REQUEST_FIELDS, "signature")}
    if not fields["reference"] or not fields["amount"].isdigit() or not is_signed(fields, _secret(), REQUEST_FIELDS):
        abort(400)
    if request.method == "GET":
        return render_template("payments/gateway.html", fields=fields, amount=int(fields["amount"]))
    outcome = request.form.get("outcome")
    if outcome not in OUTCOMES:
        abort(400)
    transaction = ledger.approve(_url(), fields["reference"], int(fields["amount"])) if outcome == "success" else ""
    result = {"reference": fields["reference"], "amount": fields["amount"], "status": outcome, "transaction": transaction}
    result["signature"] = sign(result, _secret())
    if current_app.config["GATEWAY_SENDS_NOTIFICATIONS"] and fields["notify_url"]:
        threading.Thread(target=_notify, args=(fields["notify_url"], result), daemon=True).start()
    separator = "&" if "?" in fields["return_url"] else "?"
    return redirect(f"{fields['return_url']}{separator}{urlencode(result)}")


def _notify(url: str, result: dict[str, str]) -> None:
    """The server-to-server notification; the portal answers it idempotently, so a lost answer
    is simply sent again by a real gateway (here: once)."""
    try:
        requests.post(url, data=result, timeout=5)
    except requests.RequestException:
        pass  # the browser's return carries the same outcome


@gateway_bp.route("/api/refunds", methods=["POST"])
def refund():
    fields = request.form
    if not is_signed(fields, _secret(), REFUND_FIELDS) or not fields.get("amount", "").isdigit():
        abort(400)
    try:
        refund_id = ledger.refund(_url(), fields["transaction"], int(fields["amount"]), fields["refund_reference"])
    except ledger.RefundRefused as exc:
        return jsonify({"error": exc.code}), 409
    return jsonify({"refund": refund_id})


@gateway_bp.route("/api/ledger")
def day_ledger():
    if not is_signed(request.args, _secret(), ("date",)):
        abort(400)
    try:
        business_day = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        abort(400)
    return jsonify([
        {"kind": e.kind, "id": e.id, "reference": e.reference, "transaction": e.transaction, "amount": e.amount,
         "at": e.at.isoformat()}
        for e in ledger.day(_url(), business_day)
    ])
