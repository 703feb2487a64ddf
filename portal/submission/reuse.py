"""Which stored documents are offered again, and where each comes from (issue 17).

A document in the citizen's store (an upload, a declaration generated from an e-form, a
signed result) is offered for a document field only when

1. it is the same kind of document (the procedure's document key);
2. it is still valid (``StoredDocument.valid_until``, set for documents that expire, such as
   a certificate valid six months);
3. when the field ``concerns`` an answer — an address, a person, a name — the dossier it came
   with answered the same: the proof of a home in one ward is not offered for a dossier about
   another, nor one child's birth certificate for another child. A document whose dossier is
   unknown is not offered for such a field.

Each offer names the earlier dossier it came with and when that dossier was submitted.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from portal.deadlines import VN_TZ
from portal.dossiers.models import Attachment, Dossier, StoredDocument
from portal.extensions import db
from portal.paperwork import get_result_form, result_kinds_serving


@dataclass(frozen=True)
class Origin:
    """The earlier dossier a stored document came with."""

    dossier_code: str
    submitted_at: datetime | None


def _words(value: Any) -> str:
    return " ".join(str(value or "").casefold().split())


def same_subject(here: Any, there: Any) -> bool:
    """Whether two answers name the same thing: a person by ID, an address by ward and street,
    text whatever its case and spacing."""
    if here in (None, "") or there in (None, ""):
        return False
    if isinstance(here, dict) and isinstance(there, dict):
        if "personal_id" in here or "personal_id" in there:
            return here.get("personal_id") == there.get("personal_id")
        return (here.get("province_code"), here.get("ward_code"), _words(here.get("street"))) == (
            there.get("province_code"), there.get("ward_code"), _words(there.get("street")))
    return _words(here) == _words(there)


def origin_dossier(document: StoredDocument, but_not: Dossier | None = None) -> Dossier | None:
    """The dossier the document was first sent with (not ``but_not``): the first submitted
    one, else the draft it was uploaded to."""
    query = (
        select(Dossier)
        .join(Attachment, Attachment.dossier_id == Dossier.id)
        .where(Attachment.stored_document_id == document.id)
        .order_by(Dossier.code.is_(None), Dossier.submitted_at, Dossier.id)
        .limit(1)
    )
    if but_not is not None:
        query = query.where(Dossier.id != but_not.id)
    found = db.session.execute(query).scalar_one_or_none()
    if found is None:  # a signed result: the dossier that issued it
        found = db.session.execute(
            select(Dossier).where(Dossier.result_document_id == document.id).limit(1)
        ).scalar_one_or_none()
    return found


def _concerned(dossier: Dossier, document_key: str) -> str | None:
    try:
        definition = dossier.form_definition
    except LookupError:
        return None
    return next((f.concerns for f in definition.file_fields if f.document == document_key), None)


def _result_concerns(earlier: Dossier, document: StoredDocument) -> str | None:
    """For a signed result reused as proof (a residence notice for a proof of residence): the
    answer of its dossier that the documents it serves as concern (the address registered)."""
    if earlier.result_document_id != document.id:
        return None
    try:
        serves_as = get_result_form(earlier.procedure_snapshot["code"]).serves_as
    except LookupError:
        return None
    # The home a residence notice registered is the one its own proof of legal residence concerned.
    return next((c for key in (*serves_as, "legal_residence") if (c := _concerned(earlier, key)) is not None), None)


def is_relevant(dossier: Dossier, document_key: str, document: StoredDocument, today: date | None = None,
                kinds: set[str] | None = None) -> bool:
    today = today or datetime.now(VN_TZ).date()
    if document.document_key not in (kinds or result_kinds_serving(document_key)):
        return False
    if document.owner_personal_id != dossier.applicant_personal_id:
        return False
    if document.valid_until is not None and document.valid_until < today:
        return False
    concerns = _concerned(dossier, document_key)
    if concerns is None:
        return True
    earlier = origin_dossier(document, but_not=dossier)
    earlier_concerns = (_concerned(earlier, document_key) or _result_concerns(earlier, document)) \
        if earlier is not None else None
    if earlier is None or earlier_concerns is None:
        return False
    return same_subject(dossier.answers.get(concerns), earlier.answers.get(earlier_concerns))


def relevant_documents(dossier: Dossier, document_key: str) -> list[StoredDocument]:
    """The applicant's stored documents to offer for ``document_key``, newest first, not
    attached to this dossier yet."""
    attached = {a.stored_document_id for a in dossier.attachments}
    kinds = result_kinds_serving(document_key)
    rows = db.session.execute(
        select(StoredDocument)
        .where(
            StoredDocument.owner_personal_id == dossier.applicant_personal_id,
            StoredDocument.document_key.in_(sorted(kinds)),
        )
        .order_by(StoredDocument.created_at.desc(), StoredDocument.id.desc())
    ).scalars()
    return [doc for doc in rows if doc.id not in attached and is_relevant(dossier, document_key, doc, kinds=kinds)]


def origins(documents: list[StoredDocument], dossier: Dossier) -> dict[int, Origin]:
    """Where each offered document comes from, by document id (absent when unknown)."""
    found = {}
    for document in documents:
        earlier = origin_dossier(document, but_not=dossier)
        if earlier is not None and earlier.code:
            found[document.id] = Origin(earlier.code, earlier.submitted_at)
    return found
