"""Back-office verbs that do more than a transition: the signed result, shipping, notes.

``approve_and_sign`` renders the result document, signs it with the agency's certificate
(PAdES, pyHanko) and stores it in the citizen's document store before the transition; if the
signature fails nothing is changed and the leader is told why.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from flask import current_app, flash, request
from flask_babel import gettext as _

from portal.auth.models import User
from portal.backoffice.postal import is_valid_tracking_number, new_tracking_number
from portal.deadlines import VN_TZ
from portal.dossiers.models import Dossier, DossierEvent, InternalNote, StoredDocument
from portal.dossiers.storage import file_store
from portal.extensions import db
from portal.workflow.transitions import TransitionRefused, apply_transition


def pki_dir() -> Path:
    return Path(current_app.config.get("PKI_DIR") or Path(current_app.instance_path) / "pki")


def tracking_url(dossier: Dossier) -> str:
    return f"{request.url_root}track?code={dossier.code}"


def approve_and_sign(dossier: Dossier, leader: User, note: str = "") -> DossierEvent:
    from portal.paperwork import PaperworkError, ResultDocument, render_result, sign_pdf

    snapshot = dossier.procedure_snapshot
    now = datetime.now(VN_TZ)
    document = ResultDocument(
        dossier_code=dossier.code,
        agency_name=dossier.agency.name_vi,
        agency_address=dossier.agency.address,
        procedure_name=snapshot["name_vi"],
        result_title=(
            "Văn bản từ chối giải quyết hồ sơ" if dossier.is_result_refusal else dossier.procedure.result_vi
        ),
        applicant_name=dossier.applicant_name,
        applicant_personal_id=dossier.applicant_personal_id,
        body=dossier.result_body or "",
        is_refusal=dossier.is_result_refusal,
        signer_name=leader.full_name,
        signer_title=f"Lãnh đạo {dossier.agency.name_vi}",
        issued_at=now,
        tracking_url=tracking_url(dossier),
    )
    try:
        pdf = sign_pdf(render_result(document, "vi"), pki_dir(), dossier.agency.code, reason=document.result_title)
    except PaperworkError as exc:
        current_app.logger.warning("Signing the result of %s failed: %s", dossier.code, exc)
        raise TransitionRefused(
            _("The result could not be signed with the agency's certificate, so nothing was changed. "
              "Try again; if it keeps failing, tell the administrator.")
        ) from exc
    digest = hashlib.sha256(pdf).hexdigest()
    name = f"{digest}.pdf"
    file_store().save(name, pdf)
    stored = StoredDocument(
        owner_personal_id=dossier.applicant_personal_id,
        kind="result",
        document_key="result",
        title=f"{document.result_title} – {dossier.code}",
        content_type="application/pdf",
        size=len(pdf),
        sha256=digest,
        storage_name=name,
    )
    db.session.add(stored)
    db.session.flush()
    return apply_transition(dossier, "approve", leader, public_note=note, result_document=stored, now=now)


def ship(dossier: Dossier, officer: User, tracking_number: str, note: str = "") -> DossierEvent:
    number = tracking_number.strip().upper() or new_tracking_number()
    if not is_valid_tracking_number(number):
        raise TransitionRefused(_("This is not a valid postal tracking number (like EB123456785VN)."))
    event = apply_transition(
        dossier, "ship", officer, public_note=note or _("Tracking number %(number)s", number=number),
        tracking_number=number,
    )
    flash(_("Write the tracking number %(number)s on the envelope.", number=number), "info")
    return event


def add_note(dossier: Dossier, officer: User, text: str) -> InternalNote:
    note = InternalNote(dossier=dossier, author_id=officer.id, text=text.strip())
    db.session.add(note)
    db.session.flush()
    return note
