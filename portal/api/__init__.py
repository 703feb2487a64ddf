"""JSON API v1 and its OpenAPI document (``/api/openapi.json``)."""
from portal.api.views import api_bp

__all__ = ["api_bp"]
