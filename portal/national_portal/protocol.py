"""What the portal and the national portal agree on: the body is JSON in one canonical encoding,
signed with HMAC-SHA256 under the shared secret (``NATIONAL_PORTAL_SECRET``).

- ``X-Signature``: ``sha256=`` and the hex HMAC-SHA256 of the exact body bytes;
- ``Idempotency-Key``: ``<dossier code>/<sequence>``, the message's identity: the receiver keeps
  one copy per key, so a message sent again after a timeout is recorded once.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

SIGNATURE_HEADER = "X-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
STATUS_UPDATES_PATH = "/status-updates"


def encode(message: dict[str, Any]) -> bytes:
    """The body of ``message``: sorted keys, no spaces, UTF-8 — the same bytes every time it is sent."""
    return json.dumps(message, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_signed(body: bytes, signature: str | None, secret: str) -> bool:
    # As bytes: comparing text refuses non-ASCII input with a TypeError instead of a mismatch.
    return hmac.compare_digest((signature or "").encode(), sign(body, secret).encode())


def idempotency_key(dossier_code: str, sequence: int) -> str:
    return f"{dossier_code}/{sequence}"
