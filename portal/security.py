"""Defences every response and request shares (OWASP ASVS level 2, V3, V5, V7, V14).

1. Behind a reverse proxy (``TRUSTED_PROXIES`` > 0) the client's address and scheme come from
   its ``X-Forwarded-For`` and ``-Proto`` headers, so rate limits count clients, not the proxy,
   and a request that reached the proxy over TLS counts as secure.
2. Every response carries the security headers: a strict Content-Security-Policy without
   ``'unsafe-inline'`` (templates load scripts and styles from ``static/`` only), no framing,
   no MIME sniffing, a same-origin referrer policy, no powerful browser features, and HSTS when
   the request came over TLS. Pages for a signed-in person are never stored by caches.
3. Numeric URL parts are bounded to what the database's integer columns hold, so an absurd id
   is a 404 instead of a database error.
4. Personal ID numbers (12 digits) are masked to their last four digits in every log record,
   whichever logger or handler writes it (ASVS V7.1.1, Luật Bảo vệ dữ liệu cá nhân 2025).
5. Every form and query value is text in the portal's normal form (:func:`portal.textutil.normalise`:
   NFC, look-alike letters, spaces) before any page, validator or query reads it; passwords
   alone are left as typed (:class:`PortalRequest`).
6. A multipart body over ``MAX_CONTENT_LENGTH`` (up to ``OVERSIZED_BODY_READ_LIMIT``) is read
   with its files thrown away as they arrive, so the page can come back with what was typed and
   say which limits the files broke; a larger body is a plain 413.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Request, Response, current_app, request, session
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from portal.textutil import normalise

# The largest value of a 32-bit signed integer column (PostgreSQL ``integer``).
MAX_ID = 2**31 - 1

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    # The mock payment gateway lives on the portal's own origin, and so do the redirects
    # that follow a form (submit → gateway → payment return).
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# The officer's dossier page shows uploaded PDFs inline with <object>, loading the document
# from the portal itself; only that page may embed, and only that download may be embedded.
CSP_EXCEPTIONS: dict[str, dict[str, str]] = {
    "backoffice.show_dossier": {"object-src": "'self'"},
    "backoffice.download_attachment": {"frame-ancestors": "'self'"},
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Twelve digits standing alone: not part of a longer number, nor of a hash or token in hex.
PERSONAL_ID = re.compile(r"(?<![0-9A-Za-z])\d{8}(\d{4})(?![0-9A-Za-z])")


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` that matches only ids a database integer column can hold."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def parse_number(value: str | None) -> int | None:
    """A whole number sent in a form or a query string (an id, an amount, a page), or None:
    only ASCII digits, at most ``MAX_ID``.

    ``str.isdigit`` is not enough: it accepts superscripts (``"²"``) that ``int`` refuses and
    other scripts' digits, and a 30-digit number overflows the database's integer.
    """
    if value is None or not re.fullmatch(r"[0-9]{1,10}", value):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def page_count(total: int, size: int) -> int:
    """How many pages of ``size`` rows a list of ``total`` rows fills (one when it is empty)."""
    return max(1, -(-total // size))


def page_number(value: str | None, pages: int) -> int:
    """The page of a list a query string asks for, from 1 to ``pages``: past the end it is the
    last page (a number larger than any offset the database takes is no error, a 500)."""
    return min(parse_number(value) or 1, pages)


def is_local_path(target: str) -> bool:
    """A path on this site to redirect to after a form: ``/my/dossiers``, never ``//evil.example``.

    Browsers read ``\\`` as ``/`` and drop tabs and newlines from URLs, so ``/\\evil.example``
    would leave the site too.
    """
    return (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target)
    )


def mask_personal_ids(text: str) -> str:
    """``001090012345`` → ``********2345``."""
    return PERSONAL_ID.sub(lambda match: "*" * 8 + match.group(1), text)


class PersonalIdFilter(logging.Filter):
    """Masks personal ID numbers in a record's message and in its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's to report, as it would be
            return True
        if PERSONAL_ID.search(message):
            record.msg, record.args = mask_personal_ids(message), None
        if record.exc_info and not record.exc_text:
            trace = logging.Formatter().formatException(record.exc_info)
            if PERSONAL_ID.search(trace):
                record.exc_text = mask_personal_ids(trace)
        if record.stack_info and PERSONAL_ID.search(record.stack_info):
            record.stack_info = mask_personal_ids(record.stack_info)
        return True


