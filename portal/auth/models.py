"""Accounts: citizens (linked to a personal ID, signed in through the mock VNeID) and officers."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.catalog.models import Agency
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.timeutil import utcnow

CITIZEN = "citizen"
OFFICER = "officer"
ROLES = ("intake", "specialist", "leader", "admin")
ROLE_LABELS = {
    "citizen": _l("Citizen"),
    "intake": _l("One-stop officer"),
    "specialist": _l("Specialist"),
    "leader": _l("Leader"),
    "admin": _l("Administrator"),
    "system": _l("System"),
}


class User(UserMixin, db.Model):
    """A person who signs in. Officers have a role and belong to one agency (DESIGN §1)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    username: Mapped[str | None] = mapped_column(String(80), unique=True)
    personal_id: Mapped[str | None] = mapped_column(String(12), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str | None] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    # What the citizen told us once (phone, email, occupation…), reused by later forms.
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    agency: Mapped[Agency | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    @property
    def is_citizen(self) -> bool:
        return self.kind == CITIZEN

    @property
    def is_officer(self) -> bool:
        return self.kind == OFFICER

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
