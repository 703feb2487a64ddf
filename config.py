"""Configuration: defaults per environment (``PORTAL_ENV`` = development | production | testing),
then the process environment, read when the app is created (secrets never live in code).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from werkzeug.security import DEFAULT_PBKDF2_ITERATIONS

INSTANCE_DIR = Path(__file__).resolve().parent / "instance"
DEV_SECRET_KEY = "dev-only-secret-change-me"


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'portal.sqlite3'}"
    REGISTRY_DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'registry.sqlite3'}"
    # "sql": the register's database is read in-process; "http": through the mock register
    # service (``flask --app portal.registry.service run``) as a real national database would be.
    REGISTRY_CLIENT = "sql"
    REGISTRY_URL = "http://127.0.0.1:5001"
    REGISTRY_TIMEOUT = 2.0

    # The mock VNeID accepts any register citizen with this password (demo only).
    VNEID_DEMO_PASSWORD = "vneid-demo"

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection idle this many seconds is tested before a request uses it (and
    # replaced if the server dropped it); one in use moments ago is not (no extra round trip).
    DATABASE_PING_AFTER_IDLE = 10.0
    # PostgreSQL connections each app process keeps open, and how many more it may open at a
    # peak: workers × threads should not exceed pool + overflow, and all processes together
    # should stay under the server's max_connections (or go through PgBouncer).
    DATABASE_POOL_SIZE = 5
    DATABASE_MAX_OVERFLOW = 10
    # Seconds a request waits for a row or table lock before it gives up with a 503 page
    # (SQLite busy timeout, PostgreSQL lock_timeout).
    DATABASE_LOCK_TIMEOUT = 5.0
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Idle timeouts per kind of account; the absolute lifetime caps every session.
    CITIZEN_IDLE_TIMEOUT = timedelta(minutes=15)
    OFFICER_IDLE_TIMEOUT = timedelta(minutes=60)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    # The session lives in the cookie: a response that re-sends it unchanged (a document preview
    # still loading when the officer presses a button) would overwrite the cookie the button's
    # answer set, and its "Done" message with it. Only a changed session is sent
    # (portal.auth: the last-seen time is written by a page view, at most once a minute).
    SESSION_REFRESH_EACH_REQUEST = False

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    # Lookups by dossier code per client: enough for people, too few to enumerate codes.
    TRACKING_RATE_LIMIT = "30 per minute"
    # Lookups of a person in the national population register, per client (e-form person fields).
    PERSON_LOOKUP_RATE_LIMIT = "30 per minute"
    # Consecutive failed logins before an account is locked, and for how long.
    LOGIN_LOCKOUT_THRESHOLD = 5
    LOGIN_LOCKOUT_DURATION = timedelta(minutes=15)
    # How passwords are hashed (werkzeug's method string): its default, scrypt with n = 32768,
    # about 80 ms of one core an attempt. A password hashed another way is hashed this way at
    # its next sign-in; production refuses to start with less than werkzeug's default cost.
    PASSWORD_HASH_METHOD = "scrypt"

    WTF_CSRF_TIME_LIMIT = None
    # Reverse proxies in front of the app whose X-Forwarded-For and -Proto are trusted (0: none).
    TRUSTED_PROXIES = 0
    HSTS_MAX_AGE = 365 * 24 * 3600
    # Per file and per dossier limits for attachments; a request carries at most a few files.
    MAX_FILE_SIZE = 10 * 1024 * 1024
    MAX_DOSSIER_ATTACHMENTS_SIZE = 30 * 1024 * 1024
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    # A form with files over MAX_CONTENT_LENGTH, up to this size, is read with its files thrown
    # away so the step comes back with what was typed; a larger body is refused outright (413).
    # The proxy in front must let bodies this large through (nginx ``client_max_body_size``).
    OVERSIZED_BODY_READ_LIMIT = 64 * 1024 * 1024
    # What one citizen's document store (their uploads, not the results the state issues) may hold.
    MAX_DOCUMENT_STORE_SIZE = 200 * 1024 * 1024
    # A file no row refers to is removed by ``flask files gc`` only when it is older than this:
    # an upload being written now is not referred to until its request commits.
    FILES_GC_MIN_AGE = timedelta(hours=1)
    # Defaults for a procedure that sets none (administration, per procedure): the working days
    # a citizen has to send a supplement, when to remind them, and how far past the current
    # appointment a proposed extension (slip 04) may go.
    SUPPLEMENT_WORKING_DAYS = 10
    SUPPLEMENT_REMINDER_WORKING_DAYS = 2
    MAX_EXTENSION_WORKING_DAYS = 10
    # Decompression bombs: a picture may not open into more pixels than a 600 dpi A4 scan or
    # a 64-megapixel photo, and a PDF's compressed streams may not inflate past this size.
    MAX_IMAGE_PIXELS = 64_000_000
    MAX_PDF_INFLATED_SIZE = 256 * 1024 * 1024
    UPLOAD_DIR = None  # default: instance/uploads
    PKI_DIR = None  # default: instance/pki (the demo CA and the agencies' signing keys)
    # Notifications: links in messages, SMTP for email, a log file standing in for the SMS gateway.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 1025
    MAIL_FROM = "no-reply@dichvucong.example"
    MAIL_TIMEOUT = 10.0
    MAIL_SENDER = "smtp"
    SMS_SENDER = "log"
    SMS_LOG_PATH = None
    NOTIFICATION_MAX_ATTEMPTS = 6
    NOTIFICATION_SENDING_TIMEOUT = 600
    # Shared secret of the (mock) payment gateway: callbacks are signed with HMAC-SHA256.
    PAYMENT_SECRET = "demo-payment-secret"
    # The payment gateway, an outside system: its own ledger (the bundled mock), reached in-process
    # or over HTTP at GATEWAY_URL; the mock also posts server-to-server notifications when on.
    GATEWAY_CLIENT = "inprocess"
    GATEWAY_DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'gateway.sqlite3'}"
    GATEWAY_URL = "http://127.0.0.1:5000"
    GATEWAY_TIMEOUT = 5.0
    GATEWAY_SENDS_NOTIFICATIONS = True
    # The national public-service portal, an outside system: every change of a dossier's national
    # status is queued in the portal's outbox and posted by ``flask national-sync deliver`` to
    # NATIONAL_PORTAL_URL, signed with HMAC-SHA256 under NATIONAL_PORTAL_SECRET. A failed attempt
    # waits RETRY_SECONDS, doubling, at most MAX_RETRY_SECONDS. The bundled mock keeps what it
    # receives in NATIONAL_PORTAL_DATABASE_URL (``python -m portal.national_portal.service``).
    NATIONAL_PORTAL_URL = "http://127.0.0.1:5002"
    NATIONAL_PORTAL_SECRET = "demo-national-portal-secret"
    NATIONAL_PORTAL_TIMEOUT = 5.0
    NATIONAL_PORTAL_DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'national_portal.sqlite3'}"
    NATIONAL_SYNC_RETRY_SECONDS = 30.0
    NATIONAL_SYNC_MAX_RETRY_SECONDS = 3600.0
    PAGE_SIZE = 20


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    """Behind TLS: cookies only over HTTPS, and a real secret is mandatory."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


