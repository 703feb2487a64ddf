"""Back-office verbs that are not transitions of the dossier: internal notes.

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
