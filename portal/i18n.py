"""Locale choice and locale-aware formatting (Vietnamese by default, English on request), and
the compiled catalogs every install needs."""
from __future__ import annotations

import os
import tempfile
from datetime import date, datetime, timezone
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, get_group_symbol
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup


def select_locale() -> str:
    """The visitor's choice; outside a request (the command line, the demo seed) the default."""
    chosen = session.get("lang") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def locale_language() -> str | None:
    """The language code (``vi``, ``en``) of the locale in force, ``None`` outside an application:
    the locale's language, which the portal's locales are (no territory), read without formatting
    the locale's identifier."""
    locale = get_locale()
    return locale.language if locale is not None else None


def current_lang() -> str:
    """The page's language code."""
    return locale_language() or current_app.config["BABEL_DEFAULT_LOCALE"]


def money(amount: int) -> str:
    """VND grouped as the current language groups thousands, the sign after the amount as
    Vietnamese writes it: ``10.000 ₫``, in English ``10,000 ₫`` (the space does not break, so
    the sign never ends up alone on a line)."""
    return f"{number(amount)}\u00a0₫"


def number(count: int) -> str:
    """A count (an ``int``) as the page's language groups thousands: ``200.997`` in Vietnamese,
    ``200,997`` in English — the portal's two languages, which both group by three, as Babel
    does (``tests/test_translations.py`` compares them). Drawn several times a page (the
    officer's navigation counts), so the grouping sign is looked up once per language instead
    of each count going through Babel's formatter."""
    return f"{count:,}".replace(",", _group_symbol(current_lang()))


@cache
def _group_symbol(lang: str) -> str:
    return get_group_symbol(lang)


def file_size(size: int) -> str:
    """A size in bytes as people read a limit: ``10 MB``, ``1,5 MB`` in Vietnamese, ``500 KB``."""
    if size >= 2**20:
        return f"{format_decimal(round(size / 2**20, 1), locale=current_lang())} MB"
    return f"{format_decimal(round(size / 2**10), locale=current_lang())} KB"


# Dates and times are written with digits only (dd/MM/yyyy, HH:mm), the same in every language,
# so they are formatted with strftime after the shift to the reader's time zone (naive values are
# UTC): the same text as Babel's pattern, without finding the locale's calendar data for every date
# a page shows (ten on a tracking page, sixty on a queue). The zone is the one Flask-Babel gives
# every reader (:func:`select_timezone`, a setting), as the standard library's zoneinfo: its
# conversion is done in C, pytz's (Flask-Babel's ``to_user_timezone``) in Python.


def _reader_time(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(ZoneInfo(select_timezone()))  # ZoneInfo keeps each zone it made


def day(value: date | datetime | None) -> str:
    if not value:
        return ""
    return (_reader_time(value) if isinstance(value, datetime) else value).strftime("%d/%m/%Y")


def moment(value: datetime | None) -> str:
    return _reader_time(value).strftime("%H:%M %d/%m/%Y") if value else ""


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _is_compiled(mo: Path, po: Path) -> bool:
    return mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime


def compile_catalogs(source: Path, target: Path) -> None:
    """Compile each ``<lang>/LC_MESSAGES/*.po`` under ``source`` to its ``.mo`` under ``target``,
    as ``pybabel compile`` does (fuzzy entries left out), skipping those already up to date.
    Each file is written whole or not at all, so processes starting together never read half."""
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if _is_compiled(mo, po):
            continue
        with po.open("rb") as file:
            catalog = read_po(file, locale=po.parent.parent.name)
        compiled = BytesIO()
        write_mo(compiled, catalog)
        mo.parent.mkdir(parents=True, exist_ok=True)
        partial = mo.with_name(f"{mo.name}.{os.getpid()}.part")
        partial.write_bytes(compiled.getvalue())
        partial.replace(mo)


def translate_templates_once_per_request(app: Flask) -> None:
    """Templates find the request's catalog once, then translate each string from it.

    Flask-Babel's template callables look up the domain, the locale and the catalog again for
    every string (35 times on a tracking page, each a handful of context lookups); these keep
    the catalog in ``g`` beside the locale object it was found for, so ``force_locale`` or
    ``refresh`` (another locale object in Flask-Babel's namespace) finds it anew."""
    app.jinja_env.install_gettext_callables(
        gettext=gettext,
        ngettext=lambda s, p, n: _request_catalog().ungettext(s, p, n),
        pgettext=lambda c, s: _request_catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_catalog().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["_"] = _translate


@pass_eval_context
def _translate(eval_ctx: EvalContext, string: str, /, **variables: object) -> str:
    """``_()`` in a template, in one call: what Jinja's alias does through two more (it resolves
    ``gettext`` in the context and calls Jinja's newstyle wrapper, which calls the callable
    above), with the same result: the text from the request's catalog, marked safe where the
    template escapes, its variables escaped, and always read as a format string (``%%`` → ``%``);
    a variable may be called ``string``, as with Jinja's (whose parameter is ``__string``). A
    text with neither variables nor a ``%`` is the same after formatting, so it is not formatted
    (Markup's ``%`` wraps its argument to escape it: the most costly step for most strings)."""
    text = _request_catalog().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    if not variables and "%" not in text:
        return text
    return text % variables


def gettext(string: str, /, **variables: object) -> str:
    """Flask-Babel's ``gettext`` (the text in the request's language, formatted with
    ``variables`` when given), read from the catalog the request found once
    (:func:`_request_catalog`): Flask-Babel's looks up the domain, the locale and the catalog
    again on every call, 5.8 µs against 0.3 (a queue page translated 21 strings so)."""
    text = _request_catalog().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, /, **variables: object) -> LazyString:
    """:func:`gettext` when the text is used (a label defined at import, drawn in a request)."""
    return LazyString(gettext, string, **variables)


def _request_catalog():  # noqa: ANN202 — babel.support.Translations or NullTranslations
    if not has_app_context():
        return get_translations()  # Flask-Babel's: no catalog outside an application
    store = g._get_current_object()  # noqa: SLF001 — the request's g itself: plain attributes from here
    kept = getattr(store, "portal_catalog", None)
    # Flask-Babel's namespace; ``refresh`` deletes the locale, ``force_locale`` swaps it.
    if kept is not None and kept[0] is getattr(store._flask_babel, "babel_locale", None):  # noqa: SLF001
        return kept[1]
    catalog = get_translations()  # makes Flask-Babel's namespace and chooses the locale
    store.portal_catalog = (store._flask_babel.babel_locale, catalog)  # noqa: SLF001
    return catalog


def use_compiled_catalogs(app: Flask) -> None:
    """Point Flask-Babel at compiled catalogs, compiling them at start-up when they are missing.

    Flask-Babel reads only ``.mo`` files; git holds the ``.po`` sources and ``make translations``
    compiles them. An install that skipped it (``pip install`` and gunicorn, as the README's
    production recipe does) would otherwise serve every interface string in English under
    ``lang="vi"``. A translations folder whose catalogs are missing, or older than their source,
    is compiled into ``<instance>/translations`` (a temporary folder when that cannot be
    written) and read from there; the package itself is never written to.
    """
    directories = app.extensions["babel"].translation_directories
    for index, directory in enumerate(directories):
        source = Path(directory)
        if all(_is_compiled(po.with_suffix(".mo"), po) for po in source.glob("*/LC_MESSAGES/*.po")):
            continue
        target = Path(app.instance_path) / "translations"
        try:
            compile_catalogs(source, target)
        except OSError:
            target = Path(tempfile.mkdtemp(prefix="portal-translations-"))
            compile_catalogs(source, target)
        directories[index] = str(target)
