"""Signing in.

1. The account is looked up; a locked account is refused with the time left.
2. The password is checked against the stored hash. An unknown account is checked against a
   dummy hash, so a wrong ID and a wrong password take the same time and get the same message.
3. A citizen without an account yet is verified by the mock VNeID: the person must exist in the
   national population register and give the demo password; the account is then created with
   the register's name. If the register is down, existing accounts still sign in.
4. Consecutive failures lock the account for a while (OWASP ASVS V2.2). A name without an
   account is counted and "locked" the same way, so the lockout message cannot tell which
   names have accounts; a locked account costs the same password check as any attempt.
5. Each sign-in starts a session with a random id; signing out ends that id for good, so a
   copy of the (signed, client-side) session cookie is refused afterwards (ASVS V3.3.1).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import Flask, current_app
from limits.storage import Storage, storage_from_string
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.auth.models import CITIZEN, User
from portal.extensions import db
from portal.timeutil import utcnow
from portal.registry import get_registry
from portal.registry.client import RegistryUnavailable

AUTH_STORE_KEY = "auth_store"
# How long the failures of a name without an account are remembered (an account's are kept
# until it signs in or locks).
UNKNOWN_FAILURES_MEMORY = 24 * 3600


@cache
def _dummy_hash(method: str) -> str:
    """A hash made the way passwords are now: a name without an account, or a locked one, is
    checked against it (the same work as an account's check), and its head (``scrypt:32768:8:1$``)
    tells a password hashed another way, hashed anew at its next sign-in."""
    return generate_password_hash("not-a-real-password", method=method)


def _hash_as_now() -> str:
    return _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None = None
    locked_minutes: int = 0
    is_register_unavailable: bool = False


def _now() -> datetime:
    return utcnow()


def _locked_minutes(user: User) -> int:
    if user.locked_until and user.locked_until > _now():
        return max(1, int((user.locked_until - _now()).total_seconds() // 60) + 1)
    return 0


def _record_failure(user: User) -> None:
    user.failed_logins += 1
    if user.failed_logins >= current_app.config["LOGIN_LOCKOUT_THRESHOLD"]:
        user.locked_until = _now() + current_app.config["LOGIN_LOCKOUT_DURATION"]
        user.failed_logins = 0


def _check_existing(user: User | None, password: str) -> LoginOutcome | None:
    """Outcome for an existing account, or None when there is no account."""
    if user is None:
        check_password_hash(_hash_as_now(), password)
        return None
    minutes = _locked_minutes(user)
    if minutes:
        check_password_hash(_hash_as_now(), password)  # the same work as any other attempt
        return LoginOutcome(locked_minutes=minutes)
    if user.check_password(password) and user.is_enabled:  # a disabled account costs the same hash
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = _now()
        if user.password_hash.split("$", 1)[0] != _hash_as_now().split("$", 1)[0]:
            user.set_password(password)  # hashed another way than passwords are now
        return LoginOutcome(user=user)
    _record_failure(user)
    db.session.flush()
    minutes = _locked_minutes(user)
    return LoginOutcome(locked_minutes=minutes)


def init_app(app: Flask) -> None:
    """Sign-in state kept outside the cookie and the database — failures of names without an
    account, ended sessions — lives where the rate limiter counts (memory, or Redis shared by
    every process)."""
    app.extensions[AUTH_STORE_KEY] = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    try:  # a mistyped method fails the start, not the first sign-in
        _dummy_hash(app.config["PASSWORD_HASH_METHOD"])
    except ValueError as error:
        raise RuntimeError(f"PASSWORD_HASH_METHOD {app.config['PASSWORD_HASH_METHOD']!r}: {error}") from error


def _auth_store() -> Storage:
    return current_app.extensions[AUTH_STORE_KEY]


def new_session_id() -> str:
    return secrets.token_urlsafe(16)


def end_session(session_id: str | None) -> None:
    """Refuse this session from now on, for as long as its cookie could otherwise live."""
    if session_id:
        lifetime = int(current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds())  # Redis: whole seconds
        _auth_store().incr(f"session-ended:{session_id}", lifetime)


def is_session_ended(session_id: str | None) -> bool:
    return not session_id or bool(_auth_store().get(f"session-ended:{session_id}"))


def _unknown_key(kind: str, name: str) -> str:
    # Hashed: personal ID numbers are not written to the rate limiter's store in clear.
    return f"login:{kind}:{hashlib.sha256(name.encode()).hexdigest()}"


def _unknown_locked_minutes(key: str) -> int:
    store = _auth_store()
    if not store.get(f"{key}:locked"):
        return 0
    return max(1, int((store.get_expiry(f"{key}:locked") - time.time()) // 60) + 1)


def _record_unknown_failure(key: str) -> LoginOutcome:
    """A failed attempt on a name without an account, counted like :func:`_record_failure`."""
    store = _auth_store()
    if store.incr(f"{key}:failures", UNKNOWN_FAILURES_MEMORY) >= current_app.config["LOGIN_LOCKOUT_THRESHOLD"]:
        store.clear(f"{key}:failures")
        store.incr(f"{key}:locked", int(current_app.config["LOGIN_LOCKOUT_DURATION"].total_seconds()))
    return LoginOutcome(locked_minutes=_unknown_locked_minutes(key))


def authenticate_officer(username: str, password: str) -> LoginOutcome:
    username = username.strip()
    user = db.session.execute(
        select(User).where(User.username == username, User.kind == "officer")
    ).scalar_one_or_none()
    outcome = _check_existing(user, password)
    if outcome is not None:
        return outcome
    key = _unknown_key("officer", username)
    minutes = _unknown_locked_minutes(key)
    return LoginOutcome(locked_minutes=minutes) if minutes else _record_unknown_failure(key)


def authenticate_citizen(personal_id: str, password: str) -> LoginOutcome:
    user = db.session.execute(
        select(User).where(User.personal_id == personal_id, User.kind == CITIZEN)
    ).scalar_one_or_none()
    outcome = _check_existing(user, password)
    if outcome is not None:
        return outcome
    key = _unknown_key(CITIZEN, personal_id)
    minutes = _unknown_locked_minutes(key)
    if minutes:
        return LoginOutcome(locked_minutes=minutes)
    if not hmac.compare_digest(password.encode(), current_app.config["VNEID_DEMO_PASSWORD"].encode()):
        return _record_unknown_failure(key)
    try:
        person = get_registry().get_person(personal_id)
    except RegistryUnavailable:
        return LoginOutcome(is_register_unavailable=True)
    if person is None:
        return _record_unknown_failure(key)
    user = User(kind=CITIZEN, personal_id=personal_id, full_name=person.full_name, profile={})
    user.set_password(password)
    user.last_login_at = _now()
    db.session.add(user)
    db.session.flush()
    return LoginOutcome(user=user)


def create_officer(username: str, password: str, full_name: str, role: str, agency_id: int) -> User:
    user = User(kind="officer", username=username, full_name=full_name, role=role, agency_id=agency_id, profile={})
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def idle_timeout(user: User) -> timedelta:
    key = "CITIZEN_IDLE_TIMEOUT" if user.is_citizen else "OFFICER_IDLE_TIMEOUT"
    return current_app.config[key]
