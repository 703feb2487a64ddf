"""The rate limit that tracking by code shares between the page and the API."""
from __future__ import annotations

from flask import current_app

from portal.extensions import limiter


def tracking_rate() -> str:
    return current_app.config["TRACKING_RATE_LIMIT"]


#: One budget per client for the page and the API together, so codes cannot be enumerated
#: by switching between them.
tracking_limit = limiter.shared_limit(tracking_rate, scope="tracking")
