"""HTML → PDF with WeasyPrint, for every slip and result document."""
from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

log = logging.getLogger(__name__)

TEMPLATE_DIR = "paperwork"

_per_thread = threading.local()


class PaperworkError(Exception):
    """A document could not be produced. The dossier it belongs to stays as it is; the caller
    records the failure and the document is regenerated later (DESIGN §6)."""


def render_pdf(template_name: str, *, pdf_variant: str | None = None, **context: object) -> bytes:
    """Render ``templates/paperwork/<template_name>`` in the current app context to PDF bytes.

    Relative URLs in the template (``fonts/…``) resolve in the static folder. Only ``file:``
    and ``data:`` URLs are fetched, and a resource that fails to load stops the rendering: a
    document never reaches the network, and never comes out silently in a fallback font.
    ``pdf_variant`` (``"pdf/a-3b"``) asks WeasyPrint for an archival PDF (signed results).
    """
    try:
        html = render_template(f"{TEMPLATE_DIR}/{template_name}", **context)
        base_url = f"{Path(current_app.static_folder or 'static').resolve().as_uri()}/"
        document = HTML(
            string=html,
            base_url=base_url,
            url_fetcher=URLFetcher(allowed_protocols=("file", "data"), fail_on_errors=True),
        )
        if not pdf_variant:
            return document.write_pdf(font_config=_font_config(base_url))
        with warnings.catch_warnings():
            # WeasyPrint opens its sRGB profile for PDF/A and lets the file be collected.
            warnings.simplefilter("ignore", ResourceWarning)
            return document.write_pdf(font_config=_font_config(base_url), pdf_variant=pdf_variant)
    except (Exception, FatalURLFetchingError) as error:
        log.exception("Rendering %s failed", template_name)
        raise PaperworkError(f"{template_name} could not be rendered: {error}") from error


def _font_config(base_url: str) -> FontConfiguration:
    """A font configuration kept per thread and static folder.

    A new one loads every system font and copies the ``@font-face`` files again, a quarter of
    a slip's rendering time; once a face is loaded, later documents reuse it. Pango's font
    maps are not meant to be shared between threads, hence one per thread.
    """
    configs: dict[str, FontConfiguration] = _per_thread.__dict__.setdefault("font_configs", {})
    if base_url not in configs:
        configs[base_url] = FontConfiguration()
    return configs[base_url]
