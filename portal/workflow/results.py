"""The signed result of a dossier, issued by the "approve" transition (DESIGN §6).

1. :func:`issue_signed_result` builds the result letter (or the refusal on the merits) from the
   dossier and the specialist's proposal, renders it and signs it with the agency's certificate
   (PAdES, pyHanko);
2. stores the signed PDF in the citizen's document store and returns it; the transition then
   links it to the dossier. Rendering or signing that fails raises ``SigningFailed``, the
   transition is refused and nothing is changed.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from flask import current_app

from portal.auth.models import User
from portal.dossiers.display import track_url
from portal.dossiers.models import Dossier, StoredDocument
from portal.dossiers.storage import file_store
from portal.extensions import db
from portal.paperwork import PaperworkError, ResultDocument, render_result, sign_pdf


class SigningFailed(Exception):
    """The result could not be rendered or signed; nothing was stored."""


def pki_dir() -> Path:
    return Path(current_app.config.get("PKI_DIR") or Path(current_app.instance_path) / "pki")


def result_letter(dossier: Dossier, leader: User, now: datetime) -> ResultDocument:
    snapshot = dossier.procedure_snapshot
    return ResultDocument(
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
        tracking_url=track_url(dossier.code),
    )


def issue_signed_result(dossier: Dossier, leader: User, now: datetime) -> StoredDocument:
    letter = result_letter(dossier, leader, now)
    try:
        pdf = sign_pdf(render_result(letter, "vi"), pki_dir(), dossier.agency.code, reason=letter.result_title)
    except PaperworkError as exc:
        current_app.logger.warning("Signing the result of %s failed: %s", dossier.code, exc)
        raise SigningFailed(str(exc)) from exc
    digest = hashlib.sha256(pdf).hexdigest()
    name = f"{digest}.pdf"
    file_store().save(name, pdf)
    stored = StoredDocument(
        owner_personal_id=dossier.applicant_personal_id,
        kind="result",
        document_key="result",
        title=f"{letter.result_title} – {dossier.code}",
        content_type="application/pdf",
        size=len(pdf),
        sha256=digest,
        storage_name=name,
    )
    db.session.add(stored)
    db.session.flush()
    return stored
