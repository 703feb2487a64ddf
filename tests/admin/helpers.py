"""Signing in and reading administration pages as an administrator sees them."""
from __future__ import annotations

import html
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.conftest import login_citizen, login_officer


def sign_in(client: FlaskClient, who: str, citizen_id: str | None = None) -> None:
    """Sign in (``who`` is a demo username, or ``citizen``) and read the pages in English,
    so the assertions do not depend on the Vietnamese catalog."""
    response = login_citizen(client, citizen_id) if who == "citizen" else login_officer(client, who)
    assert response.status_code == 302, f"{who} could not sign in"
    client.post("/language", data={"lang": "en", "next": "/"})


def field_error(body: str, field_id: str) -> str | None:
    """The message shown next to a field (house macro: ``<p class="field-error" id="…-error">``)."""
    match = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>', body, re.S)
    if match is None:
        return None
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "", 1)).strip()


def input_value(body: str, field_id: str) -> str | None:
    """What the input or textarea with this id shows."""
    tag = re.search(rf'<input[^>]*\bid="{re.escape(field_id)}"[^>]*>', body)
    if tag:
        value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
        return html.unescape(value.group(1)) if value else ""
    area = re.search(rf'<textarea[^>]*\bid="{re.escape(field_id)}"[^>]*>(.*?)</textarea>', body, re.S)
    return html.unescape(area.group(1)).strip() if area else None


def audit_entries(action: str | None = None) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(db.session.execute(stmt).scalars())


def last_audit(action: str) -> dict[str, Any]:
    """The newest entry of ``action`` as plain values."""
    entries = audit_entries(action)
    assert entries, f"no audit entry {action}"
    entry = entries[-1]
    return {
        "actor_label": entry.actor_label,
        "object_id": entry.object_id,
        "details": entry.details,
    }
