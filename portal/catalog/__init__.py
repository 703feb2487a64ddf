"""Agencies, procedures and their form definitions; the public catalog pages."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.catalog.views import catalog_bp

    app.register_blueprint(catalog_bp)
