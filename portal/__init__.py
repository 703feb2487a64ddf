"""The dossier portal: ``create_app`` builds the Flask application.

1. Configuration comes from a class chosen by ``PORTAL_ENV`` (``config.py``), then from
   ``test_config`` when the tests pass one.
2. Extensions created in :mod:`portal.extensions` are bound to the app.
3. Each domain module contributes its blueprint, its CLI commands and its request hooks.
"""
from __future__ import annotations

import os
from typing import Any

from flask import Flask

from config import CONFIGS, DEV_SECRET_KEY, from_environment, password_hashing_problem


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    env = os.environ.get("PORTAL_ENV", "testing" if test_config else "development")
    app.config.from_object(CONFIGS[env])
    app.config.update(from_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "pool_size": app.config["DATABASE_POOL_SIZE"],
            "max_overflow": app.config["DATABASE_MAX_OVERFLOW"],
        }
    if env == "production" and app.config["SECRET_KEY"] == DEV_SECRET_KEY:
        raise RuntimeError("Set SECRET_KEY in the environment for the production configuration.")
    if env == "production" and (problem := password_hashing_problem(app.config["PASSWORD_HASH_METHOD"])):
        raise RuntimeError(f"PASSWORD_HASH_METHOD: {problem}; production keeps at least werkzeug's default.")
    os.makedirs(app.instance_path, exist_ok=True)

    from portal import backup, errors, security, web
    from portal.admin import init_app as init_admin
    from portal.audit.cli import audit_cli
    from portal.api import api_bp
    from portal.auth import init_app as init_auth
    from portal.catalog import init_app as init_catalog
    from portal.catalog.cli import deadline_command
    from portal.backoffice import backoffice_bp
    from portal.citizen import dossiers_bp
    from portal.dossiers.cli import files_cli
    from portal.eforms.views import eforms_bp
    from portal.notifications.cli import national_sync_cli, notifications_cli
    from portal.notifications.views import notifications_bp
    from portal.checkout.views import payments_bp
    from portal.gateway.views import gateway_bp
    from portal.payments import init_app as init_payments
    from portal.tracking.views import tracking_bp
    from portal.verify import verify_bp
    from portal.extensions import babel, configure_engine, csrf, db, limiter, migrate
    from portal.i18n import select_locale, select_timezone, translate_templates_once_per_request, use_compiled_catalogs
    from portal.registry import init_app as init_registry
    from portal.demo.seed import seed_demo_command
    from portal.stats.views import stats_bp
    from portal.workflow.cli import supplements_cli

    security.init_app(app)
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine, app.config["DATABASE_LOCK_TIMEOUT"], app.config["DATABASE_PING_AFTER_IDLE"])
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    use_compiled_catalogs(app)
    translate_templates_once_per_request(app)
    limiter.init_app(app)

    init_registry(app)
    init_payments(app)
    init_auth(app)
    init_catalog(app)
    web.init_app(app)
    init_admin(app)
    app.register_blueprint(dossiers_bp)
    app.register_blueprint(backoffice_bp)
    app.register_blueprint(eforms_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(gateway_bp)
    csrf.exempt(gateway_bp)  # another site in reality: its forms carry no portal token
    app.register_blueprint(tracking_bp)
    app.register_blueprint(verify_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    errors.init_app(app)

    @app.after_request
    def commit_request(response):
        """One commit per request (STYLE §2). Error handlers roll back before answering. A request
        that made no session (the health check, a tracking lookup) has nothing to commit."""
        if db.session.registry.has():
            db.session.commit()
        return response

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(national_sync_cli)
    app.cli.add_command(deadline_command)
    app.cli.add_command(files_cli)
    app.cli.add_command(supplements_cli)
    backup.init_app(app)
    return app
