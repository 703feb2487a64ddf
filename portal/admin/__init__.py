"""Administration (issue 5): procedures, calendar exceptions, officer accounts and agencies,
every change written to the audit trail (:mod:`portal.audit`)."""
from __future__ import annotations

from flask import Flask

import portal.audit  # noqa: F401 - the audit models, whose tables the administration writes
from portal.extensions import login_manager


def init_app(app: Flask) -> None:
    from portal.admin.views import admin_bp

    app.register_blueprint(admin_bp)
    # Someone not signed in who opens an administration page is an officer who should sign in.
    login_manager.blueprint_login_views[admin_bp.name] = "auth.login_officer"
