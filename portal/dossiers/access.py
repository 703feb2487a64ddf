"""Load a dossier for the person asking, or answer 404.

In the spirit of Indico's request handlers (load → check access → act): every page that names a
dossier loads it here with the rule that says who may see it. A dossier someone may not see is
"not found", the same answer as a code that does not exist, so nothing tells whether it exists.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from portal.dossiers.models import Attachment, Dossier, DossierGroup
from portal.extensions import db

Rule = Callable[[Dossier, Any], bool]


def is_applicant(dossier: Dossier, user: Any) -> bool:
    """A submitted dossier of the signed-in citizen."""
    return bool(user.is_authenticated and user.is_citizen and not dossier.is_draft
                and dossier.applicant_personal_id == user.personal_id)


def may_edit_draft(dossier: Dossier, user: Any) -> bool:
    """The applicant's own online draft, or a counter draft of the intake officer's agency."""
    if not user.is_authenticated:
        return False
    if user.is_citizen:
        return dossier.channel == "online" and dossier.applicant_user_id == user.id
    return user.role == "intake" and dossier.channel == "counter" and dossier.agency_id == user.agency_id


def is_agency_officer(dossier: Dossier, user: Any) -> bool:
    """Any officer of the agency the dossier belongs to."""
    return bool(user.is_authenticated and user.is_officer and dossier.agency_id == user.agency_id)


def is_counter_receipt(dossier: Dossier, user: Any) -> bool:
    """A submitted dossier of the intake officer's agency (the counter receipt and slip 01)."""
    return not dossier.is_draft and is_agency_officer(dossier, user)


#: Built once, by the column a page names the dossier with. The procedure comes in the same round
#: trip: every dossier page names it.
_BY = {
    name: select(Dossier).options(joinedload(Dossier.procedure)).where(column == bindparam("value"))
    for name, column in (("code", Dossier.code), ("public_id", Dossier.public_id))
}


def dossier_or_404(rule: Rule, *, code: str | None = None, public_id: str | None = None, lock: bool = False) -> Dossier:
    """The dossier with this ``code`` (or draft ``public_id``) if ``rule`` lets the current user
    see it; 404 otherwise.

    ``lock`` holds the dossier's row until the request ends (PostgreSQL; SQLite serialises
    writers anyway), for an action whose form carries no version because the citizen's wish does
    not depend on what the page showed (withdraw, send a supplement): a concurrent change
    (a payment resuming the dossier) is waited for and acted on, instead of answering 409."""
    by, value = ("code", code) if code is not None else ("public_id", public_id)
    dossier = db.session.execute(_BY[by], {"value": value}).scalar_one_or_none()
    if dossier is None or not rule(dossier, current_user):
        abort(404)
    if lock:
        # Locked only once the rule let the person in. FOR NO KEY UPDATE: rows that merely refer
        # to the dossier (a payment, a refund, an event) can still be written meanwhile.
        db.session.execute(
            select(Dossier).where(Dossier.id == dossier.id)
            .with_for_update(of=Dossier, key_share=True).execution_options(populate_existing=True)
        ).scalar_one()  # fetched: the row as the transaction that held it left it
    return dossier


def applicant_group(code: str, user: Any) -> DossierGroup | None:
    """The signed-in citizen's linked dossier with this group code, or None (not theirs, or no
    such group: the code may be a dossier's)."""
    if not (user.is_authenticated and user.is_citizen):
        return None
    return db.session.execute(
        select(DossierGroup).where(DossierGroup.code == code, DossierGroup.applicant_personal_id == user.personal_id)
    ).scalar_one_or_none()


def attachment_or_404(dossier: Dossier, attachment_id: int) -> Attachment:
    attachment = next((a for a in dossier.attachments if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    return attachment