class TestingConfig(Config):
    TESTING = True
    GATEWAY_SENDS_NOTIFICATIONS = False  # tests post the notifications they mean to
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    SECRET_KEY = "test-secret"
    # The same scrypt at 1/32 of the work (2.5 ms): the suite signs in thousands of times, and
    # at the production cost a third of its time went to hashing demo passwords.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


# Environment variable → (config key, parser). Read at app creation, over the class defaults.
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "SECRET_KEY": ("SECRET_KEY", str),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "REGISTRY_DATABASE_URL": ("REGISTRY_DATABASE_URL", str),
    "REGISTRY_CLIENT": ("REGISTRY_CLIENT", str),
    "REGISTRY_URL": ("REGISTRY_URL", str),
    "REGISTRY_TIMEOUT": ("REGISTRY_TIMEOUT", float),
    "VNEID_DEMO_PASSWORD": ("VNEID_DEMO_PASSWORD", str),
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", _bool),
    "RATELIMIT_ENABLED": ("RATELIMIT_ENABLED", _bool),
    "RATELIMIT_STORAGE_URI": ("RATELIMIT_STORAGE_URI", str),
    "LOGIN_RATE_LIMIT": ("LOGIN_RATE_LIMIT", str),
    "PASSWORD_HASH_METHOD": ("PASSWORD_HASH_METHOD", str),
    "TRACKING_RATE_LIMIT": ("TRACKING_RATE_LIMIT", str),
    "PERSON_LOOKUP_RATE_LIMIT": ("PERSON_LOOKUP_RATE_LIMIT", str),
    "TRUSTED_PROXIES": ("TRUSTED_PROXIES", int),
    "DATABASE_LOCK_TIMEOUT": ("DATABASE_LOCK_TIMEOUT", float),
    "DATABASE_PING_AFTER_IDLE": ("DATABASE_PING_AFTER_IDLE", float),
    "DATABASE_POOL_SIZE": ("DATABASE_POOL_SIZE", int),
    "DATABASE_MAX_OVERFLOW": ("DATABASE_MAX_OVERFLOW", int),
    "UPLOAD_DIR": ("UPLOAD_DIR", str),
    "MAX_DOCUMENT_STORE_SIZE": ("MAX_DOCUMENT_STORE_SIZE", int),
    "SUPPLEMENT_WORKING_DAYS": ("SUPPLEMENT_WORKING_DAYS", int),
    "SUPPLEMENT_REMINDER_WORKING_DAYS": ("SUPPLEMENT_REMINDER_WORKING_DAYS", int),
    "MAX_EXTENSION_WORKING_DAYS": ("MAX_EXTENSION_WORKING_DAYS", int),
    "PKI_DIR": ("PKI_DIR", str),
    "PUBLIC_BASE_URL": ("PUBLIC_BASE_URL", str),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "MAIL_FROM": ("MAIL_FROM", str),
    "PAYMENT_SECRET": ("PAYMENT_SECRET", str),
    "GATEWAY_CLIENT": ("GATEWAY_CLIENT", str),
    "GATEWAY_DATABASE_URL": ("GATEWAY_DATABASE_URL", str),
    "GATEWAY_URL": ("GATEWAY_URL", str),
    "GATEWAY_TIMEOUT": ("GATEWAY_TIMEOUT", float),
    "GATEWAY_SENDS_NOTIFICATIONS": ("GATEWAY_SENDS_NOTIFICATIONS", _bool),
    "NATIONAL_PORTAL_URL": ("NATIONAL_PORTAL_URL", str),
    "NATIONAL_PORTAL_SECRET": ("NATIONAL_PORTAL_SECRET", str),
    "NATIONAL_PORTAL_TIMEOUT": ("NATIONAL_PORTAL_TIMEOUT", float),
    "NATIONAL_SYNC_RETRY_SECONDS": ("NATIONAL_SYNC_RETRY_SECONDS", float),
    "NATIONAL_SYNC_MAX_RETRY_SECONDS": ("NATIONAL_SYNC_MAX_RETRY_SECONDS", float),
}


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    return {key: parse(environ[name]) for name, (key, parse) in ENVIRONMENT.items() if name in environ}


def password_hashing_problem(method: str) -> str | None:
    """Why ``method`` hashes passwords at less than werkzeug's default cost, or None. A method
    werkzeug cannot use at all (``scrypt:abc``) is not judged here: the start-up check of
    :mod:`portal.auth.operations` refuses it with werkzeug's own words."""
    name, *params = method.split(":")
    try:
        if name == "scrypt" and int(params[0] if params else 2**15) < 2**15:
            return f"{method} costs less than werkzeug's default scrypt (n = 32768)"
        if name == "pbkdf2" and int(params[1] if len(params) > 1 else DEFAULT_PBKDF2_ITERATIONS) < DEFAULT_PBKDF2_ITERATIONS:
            return f"{method} costs less than werkzeug's default pbkdf2 ({DEFAULT_PBKDF2_ITERATIONS:,} iterations)"
    except ValueError:  # a cost that is not a number: the start-up check names the setting
        pass
    return None
