"""Anyone checks a signed result (issue 18): by its verification token, and by the PDF they hold.

1. :func:`find_result` looks up the result a printed ``/verify/<token>`` names and returns a
   :class:`ResultFacts` with only what a bank, a school or another agency needs to know —
   issuing agency, date, dossier code, document type, the holder's masked name — and whether the
   stored document still carries a valid signature;
2. :func:`check_upload` says whether a PDF is byte for byte the document issued under that
   token, with a valid signature: one changed byte, and it is not genuine.
Read-only: nothing here writes to the database.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.dossiers.storage import file_store
from portal.extensions import db
from portal.textutil import mask_name
from portal.paperwork import SigningError, verify_pdf
from portal.workflow.results import pki_dir

TOKEN_PATTERN = re.compile(r"[2-9a-z]{10}")


@dataclass(frozen=True)
class ResultFacts:
    token: str
    is_genuine: bool  # the stored document is there and its signature holds
    agency_name_vi: str
    agency_name_en: str
    issued_at: datetime | None
    dossier_code: str
    document_title: str
    holder: str  # masked
    is_refusal: bool
    sha256: str


@dataclass(frozen=True)
class UploadCheck:
    is_genuine: bool
    is_same_bytes: bool
    is_signature_valid: bool
    signer_name: str | None


def normalise_token(raw: str) -> str | None:
    token = (raw or "").strip().lower()
    return token if TOKEN_PATTERN.fullmatch(token) else None


def find_result(token: str) -> ResultFacts | None:
    """The result issued under ``token``, or ``None`` when no result has it."""
    token = normalise_token(token) or ""
    if not token:
        return None
    dossier = db.session.execute(select(Dossier).where(Dossier.result_token == token)).scalar_one_or_none()
    if dossier is None or dossier.result_document is None:
        return None
    stored = dossier.result_document
    content = file_store().read(stored.storage_name)
    is_genuine = False
    if content is not None and hashlib.sha256(content).hexdigest() == stored.sha256:
        try:
            is_genuine = verify_pdf(content, pki_dir()).is_valid
        except SigningError:
            is_genuine = False
    return ResultFacts(
        token=token,
        is_genuine=is_genuine,
        agency_name_vi=dossier.agency.name_vi,
        agency_name_en=getattr(dossier.agency, "name_en", None) or dossier.agency.name_vi,
        issued_at=stored.created_at,
        dossier_code=dossier.code or "",
        document_title=stored.title.rsplit(" – ", 1)[0],
        holder=mask_name(dossier.applicant_name),
        is_refusal=dossier.is_result_refusal,
        sha256=stored.sha256,
    )


def check_upload(facts: ResultFacts, pdf: bytes) -> UploadCheck:
    """``pdf`` is genuine when it is exactly the issued document and its signature is valid."""
    same = hashlib.sha256(pdf).hexdigest() == facts.sha256
    try:
        signature = verify_pdf(pdf, pki_dir())
    except SigningError:
        return UploadCheck(is_genuine=False, is_same_bytes=same, is_signature_valid=False, signer_name=None)
    return UploadCheck(
        is_genuine=same and signature.is_valid,
        is_same_bytes=same,
        is_signature_valid=signature.is_valid,
        signer_name=signature.signer_name,
    )
