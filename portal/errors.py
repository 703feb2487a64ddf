"""Error pages: HTML for people, JSON for the API — never a bare 500.

A database that cannot be reached, or a lock that cannot be had in time, is a 503 with
``Retry-After``: the request's half-done work is rolled back (what was saved before stays), the
page is drawn without asking the database anything, and the pool reconnects by itself once the
database is back (a lost connection, seen by a statement or by the test of a pooled connection
before use, renews the pool: :func:`portal.extensions.ping_when_idle`).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, flash, g, jsonify, make_response, render_template, request
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, ServiceUnavailable

from portal.extensions import db, login_manager
from portal.i18n import file_size, gettext as _, wants_json

# Connection refused or lost, lock or statement timeout (OperationalError); no free connection
# in the pool (TimeoutError).
DATABASE_UNAVAILABLE = (OperationalError, PoolTimeoutError)
RETRY_AFTER_SECONDS = 30

# Blueprint name → the page that shows a dossier as it is now, called with the request's view
# arguments; used to answer a concurrent change (409) with the fresh state.
_CONFLICT_PAGES: dict[str, Callable[..., Any]] = {}


def conflict_page(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the page a blueprint (or one endpoint, ``blueprint.view``) shows after a
    concurrent change of a dossier."""

    def register(render: Callable[..., Any]) -> Callable[..., Any]:
        _CONFLICT_PAGES[name] = render
        return render

    return register


def _too_large() -> tuple[str, str]:
    return _("The file is too large"), _(
        "Each file may be up to %(file)s and everything sent at once up to %(request)s. Go back and attach "
        "fewer or smaller files.",
        file=file_size(current_app.config["MAX_FILE_SIZE"]),
        request=file_size(current_app.config["MAX_CONTENT_LENGTH"]),
    )


#: Each error's title and explanation, translated only for the error being shown (a 404 of
#: the tracking API used to translate all eighteen strings).
_MESSAGES: dict[int, Callable[[], tuple[str, str]]] = {
    400: lambda: (_("The request is not valid"), _("Something in the request could not be understood. Go back and check what you entered.")),
    403: lambda: (_("You cannot open this page"), _("Your account does not have access to this page. If you think it should, contact your administrator.")),
    404: lambda: (_("Page not found"), _("The address may be mistyped, or the page no longer exists.")),
    405: lambda: (_("This action is not allowed here"), _("Go back and use the buttons on the page.")),
    413: _too_large,
    422: lambda: (_("The request could not be processed"), _("Go back and check what you entered.")),
    429: lambda: (_("Too many attempts"), _("You have made too many requests in a short time. Wait a minute and try again.")),
    500: lambda: (_("Something went wrong on our side"), _("Nothing you entered has been lost. Please try again in a few minutes.")),
    503: lambda: (_("The service is briefly unavailable"), _("Part of the service cannot be reached right now. What you saved before is kept; try again in a minute.")),
}


def _handle(error: HTTPException):
    original = getattr(error, "original_exception", None)
    if isinstance(original, DATABASE_UNAVAILABLE):  # raised while committing, after the view
        return _handle_database_unavailable(original)
    if isinstance(original, StaleDataError | IntegrityError):
        return _handle_conflict(original)
    code = error.code or 500
    db.session.rollback()  # nothing half-done by a failed request is committed
    message = _MESSAGES.get(code)
    title, detail = message() if message else (error.name, error.description or "")
    # A reason given with abort(403, "…") is shown; Werkzeug's generic English text is not.
    reason = error.description if error.description != type(error).description else None
    # The error's own headers stay (405: ``Allow``, RFC 9110; 401: ``WWW-Authenticate``); the body is ours.
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    if wants_json():
        return jsonify({"error": error.name, "message": reason or detail, "status": code}), code, headers
    return render_template("errors/error.html", code=code, title=title, detail=detail, reason=reason), code, headers


def _handle_unexpected(error: Exception):
    current_app.logger.exception("Unhandled error", exc_info=error)
    return _handle(InternalServerError(original_exception=error))


def _handle_database_unavailable(error: Exception):
    current_app.logger.error("Database unavailable: %s", " ".join(str(error).split())[:300])
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.remove()  # the connection is gone: start the next request from a fresh session
    # The page's header must not ask the database who is signed in.
    g._login_user = login_manager.anonymous_user()
    response = make_response(_handle(ServiceUnavailable()))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _handle_conflict(error: StaleDataError | IntegrityError):
    """Someone else changed the dossier between this request's read and its write (optimistic
    lock, ``Dossier.version``), or wrote the same once-only row first (a unique key: a rating sent
    twice at once): nothing of this request is kept, and the person sees the dossier as it is now
    with a 409, or a plain 409 page where no dossier page fits."""
    current_app.logger.warning("Concurrent change: %s", type(error).__name__)
    db.session.rollback()
    message = _("Someone else changed this dossier at the same moment, so nothing you sent was saved. "
                "Here is how it looks now; check it and try again.")
    if wants_json():
        return jsonify({"error": "Conflict", "message": message, "status": 409}), 409
    render = _CONFLICT_PAGES.get(request.endpoint or "") or _CONFLICT_PAGES.get(request.blueprint or "")
    if render is not None:
        flash(message, "error")
        response = make_response(render(**(request.view_args or {})))
    else:
        response = make_response(render_template(
            "errors/error.html", code=409, title=_("This dossier was changed meanwhile"), detail=message, reason=None
        ))
    response.status_code = 409
    return response


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _refuse_nul_bytes() -> None:
    """No person types a NUL character; PostgreSQL cannot store or compare one, so a query
    string or form carrying one is refused before any view sees it."""
    # Only a form body is parsed into ``request.form``: other requests are not made to parse one.
    sources = (request.args, request.form) if request.mimetype in _FORM_TYPES else (request.args,)
    texts = [request.path, *(v for values in sources for vs in values.listvalues() for v in vs)]
    if any("\x00" in text for text in texts):
        raise BadRequest(_("The request contains a character that is not allowed."))


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_bytes)
    app.register_error_handler(HTTPException, _handle)
    app.register_error_handler(StaleDataError, _handle_conflict)
    app.register_error_handler(IntegrityError, _handle_conflict)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, _handle_database_unavailable)
    app.register_error_handler(Exception, _handle_unexpected)
