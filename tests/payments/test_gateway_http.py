"""The portal reaches the gateway over HTTP as it would a real one (``GATEWAY_CLIENT=http``)."""
from __future__ import annotations

import threading
from datetime import datetime

import pytest
from werkzeug.serving import make_server

from portal.deadlines import VN_TZ
from portal.gateway import ledger
from portal.payments.gateway import GatewayRefused, GatewayUnavailable, HttpGateway


@pytest.fixture()
def gateway_service(app):
    """The bundled mock gateway served on a loopback port."""
    ledger.clear(app.config["GATEWAY_DATABASE_URL"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app.config["GATEWAY_DATABASE_URL"]
    server.shutdown()
    ledger.clear(app.config["GATEWAY_DATABASE_URL"])


def test_refunds_and_the_ledger_over_http(app, gateway_service):
    base, url = gateway_service
    client = HttpGateway(base, app.config["PAYMENT_SECRET"], timeout=5)
    transaction = ledger.approve(url, "PAY-HTTP-1", 20000)
    refund = client.refund(transaction, 20000, "RF-HTTP-1")
    assert client.refund(transaction, 20000, "RF-HTTP-1") == refund  # asked again: the same refund
    with pytest.raises(GatewayRefused):
        client.refund(transaction, 1, "RF-HTTP-2")  # nothing left to refund
    entries = client.day(datetime.now(VN_TZ).date())
    assert [(e.kind, e.amount) for e in entries] == [("payment", 20000), ("refund", 20000)]


def test_a_wrong_secret_or_a_silent_gateway_is_an_error(app, gateway_service):
    base, _url = gateway_service
    with pytest.raises(GatewayUnavailable):
        HttpGateway(base, "not-the-secret", timeout=5).day(datetime.now(VN_TZ).date())
    with pytest.raises(GatewayUnavailable):
        HttpGateway("http://127.0.0.1:9", app.config["PAYMENT_SECRET"], timeout=0.5).refund("MOCK1", 1, "RF1")