def _install_log_masking() -> None:
    """Mask through the record factory: a filter on a logger misses its children's records and
    one on a handler misses handlers configured later (gunicorn's); every record passes here."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "masks_personal_ids", False):
        return
    masking = PersonalIdFilter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        masking.filter(record)
        return record

    factory.masks_personal_ids = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def content_security_policy(endpoint: str | None) -> str:
    directives = {**CONTENT_SECURITY_POLICY, **CSP_EXCEPTIONS.get(endpoint or "", {})}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _security_headers(app: Flask) -> Callable[[Response], Response]:
    hsts = f"max-age={int(app.config['HSTS_MAX_AGE'])}; includeSubDomains"

    def add_headers(response: Response) -> Response:
        endpoint = request.endpoint
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(endpoint)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "SAMEORIGIN" if endpoint in CSP_EXCEPTIONS else "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = PERMISSIONS_POLICY
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:
            headers["Strict-Transport-Security"] = hsts
        # Read from the cookie, not the database: this also runs on the database-outage page.
        if session.get("_user_id") and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response

    return add_headers


def is_raw_field(name: str) -> bool:
    """A field whose value is kept byte for byte: a password is what was typed, spaces included."""
    return "password" in name


def _normalised(values: MultiDict[str, str]) -> ImmutableMultiDict[str, str]:
    return ImmutableMultiDict(
        [(name, value if is_raw_field(name) else normalise(value)) for name, value in values.items(multi=True)]
    )


class _Discarded:
    """Where a file part of an over-limit body goes as it arrives: nowhere."""

    def write(self, data: bytes) -> int:
        return len(data)

    def seek(self, *_args: object) -> int:
        return 0

    def read(self, *_args: object) -> bytes:
        return b""

    def close(self) -> None:
        pass


class PortalRequest(Request):
    """Flask's request with the portal's edge: normal text in ``args`` and ``form``, and
    over-limit multipart bodies read without their files (``is_body_over_limit``,
    ``refused_file_fields``: the fields whose files were thrown away)."""

    is_body_over_limit = False
    refused_file_fields: tuple[str, ...] = ()

    @cached_property
    def args(self) -> ImmutableMultiDict[str, str]:  # type: ignore[override]
        return _normalised(super().args)

    def _is_oversized_multipart(self) -> bool:
        limit, length = self.max_content_length, self.content_length
        return (
            self.mimetype == "multipart/form-data" and limit is not None and length is not None
            and limit < length <= current_app.config["OVERSIZED_BODY_READ_LIMIT"]
        )

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        if self._is_oversized_multipart():
            self.is_body_over_limit = True
            self.max_content_length = current_app.config["OVERSIZED_BODY_READ_LIMIT"]
        super()._load_form_data()
        if self.is_body_over_limit:
            files = self.__dict__["files"]
            self.refused_file_fields = tuple(dict.fromkeys(n for n, f in files.items(multi=True) if f.filename))
            self.__dict__["files"] = ImmutableMultiDict()
        self.__dict__["form"] = _normalised(self.__dict__["form"])

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> Any:
        if self.is_body_over_limit:
            return _Discarded()
        return super()._get_file_stream(total_content_length, content_type, filename, content_length)


def init_app(app: Flask) -> None:
    """Called by ``create_app`` before the blueprints, whose ``<int:…>`` rules use the converter."""
    app.request_class = PortalRequest
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        # Not X-Forwarded-Host: links in slips and messages must not follow a client's header.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.after_request(_security_headers(app))
    _install_log_masking()


#: How long a shared cache (the reverse proxy, README "Behind a reverse proxy") may serve the
#: public JSON of tracking and of the catalog without asking again.
PUBLIC_MAX_AGE = 30


def is_shareable() -> bool:
    """Whether the answer to this request may be shared by a proxy: the request carried no
    session (as the proxy sees it, README "Behind a reverse proxy") and drawing it made none
    (no one signed in, no language chosen, no form token, no message shown once)."""
    return not session and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies


def is_cross_site() -> bool:
    """The request comes from another site's page (a forged form): the browser says so in
    ``Sec-Fetch-Site``, or, where it does not send that header, its ``Origin`` names another
    host (``null`` included)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "cross-site"
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc != request.host


def not_modified(etag: str) -> bool:
    """The client already holds the representation tagged ``etag`` (``If-None-Match``)."""
    return etag in request.if_none_match or "*" in request.if_none_match


def is_signed_in() -> bool:
    return bool(session.get("_user_id"))


def cache_validated(response: Response, etag: str, *, public: bool) -> Response:
    """Tag ``response`` with ``etag``; a public JSON answer may be kept ``PUBLIC_MAX_AGE``
    seconds by any cache, everything else is kept by the browser only and checked again
    (``If-None-Match`` → 304) before every use. A signed-in person's page is left alone: it
    stays ``no-store`` (:func:`_security_headers`), so is a page with personal details
    (the caller answers ``private, no-store`` itself)."""
    if is_signed_in():
        return response
    response.set_etag(etag)
    if public and is_shareable():
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    else:
        response.headers["Cache-Control"] = "private, no-cache"
    # Shared or not, the answer is the one for this session (or for none): a cache keeps one
    # per cookie, so a visitor who chose English never gets the page kept for the others.
    response.vary.add("Cookie")
    return response


def not_modified_response(etag: str, *, public: bool) -> Response:
    return cache_validated(Response(status=304), etag, public=public)


_FORM_TOKEN = re.compile(rb'(name="csrf_token"[^>]*value=")[^"]*"')


def page_etag(body: str | bytes) -> str:
    """An ETag for a drawn page or JSON body: its content, leaving out the form tokens (signed
    anew at each drawing) but tied to the session's own token, so a 304 never hands a browser
    a page whose forms carry another session's token."""
    data = body.encode() if isinstance(body, str) else body
    if b'name="csrf_token"' in data:  # a public page has none: its bytes are not copied
        data = _FORM_TOKEN.sub(rb'\1"', data)
    digest = hashlib.sha256(data)
    token = session.get("csrf_token")
    if token:
        digest.update(token.encode())
    return digest.hexdigest()[:24]


def conditional_page(body: str, *, public: bool = False) -> Response:
    """``body`` as a response tagged by :func:`page_etag`, or a 304 when the client has it; with
    ``public`` a proxy may keep it when no session shaped it (see :func:`cache_validated`)."""
    etag = page_etag(body)
    if not_modified(etag):
        return not_modified_response(etag, public=public)
    return cache_validated(Response(body, mimetype="text/html"), etag, public=public)
