"""``/track``: anyone with a dossier code sees where it stands (rate-limited per client)."""
from __future__ import annotations

from flask import Blueprint, make_response, render_template, request
from flask_login import current_user

from portal.dossiers.models import DossierGroup
from portal.extensions import csrf
from portal.tracking.groups import find_group, group_view
from portal.tracking.limits import tracking_limit
from portal.i18n import current_lang, gettext as _
from portal.security import cache_validated, is_signed_in, not_modified, not_modified_response
from portal.tracking.service import MalformedCode, find, fingerprint, may_see_details, normalise, public_view

tracking_bp = Blueprint("tracking", __name__)


@tracking_bp.route("/track", methods=["GET", "POST"])
@tracking_limit
@csrf.exempt
def track():
    """A POST only reads (the "last four digits" form keeps the digits out of the address): it
    carries no form token, as a forged one would show its sender nothing, and the page then
    needs no session."""
    raw = (request.values.get("code") or "").strip()
    id_last4 = request.values.get("id_last4", "")
    if not raw:
        return render_template("tracking/track.html", code="", error=None, view=None)
    try:
        code = normalise(raw)
    except MalformedCode:
        error = _("A dossier code looks like 000.09.27.H26-260701-0001: agency code, date and number.")
        return render_template("tracking/track.html", code=raw, error=error, view=None), 400
    dossier = find(code)
    if dossier is None and (group := find_group(code)) is not None:
        return _track_group(group, code, id_last4)
    if dossier is None:
        error = _("No dossier has the code %(code)s. Check the code on your receipt.", code=code)
        return render_template("tracking/track.html", code=raw, error=error, view=None), 404
    detailed = may_see_details(dossier, id_last4, current_user)
    lang = current_lang()
    # A masked view is the same for everyone holding the code and its page carries no form token:
    # a proxy may keep it briefly (when no session shaped it) and a browser asks again with
    # If-None-Match (304 without drawing the page). The applicant's details are never kept.
    etag = None
    if not detailed and request.method == "GET" and not is_signed_in():
        etag = fingerprint(dossier, is_detailed=False, lang=lang)
        if not_modified(etag):
            return not_modified_response(etag, public=True)
    id_error = _("These are not the last four digits of the applicant's personal ID.") if id_last4 and not detailed else None
    response = make_response(render_template(
        "tracking/track.html", code=code, error=None, id_error=id_error, view=public_view(dossier, is_detailed=detailed, lang=lang)
    ))
    if etag is None:
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return cache_validated(response, etag, public=True)


def _track_group(group: DossierGroup, code: str, id_last4: str):
    """A linked dossier by its group code: every component, one timeline (never cached: the
    components change independently)."""
    detailed = may_see_details(group, id_last4, current_user)
    id_error = _("These are not the last four digits of the applicant's personal ID.") if id_last4 and not detailed else None
    response = make_response(render_template(
        "tracking/track.html", code=code, error=None, id_error=id_error, view=None,
        group=group_view(group, is_detailed=detailed, lang=current_lang()),
    ))
    response.headers["Cache-Control"] = "private, no-store"
    return response
