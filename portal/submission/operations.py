"""Filling in and submitting a dossier (DESIGN §3–5; NĐ 45/2020 on e-forms and data reuse).

1. ``open_draft`` resumes the draft of this procedure the applicant already has, or
   ``start_draft`` makes one: it snapshots the procedure version, prefills from the national population
   register (locked values, provenance ``registry``) and from the citizen's profile
   (``profile``); if the register cannot be reached the draft is flagged unverified and every
   field stays editable.
2. ``save_step`` validates one step against the form definition, refuses changes to locked
   values and records per-field provenance; the draft is saved at every step.
3. ``attach_upload`` / ``attach_stored`` add documents: uploads go to the citizen's document
   store, stored documents are attached again without uploading.
4. ``submit_dossier`` checks everything is complete, takes the next dossier code, sets the
   estimated appointment, renders the declaration from the answers and attaches it
   (:mod:`~portal.workflow.declaration`) and moves the dossier to SUBMITTED through the workflow.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import exists, func, select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage, MultiDict

from portal.auth.models import User
from portal.catalog.models import Procedure
from portal.catalog.service import working_calendar
from portal.deadlines import VN_TZ, ClockEvent, ClockEventKind, DeadlineResult, ProcessingTime, compute_deadline
from portal.dossiers.codes import next_dossier_code
from portal.dossiers.models import Attachment, Dossier, StoredDocument
from portal.dossiers.storage import UploadRejected, check_upload, save_upload
from portal.eforms.definitions import Step, get_form_definition
from portal.eforms.derive import derived_values
from portal.eforms.prefill import profile_prefill, profile_updates, registry_prefill
from portal.eforms.validation import StepResult, clean_step
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.payments.models import Payment
from portal.registry import get_registry
from portal.registry.client import RegistryUnavailable
from portal.registry.records import PersonRecord
from portal.workflow.declaration import attach_declaration
from portal.submission.reuse import is_relevant, relevant_documents
from portal.timeutil import to_db, utcnow
from portal.dossiers.states import Status
from portal.workflow.transitions import TransitionRefused, apply_transition


class DossierIncomplete(ValueError):
    """The dossier cannot be submitted yet; ``problems`` lists what is missing, by step."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("incomplete")
        self.problems = problems


def now_local() -> datetime:
    return datetime.now(VN_TZ)


def procedure_snapshot(procedure: Procedure) -> dict[str, Any]:
    """The rules of the version a dossier is submitted under (DESIGN §3: versioned procedures)."""
    return {
        "code": procedure.code,
        "version": procedure.version,
        "name_vi": procedure.name_vi,
        "name_en": procedure.name_en,
        "level": procedure.level,
        "processing_value": procedure.processing_value,
        "processing_unit": procedure.processing_unit,
        "discount_pct": procedure.discount_pct,
        "fee_counter": procedure.fee_counter,
        "fee_online": procedure.fee_online,
        "allows_pay_later": procedure.allows_pay_later,
        "required_documents": procedure.required_documents,
        "result_deliveries": procedure.result_deliveries,
        "supplement_policy": procedure.supplement_policy,
        "supplement_days": procedure.supplement_days,
        "max_extension_days": procedure.max_extension_days,
    }


def _lookup(personal_id: str) -> PersonRecord | None:
    return get_registry().get_person(personal_id)


