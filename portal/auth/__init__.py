"""Accounts, roles, the mock VNeID login and the officers' login.

Sessions: a fresh session at every login, an idle timeout per kind of account (15 minutes for
citizens) and an absolute lifetime, ended for good at sign-out; cookies are HttpOnly and
SameSite, Secure in production.
"""
from __future__ import annotations

from functools import cache
import time

from flask import Flask, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import bindparam, select

from portal.extensions import db, login_manager
from portal.i18n import lazy_gettext as _l


def _load_user(user_id: str):
    """The signed-in person of every request: one statement built once (``Session.get`` builds
    and keys its statement on each call, half the cost of reading the row)."""
    if not user_id.isdigit():
        return None
    return db.session.execute(_user_by_id(), {"id": int(user_id)}).scalar_one_or_none()


@cache
def _user_by_id():
    from portal.auth.models import User

    return select(User).where(User.id == bindparam("id"))


def _enforce_timeouts():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    from flask import current_app

    from portal.auth.operations import idle_timeout, is_session_ended

    now = time.time()
    last_seen = session.get("last_seen", now)
    started = session.setdefault("started_at", now)
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if (
        now - last_seen > idle_timeout(current_user).total_seconds()
        or now - started > absolute
        or is_session_ended(session.get("session_id"))
    ):
        was_citizen = current_user.is_citizen
        lang = session.get("lang")
        logout_user()
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_l("Your session expired after a period of inactivity. Please sign in again."), "info")
        login_view = "auth.login_citizen" if was_citizen else "auth.login_officer"
        return redirect(url_for(login_view, next=request.full_path if request.method == "GET" else None))
    if _is_activity() and ("last_seen" not in session or now - last_seen >= SEEN_EVERY_SECONDS):
        session["last_seen"] = now
    return None


# The idle timeout counts what the person does (a page, a form sent, the e-form's own calls),
# not what a page loads by itself (previews, images). Writing the time at most once a minute
# keeps the session cookie unchanged on most responses, so no response running alongside
# another overwrites the cookie that one set (a message, a new draft).
SEEN_EVERY_SECONDS = 60
_LOADED_BY_A_PAGE = {"iframe", "frame", "image", "embed", "object", "style", "script", "font", "audio", "video", "track"}


def _is_activity() -> bool:
    return request.method != "GET" or request.headers.get("Sec-Fetch-Dest", "document") not in _LOADED_BY_A_PAGE


def init_app(app: Flask) -> None:
    from portal.auth.operations import init_app as init_operations
    from portal.auth.views import auth_bp

    init_operations(app)
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login_citizen"
    login_manager.blueprint_login_views = {"backoffice": "auth.login_officer", "admin": "auth.login_officer"}
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.register_blueprint(auth_bp)
    app.before_request(_enforce_timeouts)
