"""The signed result of a dossier, issued by the "approve" transition (DESIGN §6, issue 18).

1. :func:`result_letter` lays the dossier out as the document the law prescribes for its
   procedure (:mod:`portal.workflow.result_draft`: answers, register, the agency's choices) —
   or, for a refusal on the merits, the refusal notice with the reasons and legal basis. The
   specialist's proposal note is never printed on a result it approves;
2. :func:`render_unsigned_result` is what the leader previews: the exact PDF/A that approval
   signs, at the same instant's date and number, marked as a preview not yet signed where the
   signature stamp will be;
3. :func:`issue_signed_result` gives the dossier its verification token (``/verify/<token>``,
   printed with a QR code), renders, signs with the agency's certificate (PAdES with the chain
   and the CRL embedded, a visible signature where the page draws the stamp), and stores the
   signed PDF among the applicant's documents, of the kind of result it is (reusable in later
   dossiers, until ``valid_until`` where the law limits it). Rendering or signing that fails
   raises ``SigningFailed``, the transition is refused and nothing is changed.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from pathlib import Path

from flask import current_app

from portal.auth.models import User
from portal.dossiers.display import track_url
from portal.dossiers.models import Dossier, StoredDocument
from portal.dossiers.storage import file_store
from portal.extensions import db
from portal.paperwork import (
    PaperworkError,
    PrintedField,
    ResultDocument,
    render_result,
    sign_pdf,
    signature_box,
)
from portal.deadlines import to_local
from portal.workflow.result_draft import (
    add_months,
    allocate_result_number,
    document_number,
    draft_result,
    result_form_of,
)

# 10 characters of an unambiguous alphabet: short enough to type from paper, 50 bits.
_TOKEN_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_TOKEN_LENGTH = 10


class SigningFailed(Exception):
    """The result could not be rendered or signed; nothing was stored."""


class RegisterDown(SigningFailed):
    """A line of the result comes from the population register, which did not answer: signing
    it blank would certify nothing, so nothing is signed."""


def pki_dir() -> Path:
    return Path(current_app.config.get("PKI_DIR") or Path(current_app.instance_path) / "pki")


def verify_url(token: str) -> str:
    """The public verification page of a result, as printed on it (``PUBLIC_BASE_URL``)."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{token}"


def new_result_token() -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(_TOKEN_LENGTH))


def result_letter(dossier: Dossier, leader: User, now: datetime, token: str = "", *, signing: bool = False,
                  preview: bool = False) -> ResultDocument:
    """The result document of ``dossier`` as signed by ``leader`` at ``now``; ``token`` is its
    verification token (a preview shows the one it will get as ``"…"``). When ``signing``, a
    register line left blank by an outage raises ``RegisterDown``. A ``preview`` prints "not
    signed" where the signature stamp goes, and no signer's name."""
    snapshot = dossier.procedure_snapshot
    form = result_form_of(dossier)
    refusal = dossier.is_result_refusal
    fields: tuple[PrintedField, ...] = ()
    if not refusal:
        lines = draft_result(dossier, now)
        down = [line.label for line in lines if line.register_down]
        if signing and down:
            raise RegisterDown(f"the register did not answer for {', '.join(down)}")
        fields = tuple(PrintedField(line.label, line.printed, line.section) for line in lines
                       if line.printed or not line.omit_blank)
    values = {"dossier_code": dossier.code, "agency": dossier.agency.name_vi, "applicant": dossier.applicant_name}
    return ResultDocument(
        dossier_code=dossier.code or "",
        agency_name=dossier.agency.name_vi,
        agency_address=dossier.agency.address,
        procedure_name=snapshot["name_vi"],
        result_title="Thông báo" if refusal else form.title,
        subtitle="Về việc từ chối giải quyết hồ sơ" if refusal else form.subtitle,
        form_number="" if refusal else form.form_number,
        legal_basis=() if refusal else tuple(line.format(**values) for line in form.legal_basis),
        intro=form.intro.format(**values),
        fields=fields,
        closing=() if refusal else form.closing,
        refusal_basis=form.refusal_basis if refusal else "",
        applicant_name=dossier.applicant_name,
        applicant_personal_id=dossier.applicant_personal_id,
        # Only a refusal prints the specialist's text: its reasons, which the citizen must read.
        body=(dossier.result_body or "") if refusal else form.title,
        is_refusal=refusal,
        signer_name=leader.full_name,
        signer_title=form.signer_title if not refusal else f"Lãnh đạo {dossier.agency.name_vi}",
        issued_at=now,
        tracking_url=track_url(dossier.code or ""),
        document_number=document_number(dossier),
        verify_url=verify_url(token or dossier.result_token or "xxxxxxxxxx"),
        verify_token=token,
        is_preview=preview,
    )


def render_unsigned_result(dossier: Dossier, leader: User, now: datetime) -> bytes:
    """The PDF the leader previews: what approval would sign now. Raises ``PaperworkError``."""
    return render_result(result_letter(dossier, leader, now, dossier.result_token or "xxxxxxxxxx", preview=True), "vi")


def issue_signed_result(dossier: Dossier, leader: User, now: datetime) -> StoredDocument:
    dossier.result_token = dossier.result_token or new_result_token()
    # Called inside the approval's savepoint: a refusal below gives the number back.
    allocate_result_number(dossier, now)
    letter = result_letter(dossier, leader, now, dossier.result_token, signing=True)
    try:
        unsigned = render_result(letter, "vi")
        pdf = sign_pdf(
            unsigned, pki_dir(), dossier.agency.code, reason=f"{letter.result_title} {letter.subtitle}".strip(),
            visible_box=signature_box(unsigned),
        )
    except PaperworkError as exc:
        current_app.logger.warning("Signing the result of %s failed: %s", dossier.code, exc)
        raise SigningFailed(str(exc)) from exc
    digest = hashlib.sha256(pdf).hexdigest()
    name = f"{digest}.pdf"
    file_store().save(name, pdf)
    form = result_form_of(dossier)
    valid_until = None
    if form.valid_months and not letter.is_refusal:
        valid_until = add_months(to_local(now).date(), form.valid_months)
    stored = StoredDocument(
        owner_personal_id=dossier.applicant_personal_id,
        kind="result",
        # The kind of result (ct08_permanent, birth_extract…): a later dossier asking for that
        # document finds it among the citizen's documents.
        document_key="refusal" if letter.is_refusal else form.kind,
        title=f"{' '.join((letter.result_title, letter.subtitle)).strip()} – {dossier.code}",
        valid_until=valid_until,
        content_type="application/pdf",
        size=len(pdf),
        sha256=digest,
        storage_name=name,
    )
    db.session.add(stored)
    db.session.flush()
    return stored