def find_open_draft(procedure: Procedure, personal_id: str, channel: str) -> Dossier | None:
    return db.session.execute(
        select(Dossier)
        .where(
            Dossier.procedure_id == procedure.id,
            Dossier.applicant_personal_id == personal_id,
            Dossier.status == Status.DRAFT.value,
            Dossier.channel == channel,
        )
        .order_by(Dossier.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def open_draft(
    procedure: Procedure, personal_id: str, *, citizen: User | None = None, officer: User | None = None
) -> tuple[Dossier, bool]:
    """The applicant's open draft of ``procedure`` on this channel, or a new one; True when new.

    One draft per applicant and procedure even when several tabs open "apply" at once: the
    account acting (the citizen, or the officer at the counter) is locked first, so a second
    request waits for the first to commit and then finds its draft (PostgreSQL ``FOR UPDATE``;
    SQLite's write lock serialises the transactions anyway).
    """
    actor = citizen or officer
    if actor is not None:
        db.session.execute(select(User.id).where(User.id == actor.id).with_for_update())
    channel = "counter" if officer else "online"
    draft = find_open_draft(procedure, personal_id, channel)
    if draft is not None:
        return draft, False
    return start_draft(procedure, personal_id, citizen=citizen, officer=officer), True


def start_draft(
    procedure: Procedure, personal_id: str, *, citizen: User | None = None, officer: User | None = None
) -> Dossier:
    """A new draft for ``personal_id``: online by the citizen, or at the counter by an officer."""
    definition = get_form_definition(procedure.code)
    try:
        person = _lookup(personal_id)
        is_unverified = False
    except RegistryUnavailable:
        person, is_unverified = None, True
    locked: dict[str, Any] = {}
    if person is not None:
        try:
            locked = registry_prefill(definition, person, _lookup)
        except RegistryUnavailable:
            is_unverified = True
    profile = profile_prefill(definition, citizen.profile if citizen else {})
    answers = {**profile, **locked}
    derived = derived_values(definition, person, _lookup, answers) if person is not None and not is_unverified else {}
    answers.update(derived)
    provenance = {**{k: "profile" for k in profile}, **{k: "derived" for k in derived}, **{k: "registry" for k in locked}}
    name = person.full_name if person else (citizen.full_name if citizen else "")
    dossier = Dossier(
        procedure=procedure,
        procedure_version=procedure.version,
        procedure_snapshot=procedure_snapshot(procedure),
        agency_id=procedure.agency_id,
        applicant_user_id=citizen.id if citizen else None,
        applicant_personal_id=personal_id,
        applicant_name=name,
        created_by_id=officer.id if officer else (citizen.id if citizen else None),
        channel="counter" if officer else "online",
        status=Status.DRAFT.value,
        answers=answers,
        provenance=provenance,
        locked=locked,
        completed_steps=[],
        is_registry_unverified=is_unverified,
    )
    db.session.add(dossier)
    db.session.flush()
    return dossier


def save_step(
    dossier: Dossier, step: Step, formdata: MultiDict, *, by_officer: bool = False, keep_valid: bool = False
) -> StepResult:
    """Validate and save one step. With errors nothing is saved, unless ``keep_valid`` (a page
    button pressed in the step's form): then every valid answer is kept, the others stay as they
    were, and the step is not done yet."""
    result = clean_step(step, formdata, dossier.answers, dossier.locked, _lookup,
                        applicant_id=dossier.applicant_personal_id)
    if result.errors and not keep_valid:
        return result
    answers = dict(dossier.answers)
    provenance = dict(dossier.provenance)
    for field in step.fields:
        if field.type == "file" or field.key in result.errors:
            continue
        if field.key not in result.values:
            answers.pop(field.key, None)
            provenance.pop(field.key, None)
            continue
        value = result.values[field.key]
        if field.key in dossier.locked:
            provenance[field.key] = "registry"
        elif provenance.get(field.key) in ("profile", "derived") and answers.get(field.key) == value:
            pass  # the citizen kept what their profile said, or what the register answers
        else:
            provenance[field.key] = "officer" if by_officer else "citizen"
        answers[field.key] = value
    if result.unverified:
        dossier.is_registry_unverified = True
    locked, derived = _refresh_locked(dossier, answers)
    for key, value in locked.items():
        answers[key] = value
        provenance[key] = "registry"
    for key, value in derived.items():
        answers[key] = value
        provenance[key] = "derived"
    dossier.locked = {**dossier.locked, **locked}
    dossier.answers = answers
    dossier.provenance = provenance
    if step.key not in dossier.completed_steps and not result.errors:
        dossier.completed_steps = [*dossier.completed_steps, step.key]
    db.session.flush()
    return result


def _refresh_locked(dossier: Dossier, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Register values that became known through this step's answers (e.g. a parent typed by
    ID fills that parent's ethnicity, the household head chosen gives the address joined),
    for fields the citizen has not answered themselves: (locked, derived and editable)."""
    if dossier.is_registry_unverified:
        return {}, {}
    try:
        person = _lookup(dossier.applicant_personal_id)
        if person is None:
            return {}, {}
        fresh = registry_prefill(dossier.form_definition, person, _lookup, answers=answers)
        locked = {k: v for k, v in fresh.items() if k not in dossier.locked and k not in answers}
        derived = derived_values(dossier.form_definition, person, _lookup, {**answers, **locked})
    except RegistryUnavailable:
        return {}, {}
    return locked, derived


def attachments_size(dossier: Dossier) -> int:
    return sum(a.document.size for a in dossier.attachments)


def document_store_size(personal_id: str) -> int:
    """What the citizen's uploads take in their document store (results the state issues do
    not count against them)."""
    return db.session.execute(
        select(func.coalesce(func.sum(StoredDocument.size), 0))
        .where(StoredDocument.owner_personal_id == personal_id, StoredDocument.kind == "upload")
    ).scalar_one()


def attach_upload(dossier: Dossier, document_key: str, upload: FileStorage) -> Attachment:
    """Check an upload, then store it in the citizen's document store and attach it. Every
    check — the file itself, the dossier's total, the citizen's quota — comes before anything
    is written, so a refused upload leaves no file (raises UploadRejected)."""
    stored = check_upload(upload)
    document = db.session.execute(
        select(StoredDocument).where(
            StoredDocument.owner_personal_id == dossier.applicant_personal_id,
            StoredDocument.sha256 == stored.sha256,
            StoredDocument.document_key == document_key,
        )
    ).scalar_one_or_none()
    already = document is not None and any(a.stored_document_id == document.id for a in dossier.attachments)
    if not already and attachments_size(dossier) + stored.size > current_app.config["MAX_DOSSIER_ATTACHMENTS_SIZE"]:
        raise UploadRejected("dossier_too_large")
    if document is None and (
        document_store_size(dossier.applicant_personal_id) + stored.size > current_app.config["MAX_DOCUMENT_STORE_SIZE"]
    ):
        raise UploadRejected("store_full")
    save_upload(stored)
    if document is None:
        document = StoredDocument(
            owner_personal_id=dossier.applicant_personal_id,
            kind="upload",
            document_key=document_key,
            title=_document_title(dossier, document_key),
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_name=stored.storage_name,
        )
        db.session.add(document)
        db.session.flush()
    return _attach(dossier, document_key, document, "upload")


def attach_stored(dossier: Dossier, document_key: str, document_id: int) -> Attachment | None:
    """Attach a document from the applicant's own store; None if it is not theirs or not
    relevant here (:func:`portal.submission.reuse.is_relevant`)."""
    document = db.session.get(StoredDocument, document_id)
    if document is None or document.owner_personal_id != dossier.applicant_personal_id:
        return None
    already = any(a.stored_document_id == document.id for a in dossier.attachments)
    if not already and not is_relevant(dossier, document_key, document):
        return None  # another kind of document, expired, or about another home or person
    return _attach(dossier, document_key, document, "reuse")


def _attach(dossier: Dossier, document_key: str, document: StoredDocument, source: str) -> Attachment:
    for existing in dossier.attachments:
        if existing.document_key == document_key and existing.stored_document_id == document.id:
            return existing
    attachment = Attachment(dossier=dossier, document_key=document_key, document=document, source=source)
    db.session.add(attachment)
    _documents_changed(dossier)
    db.session.flush()
    return attachment


def _documents_changed(dossier: Dossier) -> None:
    """A document added or removed changes the dossier: its row is written too, so its version
    moves on and a concurrent change of it (a submission from another tab) is refused (409)."""
    dossier.updated_at = utcnow()


@dataclass(frozen=True)
class SentDocuments:
    """What one document field of a form sent: documents picked from the store, files uploaded."""

    stored_ids: tuple[int | None, ...] = ()  # None: a value that is not a document number
    uploads: tuple[FileStorage, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.stored_ids and not self.uploads


NOT_IN_STORE = "not_in_store"


def attach_sent(dossier: Dossier, document_key: str, sent: SentDocuments) -> str | None:
    """Attach what a field sent for ``document_key``; returns the problem with the last document
    that could not be attached (``NOT_IN_STORE`` or an ``UploadRejected`` code), if any."""
    problem = None
    for document_id in sent.stored_ids:
        if document_id is None or attach_stored(dossier, document_key, document_id) is None:
            problem = NOT_IN_STORE
    for upload in sent.uploads:
        try:
            attach_upload(dossier, document_key, upload)
        except UploadRejected as exc:
            problem = exc.code
        finally:
            upload.close()
    return problem


MISSING = "missing"


def send_supplement(dossier: Dossier, citizen: User, sent: dict[str, SentDocuments], note: str) -> dict[str, str]:
    """The citizen sends every document the supplement request (slip 02) lists, and the clock
    resumes (or restarts). All or nothing: returns the problem per document key (``MISSING``,
    ``NOT_IN_STORE`` or an upload refusal) with nothing attached, or an empty dict when sent.
    Raises ``TransitionRefused`` (nothing changed) when no supplement is asked for now."""
    savepoint = db.session.begin_nested()
    try:
        problems: dict[str, str] = {}
        for key in dossier.supplement_items:
            documents = sent.get(key, SentDocuments())
            problem = attach_sent(dossier, key, documents)
            if problem or documents.is_empty:
                problems[key] = problem or MISSING
        if not problems:
            apply_transition(dossier, "supplement", citizen, public_note=note)
    except BaseException:
        savepoint.rollback()
        raise
    if problems:
        savepoint.rollback()
    else:
        savepoint.commit()
    return problems


def detach(dossier: Dossier, attachment_id: int) -> None:
    for attachment in list(dossier.attachments):
        if attachment.id == attachment_id:
            dossier.attachments.remove(attachment)
            _documents_changed(dossier)
    db.session.flush()


def _document_title(dossier: Dossier, document_key: str) -> str:
    for doc in dossier.procedure_snapshot["required_documents"]:
        if doc["key"] == document_key:
            return doc["name_vi"]
    return document_key


def reusable_documents(dossier: Dossier, document_key: str) -> list[StoredDocument]:
    """The applicant's stored documents of this kind, relevant to this dossier and not attached
    to it yet (:mod:`portal.submission.reuse`)."""
    return relevant_documents(dossier, document_key)


def set_delivery(dossier: Dossier, delivery: str, address: dict[str, Any] | None) -> None:
    """How the result comes back; a postal address given is remembered in the citizen's profile
    and offered again next time."""
    dossier.delivery = delivery
    dossier.delivery_address = address if delivery == "post" else None
    dossier.fee_amount = fee_for(dossier)
    if dossier.applicant is not None and address:
        dossier.applicant.profile = {**dossier.applicant.profile, "delivery_address": address}
    db.session.flush()


def fee_for(dossier: Dossier) -> int:
    snapshot = dossier.procedure_snapshot
    return snapshot["fee_online"] if dossier.channel == "online" else snapshot["fee_counter"]


def estimate(dossier: Dossier, received_at: datetime, delivery: str | None, lang: str) -> DeadlineResult:
    """The appointment a dossier received now would get (the binding one comes at acceptance)."""
    return estimate_for(dossier.procedure_snapshot, dossier.channel, received_at, delivery, lang)


def estimate_for(snapshot: dict[str, Any], channel: str, received_at: datetime, delivery: str | None,
                 lang: str) -> DeadlineResult:
    """The appointment a dossier of the procedure ``snapshot`` received now would get."""
    return compute_deadline(
        [ClockEvent(ClockEventKind.START, received_at)],
        working_calendar(),
        ProcessingTime(snapshot["processing_value"], snapshot["processing_unit"]),
        discount_pct=snapshot["discount_pct"],
        is_online_submission=channel == "online",
        is_online_delivery=delivery == "online",
        supplement_policy=snapshot["supplement_policy"],
        lang=lang,
    )


def missing_for_submission(dossier: Dossier) -> list[tuple[str, str]]:
    """(step key, problem) pairs that stop a submission; empty when the dossier is complete."""
    definition = dossier.form_definition
    problems: list[tuple[str, str]] = []
    for step in definition.steps:
        has_answerable = any(f.type != "file" for f in step.fields)
        if has_answerable and step.key not in dossier.completed_steps:
            problems.append((step.key, "step"))
    attached = {a.document_key for a in dossier.attachments}
    for field in definition.file_fields:
        if field.required and field.document not in attached and field.is_visible(dossier.answers):
            problems.append((field.key, "document"))
    if dossier.delivery is None:
        problems.append(("delivery", "delivery"))
    return problems


def submit_dossier(dossier: Dossier, actor: User | None, *, payment_status: str | None = None) -> Dossier:
    """Submit: code, estimated appointment, SUBMITTED, event and notification — all or nothing
    (a savepoint: a refusal or a failure takes no dossier code and leaves the draft as it was)."""
    problems = missing_for_submission(dossier)
    if problems:
        raise DossierIncomplete(problems)
    try:
        with db.session.begin_nested():
            _submit(dossier, actor, payment_status)
    except StaleDataError:
        db.session.refresh(dossier)
        if dossier.is_draft:
            raise  # changed, not submitted, meanwhile: the 409 page shows it as it is now
        # A double click or another tab submitted it first: nothing to do but show it.
        raise TransitionRefused(str(_l("This dossier has been submitted already."))) from None
    return dossier


def _submit(dossier: Dossier, actor: User | None, payment_status: str | None) -> None:
    received_at = now_local()
    dossier.code = next_dossier_code(dossier.agency, received_at.date())
    dossier.submitted_at = to_db(received_at)
    due = estimate(dossier, received_at, dossier.delivery, "vi")
    dossier.estimated_due_at = to_db(due.due_at)
    dossier.estimated_legal_due_at = to_db(due.legal_due_at)
    dossier.fee_amount = fee_for(dossier)
    if payment_status is not None:
        dossier.payment_status = payment_status
    elif dossier.fee_amount == 0:
        dossier.payment_status = "none"
    dossier.has_registry_data = not dossier.is_registry_unverified and "registry" in dossier.provenance.values()
    attach_declaration(dossier, received_at)  # the e-form is the declaration; DeclarationFailed refuses
    dossier.count_attachments()
    apply_transition(dossier, "submit", actor)
    if dossier.applicant is not None:
        updates = profile_updates(dossier.form_definition, dossier.answers)
        if updates:
            dossier.applicant.profile = {**dossier.applicant.profile, **updates}
    db.session.flush()


def discard_draft(dossier: Dossier) -> bool:
    """Delete a draft; a draft on which a payment was made or started is kept (its money must
    stay traceable), and False says so."""
    if db.session.execute(select(exists().where(Payment.dossier_id == dossier.id))).scalar():
        return False
    db.session.delete(dossier)
    db.session.flush()
    return True


@dataclass(frozen=True)
class DossierCounts:
    drafts: int
    submitted: int


def count_for(personal_id: str) -> DossierCounts:
    rows = dict(
        db.session.execute(
            select(Dossier.status == Status.DRAFT.value, func.count())
            .where(Dossier.applicant_personal_id == personal_id)
            .group_by(Dossier.status == Status.DRAFT.value)
        ).all()
    )
    return DossierCounts(drafts=rows.get(True, 0), submitted=rows.get(False, 0))
