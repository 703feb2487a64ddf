"""Signing in.

1. The account is looked up; a locked account is refused with the time left.
2. The password is checked against the stored hash. An unknown account is checked against a
   dummy hash, so a wrong ID and a wrong password take the same time and get the same message.
3. A citizen without an account yet is verified by the mock VNeID: the person must exist in the
   national population register and give the demo password; the account is then created with
   the register's name. If the register is down, existing accounts still sign in.
4. Consecutive failures lock the account for a while (OWASP ASVS V2.2).
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.auth.models import CITIZEN, User
from portal.extensions import db
from portal.timeutil import utcnow
from portal.registry import get_registry
from portal.registry.client import RegistryUnavailable

_DUMMY_HASH = generate_password_hash("not-a-real-password")


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
        check_password_hash(_DUMMY_HASH, password)
        return None
    minutes = _locked_minutes(user)
    if minutes:
        return LoginOutcome(locked_minutes=minutes)
    if user.is_enabled and user.check_password(password):
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = _now()
        return LoginOutcome(user=user)
    _record_failure(user)
    db.session.flush()
    minutes = _locked_minutes(user)
    return LoginOutcome(locked_minutes=minutes)


def authenticate_officer(username: str, password: str) -> LoginOutcome:
    user = db.session.execute(
        select(User).where(User.username == username.strip(), User.kind == "officer")
    ).scalar_one_or_none()
    return _check_existing(user, password) or LoginOutcome()


def authenticate_citizen(personal_id: str, password: str) -> LoginOutcome:
    user = db.session.execute(
        select(User).where(User.personal_id == personal_id, User.kind == CITIZEN)
    ).scalar_one_or_none()
    outcome = _check_existing(user, password)
    if outcome is not None:
        return outcome
    if not hmac.compare_digest(password.encode(), current_app.config["VNEID_DEMO_PASSWORD"].encode()):
        return LoginOutcome()
    try:
        person = get_registry().get_person(personal_id)
    except RegistryUnavailable:
        return LoginOutcome(is_register_unavailable=True)
    if person is None:
        return LoginOutcome()
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
