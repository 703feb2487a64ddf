"""Answers as a person reads them on the check page, the dossier page and the slips."""
from __future__ import annotations

from datetime import date
from typing import Any

from urllib.parse import urlencode

from flask import current_app

from portal.dossiers.models import Dossier
from portal.eforms.definitions import Field, Step
from portal.eforms.linked import get_linked_form
from portal.i18n import day, gettext as _


def step_title(dossier: Dossier, step: Step, lang: str) -> str:
    """A step's title over a dossier's answers; a component of a linked dossier may name the
    step's subject otherwise (the child a parent registers: ``eforms/linked/<code>.yaml``)."""
    if dossier.linked is None:
        return step.title(lang)
    linked = get_linked_form(dossier.linked.group.procedure_snapshot["code"])
    return linked.component(dossier.procedure_snapshot["code"]).step_title(step, lang)


def display_value(field: Field, value: Any, lang: str) -> str:
    if value is None or value == "":
        return ""
    if field.type == "address" and isinstance(value, dict):
        return ", ".join(p for p in (value.get("street"), value.get("ward_name"), value.get("province_name")) if p)
    if field.type == "person" and isinstance(value, dict):
        born = day(date.fromisoformat(value["date_of_birth"])) if value.get("date_of_birth") else ""
        return f"{value.get('full_name', '')} ({value.get('personal_id', '')}), {born}".strip(", ")
    if field.type == "yesno":
        return _("Yes") if value else _("No")
    if field.type == "date" and isinstance(value, str):
        return day(date.fromisoformat(value))
    if field.type == "select":
        option = next((o for o in field.options if str(o.value) == str(value)), None)
        if option is not None:
            return option.label_en if lang == "en" else option.label_vi
    if field.type == "number" and isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


def document_name(snapshot: dict[str, Any], key: str, lang: str) -> str:
    for doc in snapshot["required_documents"]:
        if doc["key"] == key:
            return doc["name_en"] if lang == "en" else doc["name_vi"]
    return key


def track_url(code: str) -> str:
    """The public tracking page of a dossier, as printed in the QR code of its slips and result
    and linked from its notifications: always the configured public address (``PUBLIC_BASE_URL``),
    never the host a request happened to name."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/track?{urlencode({'code': code})}"
