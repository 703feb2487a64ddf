"""Pages that belong to no single domain: home, language switch, health, and the icons browsers
ask for at the root of the site."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import (
    Blueprint, Flask, current_app, has_request_context, redirect, render_template, request, send_from_directory, session,
    url_for,
)

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


def link(endpoint: str, **values: Any) -> str:
    """``url_for`` of the templates. A link that names an endpoint and nothing else (a page of the
    navigation, the footer's) or a static file is the same on every page of a site: it is built
    once per process and prefix the site is served under (``SCRIPT_NAME``), instead of 17 times a
    page (3 µs each through the URL map, 5 % of a tracking page). Any other link is built as
    ``url_for`` builds it. The portal registers no ``url_defaults`` (which could make a link depend
    on the request); ``tests/test_pages.py`` checks that it stays so."""
    if (values and endpoint != "static") or endpoint.startswith(".") or any(k.startswith("_") for k in values) \
            or not has_request_context():
        return url_for(endpoint, **values)
    return _built_once(endpoint, request.script_root, tuple(values.items()))


@lru_cache(maxsize=256)  # endpoints × static files × prefixes; bounded all the same
def _built_once(endpoint: str, script_root: str, values: tuple[tuple[str, Any], ...]) -> str:
    return url_for(endpoint, **dict(values))


def init_app(app: Flask) -> None:
    app.register_blueprint(web_bp)
    # Functions, the same for every page: globals of the templates (macros imported without the
    # page's context see them too); the page's language is the request's.
    app.jinja_env.globals.update(money=i18n.money, number=i18n.number, day=i18n.day, moment=i18n.moment, role_label=_role_label,
                                 url_for=link)
    app.context_processor(lambda: {"current_lang": i18n.current_lang()})
