"""Pages that belong to no single domain: home, language switch, health, and the icons browsers
ask for at the root of the site."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, render_template, request, send_from_directory, session, url_for

from portal import i18n
from portal.auth.models import ROLE_LABELS
from portal.catalog.service import list_fields, search_procedures
from portal.extensions import csrf
from portal.security import conditional_page, is_cross_site, is_local_path

web_bp = Blueprint("web", __name__)


@web_bp.route("/")
def home():
    """The first page: a search, six procedures and the fields (public: a proxy may keep it)."""
    return conditional_page(render_template(
        "web/home.html", procedures=search_procedures()[:6], fields=list_fields()
    ), public=True)


@web_bp.route("/language", methods=["POST"])
@csrf.exempt
def set_language():
    """Switches the language the pages are written in. It carries no form token (a token would
    open a session for every visitor of every page, so no public page could be shared by a
    proxy): a switch posted by another site's page changes nothing. The browser sends such a
    post without the session cookie (``SameSite=Lax``), so a session made for it would replace
    a signed-in person's and sign them out. ``next`` stays on this site."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"] and not is_cross_site():
        session["lang"] = lang
    target = request.form.get("next", "")
    if not is_local_path(target):
        target = url_for("web.home")
    return redirect(target)


# Browsers and home screens ask for these at the root whatever the page links to (every page
# links to the SVG icon and the manifest in static/icons/).
ROOT_ICONS = {
    "favicon.ico": "icons/favicon.ico",
    "apple-touch-icon.png": "icons/apple-touch-icon.png",
    "apple-touch-icon-precomposed.png": "icons/apple-touch-icon.png",
}
ICON_MAX_AGE = 7 * 24 * 3600


@web_bp.route("/<any(" + ", ".join(f"'{name}'" for name in ROOT_ICONS) + "):name>")
def show_icon(name: str):
    return send_from_directory(current_app.static_folder, ROOT_ICONS[name], max_age=ICON_MAX_AGE)


@web_bp.route("/healthz")
def health():
    return {"status": "ok"}


def _role_label(role: str | None) -> str:
    return str(ROLE_LABELS.get(role, role or ""))


def init_app(app: Flask) -> None:
    app.register_blueprint(web_bp)
    # Functions, the same for every page: globals of the templates (macros imported without the
    # page's context see them too); the page's language is the request's.
    app.jinja_env.globals.update(money=i18n.money, day=i18n.day, moment=i18n.moment, role_label=_role_label)
    app.context_processor(lambda: {"current_lang": i18n.current_lang()})
