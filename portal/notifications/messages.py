"""Message texts: one Jinja text template per notification and language.

1. ``templates/notifications/<locale>/<template>.txt`` extends its language's ``_message.txt``
   and fills two blocks: ``subject`` (one line that names the dossier code) and ``body`` (what
   happened and what the citizen should do).
2. The frame adds, for email, the greeting, the dossier code, the procedure, the officer's public
   note and the tracking link built from ``PUBLIC_BASE_URL``; an SMS is the subject and the link.
3. The first line of the rendered text is the subject, the rest is the body.

Whole templates per language rather than gettext msgids: a message is a paragraph a translator
reads and words as one text, and the dossier code and link sit differently in each language.
Rendering needs an application context (the configuration and the template loader) and no
request, so the delivery worker can render.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from jinja2 import Environment, StrictUndefined

from portal.dossiers.display import track_url
from portal.timeutil import from_db

_ENVIRONMENT_KEY = "notification_templates"


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str


def appointment_text(value: str | None) -> str:
    """A stored appointment (ISO, naive UTC) as the citizen reads it: Vietnam time."""
    if not value:
        return ""
    return from_db(datetime.fromisoformat(value)).strftime("%H:%M %d/%m/%Y")


def _environment() -> Environment:
    """Plain text templates: no HTML escaping, block tags leave no blank lines, and a name the
    context lacks is an error rather than an empty gap in a message sent to a citizen."""
    env = current_app.extensions.get(_ENVIRONMENT_KEY)
    if env is None:
        # Plain-text email and SMS, never HTML: the citizen's notifications page escapes them.
        env = Environment(  # nosec B701
            loader=current_app.jinja_loader,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
        )
        current_app.extensions[_ENVIRONMENT_KEY] = env
    return env


def message_locale(locale: str | None) -> str:
    languages = current_app.config.get("LANGUAGES", ("vi", "en"))
    return locale if locale in languages else current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")


def render_message(template: str, locale: str | None, context: dict[str, Any], channel: str) -> RenderedMessage:
    """The subject and body of notification ``template`` for ``channel`` (email | sms)."""
    values = {
        "note": "",
        "procedure": "",
        "procedure_en": "",
        **context,
        "appointment": appointment_text(context.get("appointment")),
        "supplement_due": appointment_text(context.get("supplement_due")),
        "track_url": track_url(context["code"]),
        "channel": channel,
    }
    name = f"notifications/{message_locale(locale)}/{template}.txt"
    text = _environment().get_template(name).render(values)
    subject, _, body = text.strip().partition("\n")
    return RenderedMessage(subject=subject.strip(), body=body.strip())
