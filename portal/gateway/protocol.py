"""What the gateway and the portal agree on: HMAC-SHA256 signatures over fixed fields, in a fixed
order, with a shared secret (as VNPay-style gateways sign their callbacks)."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

CALLBACK_FIELDS = ("reference", "amount", "status", "transaction")
REFUND_FIELDS = ("transaction", "amount", "refund_reference")
OUTCOMES = ("success", "failed", "cancelled")


def sign(fields: Mapping[str, object], secret: str, names: Sequence[str] = CALLBACK_FIELDS) -> str:
    message = "&".join(f"{name}={fields.get(name, '')}" for name in names)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def is_signed(fields: Mapping[str, str], secret: str, names: Sequence[str] = CALLBACK_FIELDS) -> bool:
    # As bytes: comparing text refuses non-ASCII input with a TypeError instead of a mismatch.
    return hmac.compare_digest(str(fields.get("signature", "")).encode(), sign(fields, secret, names).encode())
