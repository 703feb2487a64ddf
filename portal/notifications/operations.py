"""Queueing notifications: an outbox row per channel, in the caller's transaction."""
from __future__ import annotations

from typing import Any

from portal.extensions import db
from portal.notifications.models import Notification


def contact_of(dossier: Any) -> tuple[str | None, str | None]:
    """The email and phone the citizen gave on the form, or earlier on their account."""
    profile = dossier.applicant.profile if dossier.applicant else {}
    email = dossier.answers.get("email") or profile.get("email")
    phone = dossier.answers.get("phone") or profile.get("phone")
    return email, phone


def appointment_of(dossier: Any) -> str | None:
    """The appointment the citizen holds now (ISO, naive UTC): the binding one once accepted
    (moved by an approved extension), the estimate before."""
    when = dossier.due_at or dossier.estimated_due_at
    return when.isoformat() if when else None


def supplement_due_of(dossier: Any) -> str | None:
    """The time limit of the supplement the dossier waits for (slip 02; ISO, naive UTC), if any."""
    due = getattr(dossier, "supplement_due_at", None)
    return due.isoformat() if due and getattr(dossier, "status", None) == "supplement_requested" else None


def queue_dossier_notification(dossier: Any, template: str, **context: Any) -> list[Notification]:
    email, phone = contact_of(dossier)
    locale = (dossier.applicant.profile.get("locale") if dossier.applicant else None) or "vi"
    payload = {
        "code": dossier.code,
        "procedure": dossier.procedure_snapshot.get("name_vi"),
        "procedure_en": dossier.procedure_snapshot.get("name_en"),
        "appointment": appointment_of(dossier),
        **({"supplement_due": due} if (due := supplement_due_of(dossier)) else {}),
        **context,
    }
    rows = [
        Notification(
            dossier_id=dossier.id,
            user_id=dossier.applicant_user_id,
            channel=channel,
            recipient=recipient,
            template=template,
            locale=locale,
            context=payload,
        )
        for channel, recipient in (("email", email), ("sms", phone))
        if recipient
    ]
    db.session.add_all(rows)
    return rows
