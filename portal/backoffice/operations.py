"""Back-office verbs that are not transitions of the dossier: internal notes, the filters an
officer keeps on a queue.

Everything that changes a dossier's state goes through :func:`portal.workflow.transitions.apply_transition`,
which also owns the effects (the signed result of an approval, the tracking number of a shipment).
"""
from __future__ import annotations

from portal.auth.models import User
from portal.dossiers.models import Dossier, InternalNote
from portal.extensions import db


def add_note(dossier: Dossier, officer: User, text: str) -> InternalNote:
    note = InternalNote(dossier=dossier, author_id=officer.id, text=text.strip())
    db.session.add(note)
    db.session.flush()
    return note


def remember_queue_filters(officer: User, queue_key: str, filters: dict[str, str]) -> None:
    """Keep the filters the officer set on a queue for their next visit, from any browser
    (in the officer's profile); empty filters forget them."""
    kept = {**officer.profile.get("queue_filters", {}), queue_key: filters}
    if not filters:
        del kept[queue_key]
    if kept != officer.profile.get("queue_filters", {}):
        officer.profile = {**officer.profile, "queue_filters": kept}
        db.session.flush()


def remembered_queue_filters(officer: User, queue_key: str) -> dict[str, str]:
    return dict(officer.profile.get("queue_filters", {}).get(queue_key, {}))
