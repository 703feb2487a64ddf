"""Locale choice and locale-aware formatting (Vietnamese by default, English on request)."""
from __future__ import annotations

from datetime import date, datetime

from babel.numbers import format_decimal
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale


def select_locale() -> str:
    """The visitor's choice; outside a request (the command line, the demo seed) the default."""
    chosen = session.get("lang") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_lang() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def money(amount: int) -> str:
    """VND grouped as the current language groups thousands, the sign after the amount as
    Vietnamese writes it: ``10.000 ₫``, in English ``10,000 ₫`` (the space does not break, so
    the sign never ends up alone on a line)."""
    return f"{format_decimal(amount, locale=current_lang())}\u00a0₫"


def day(value: date | datetime | None) -> str:
    return format_date(value, "dd/MM/yyyy") if value else ""


def moment(value: datetime | None) -> str:
    return format_datetime(value, "HH:mm dd/MM/yyyy") if value else ""


def wants_json() -> bool:
    return request.path.startswith("/api/")
