"""The blueprint of the citizen's pages (endpoints ``dossiers.*``) and the wizard's navigation."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, url_for

from portal.dossiers.models import Dossier
from portal.i18n import current_lang, gettext as _

dossiers_bp = Blueprint("dossiers", __name__)

DELIVERY_STEP = "delivery"
CHECK_STEP = "check"


def step_keys(dossier: Dossier) -> list[str]:
    return [s.key for s in dossier.form_definition.steps] + [DELIVERY_STEP, CHECK_STEP]


def next_step_url(dossier: Dossier, current: str) -> str:
    keys = step_keys(dossier)
    following = keys[keys.index(current) + 1]
    if following == DELIVERY_STEP:
        return url_for("dossiers.delivery", public_id=dossier.public_id)
    if following == CHECK_STEP:
        return url_for("dossiers.check_answers", public_id=dossier.public_id)
    return url_for("dossiers.edit_step", public_id=dossier.public_id, step_key=following)


def first_open_step_url(dossier: Dossier) -> str:
    for step in dossier.form_definition.steps:
        if step.key not in dossier.completed_steps:
            return url_for("dossiers.edit_step", public_id=dossier.public_id, step_key=step.key)
    if dossier.delivery is None:
        return url_for("dossiers.delivery", public_id=dossier.public_id)
    return url_for("dossiers.check_answers", public_id=dossier.public_id)


def progress(dossier: Dossier, current: str) -> list[dict[str, Any]]:
    lang = current_lang()
    titles = [(s.key, s.title(lang)) for s in dossier.form_definition.steps]
    titles += [(DELIVERY_STEP, _("Result and fee")), (CHECK_STEP, _("Check and submit"))]
    return [
        {"key": key, "title": title, "is_current": key == current, "number": n}
        for n, (key, title) in enumerate(titles, start=1)
    ]


def back_to_dossier(code: str, message: str, category: str = "info"):
    """Back to the citizen's dossier page, saying why (an action refused or done)."""
    flash(message, category)
    return redirect(url_for("dossiers.show_my_dossier", code=code))
