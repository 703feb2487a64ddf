"""Sign-in pages (the mock VNeID for citizens, the officers' login) and the citizen's profile."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from portal.auth.access import citizen_required
from portal.auth.forms import CitizenLoginForm, OfficerLoginForm
from portal.auth.operations import LoginOutcome, authenticate_citizen, authenticate_officer, end_session, new_session_id
from portal.extensions import limiter
from portal.i18n import gettext as _
from portal.registry import get_registry
from portal.registry.client import RegistryUnavailable
from portal.security import is_local_path

auth_bp = Blueprint("auth", __name__)


def _login_rate() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(default: str) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if is_local_path(target) and not parts.scheme and not parts.netloc:
        return target
    return default


def _failure_message(outcome: LoginOutcome, generic: str) -> str:
    if outcome.locked_minutes:
        return ngettext(
            "Too many failed attempts. Your account is locked; try again in %(num)d minute.",
            "Too many failed attempts. Your account is locked; try again in %(num)d minutes.",
            outcome.locked_minutes,
        )
    if outcome.is_register_unavailable:
        return _(
            "The national population database cannot be reached right now, so a first sign-in "
            "cannot be verified. Please try again in a few minutes."
        )
    return generic


def _start_session(outcome: LoginOutcome, default_next: str):
    # A fresh session on every login: nothing set before authentication survives it but the
    # language the person chose.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.permanent = True
    session["session_id"] = new_session_id()
    session["started_at"] = session["last_seen"] = time.time()  # the idle and absolute clocks start now
    login_user(outcome.user)
    flash(_("Welcome, %(name)s.", name=outcome.user.full_name), "success")
    return redirect(_safe_next(default_next))


@auth_bp.route("/login/citizen", methods=["GET", "POST"])
@limiter.limit(_login_rate, methods=["POST"])
def login_citizen():
    form = CitizenLoginForm()
    error = None
    if form.validate_on_submit():
        outcome = authenticate_citizen(form.personal_id.data, form.password.data)
        if outcome.user is not None:
            return _start_session(outcome, url_for("web.home"))
        error = _failure_message(outcome, _("The personal ID or the password is not correct."))
    status = 200 if error is None and not form.errors else 422
    return render_template("auth/login_citizen.html", form=form, error=error), status


@auth_bp.route("/login/officer", methods=["GET", "POST"])
@limiter.limit(_login_rate, methods=["POST"])
def login_officer():
    form = OfficerLoginForm()
    error = None
    if form.validate_on_submit():
        outcome = authenticate_officer(form.username.data, form.password.data)
        if outcome.user is not None:
            return _start_session(outcome, url_for("backoffice.home"))  # their work, not the citizens' home page
        error = _failure_message(outcome, _("The username or the password is not correct."))
    status = 200 if error is None and not form.errors else 422
    return render_template("auth/login_officer.html", form=form, error=error), status


@auth_bp.route("/logout", methods=["POST"])
def logout():
    was_signed_in = current_user.is_authenticated
    lang = session.get("lang")
    end_session(session.get("session_id"))
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    if was_signed_in:
        flash(_("You have signed out."), "info")
    return redirect(url_for("web.home"))


@auth_bp.route("/my/profile")
@citizen_required
def show_profile():
    """What the state already knows about the citizen: never asked for again in forms."""
    registry = get_registry()
    try:
        person = registry.get_person(current_user.personal_id)
        relatives = {
            role: registry.get_person(pid)
            for role, pid in (("father", person.father_id), ("mother", person.mother_id), ("spouse", person.spouse_id))
            if person and pid
        }
    except RegistryUnavailable:
        person, relatives = None, {}
        is_register_down = True
    else:
        is_register_down = False
    return render_template(
        "auth/profile.html", person=person, relatives=relatives, is_register_down=is_register_down
    )
