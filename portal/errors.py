"""Error pages: HTML for people, JSON for the API — never a bare 500."""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db
from portal.i18n import wants_json


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("The request is not valid"), _("Something in the request could not be understood. Go back and check what you entered.")),
        403: (_("You cannot open this page"), _("Your account does not have access to this page. If you think it should, contact your administrator.")),
        404: (_("Page not found"), _("The address may be mistyped, or the page no longer exists.")),
        405: (_("This action is not allowed here"), _("Go back and use the buttons on the page.")),
        413: (_("The file is too large"), _("Choose a smaller file and try again.")),
        422: (_("The request could not be processed"), _("Go back and check what you entered.")),
        429: (_("Too many attempts"), _("You have made too many requests in a short time. Wait a minute and try again.")),
        500: (_("Something went wrong on our side"), _("Nothing you entered has been lost. Please try again in a few minutes.")),
    }


def _handle(error: HTTPException):
    code = error.code or 500
    db.session.rollback()  # nothing half-done by a failed request is committed
    title, detail = _messages().get(code, (error.name, error.description or ""))
    # A reason given with abort(403, "…") is shown; Werkzeug's generic English text is not.
    reason = error.description if error.description != type(error).description else None
    if wants_json():
        return jsonify({"error": error.name, "message": reason or detail, "status": code}), code
    return render_template("errors/error.html", code=code, title=title, detail=detail, reason=reason), code


def _handle_unexpected(error: Exception):
    current_app.logger.exception("Unhandled error", exc_info=error)
    return _handle(InternalServerError(original_exception=error))


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle)
    app.register_error_handler(Exception, _handle_unexpected)
