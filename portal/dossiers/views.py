"""The citizen's application wizard, confirmation, and "My dossiers".

The same wizard serves an officer entering a counter dossier for a walk-in citizen.
Handlers: load → check access → act; the request commits once (portal/__init__.py).
"""
from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.access import citizen_required, roles_required
from portal.catalog.service import get_procedure
from portal.deadlines import VN_TZ
from portal.dossiers import operations as ops
from portal.dossiers.display import display_value, document_name
from portal.dossiers.models import Attachment, Dossier
from portal.dossiers.storage import UploadRejected, file_store
from portal.eforms.definitions import Field, Step
from portal.eforms.validation import clean_step
from portal.extensions import db
from portal.i18n import current_lang
from portal.security import parse_number
from portal.workflow.states import Status, status_label
from portal.workflow.transitions import TransitionRefused, apply_transition

dossiers_bp = Blueprint("dossiers", __name__)

DELIVERY_STEP = "delivery"
CHECK_STEP = "check"


# --- access -------------------------------------------------------------------------------

def may_edit(dossier: Dossier) -> bool:
    """The applicant's own online draft, or a counter draft of the officer's agency."""
    if not current_user.is_authenticated:
        return False
    if current_user.is_citizen:
        return dossier.channel == "online" and dossier.applicant_user_id == current_user.id
    return current_user.role == "intake" and dossier.channel == "counter" and dossier.agency_id == current_user.agency_id


def load_draft(public_id: str) -> Dossier:
    dossier = db.session.execute(select(Dossier).where(Dossier.public_id == public_id)).scalar_one_or_none()
    if dossier is None or not may_edit(dossier):
        abort(404)
    return dossier


def load_own(code: str) -> Dossier:
    """A submitted dossier of the signed-in citizen; 404 for anyone else's (no existence leak)."""
    dossier = db.session.execute(select(Dossier).where(Dossier.code == code)).scalar_one_or_none()
    if dossier is None or dossier.applicant_personal_id != current_user.personal_id:
        abort(404)
    return dossier


# --- wizard helpers -----------------------------------------------------------------------

def step_keys(dossier: Dossier) -> list[str]:
    return [s.key for s in ops.definition_of(dossier).steps] + [DELIVERY_STEP, CHECK_STEP]


def next_step_url(dossier: Dossier, current: str) -> str:
    keys = step_keys(dossier)
    following = keys[keys.index(current) + 1]
    if following == DELIVERY_STEP:
        return url_for("dossiers.delivery", public_id=dossier.public_id)
    if following == CHECK_STEP:
        return url_for("dossiers.check_answers", public_id=dossier.public_id)
    return url_for("dossiers.edit_step", public_id=dossier.public_id, step_key=following)


def first_open_step_url(dossier: Dossier) -> str:
    for step in ops.definition_of(dossier).steps:
        if step.key not in dossier.completed_steps:
            return url_for("dossiers.edit_step", public_id=dossier.public_id, step_key=step.key)
    if dossier.delivery is None:
        return url_for("dossiers.delivery", public_id=dossier.public_id)
    return url_for("dossiers.check_answers", public_id=dossier.public_id)


def progress(dossier: Dossier, current: str) -> list[dict[str, Any]]:
    lang = current_lang()
    titles = [(s.key, s.title(lang)) for s in ops.definition_of(dossier).steps]
    titles += [(DELIVERY_STEP, _("Result and fee")), (CHECK_STEP, _("Check and submit"))]
    return [
        {"key": key, "title": title, "is_current": key == current, "number": n}
        for n, (key, title) in enumerate(titles, start=1)
    ]


UPLOAD_MESSAGES = {
    "type": lambda: _("The file must be a PDF, JPEG or PNG. Its content was checked, not its name."),
    "too_large": lambda: _("The file is larger than 10 MB. Choose a smaller file or scan at a lower resolution."),
    "empty": lambda: _("The file is empty. Choose the file again."),
    "dossier_too_large": lambda: _("Together the files are larger than 30 MB. Remove a file or use smaller ones."),
    "hidden": lambda: _("The file contains something besides the document (hidden content or an attached archive). Scan or save the document again as a PDF, JPEG or PNG and attach the new file."),
    "active": lambda: _("The PDF contains scripts, actions or embedded files, which are not accepted. Print it to a new PDF (“Save as PDF”) and attach that."),
    "bomb": lambda: _("The file opens into far more data than a document needs (a picture over 64 megapixels, or an oversized PDF). Scan it at a lower resolution and try again."),
    "damaged": lambda: _("The file is damaged or incomplete: it does not end the way a PDF, JPEG or PNG must. Save or scan it again."),
}


def _attach_sent(dossier: Dossier, name: str, document: str) -> tuple[str | None, bool]:
    """Attach what the form field ``name`` sent for ``document``: documents picked from the
    store (``<name>-reuse``) and uploaded files. Returns the error to show next to the field,
    if any, and whether anything was sent at all."""
    error = None
    reused = request.form.getlist(f"{name}-reuse")
    for reuse_id in reused:
        document_id = parse_number(reuse_id)
        if document_id is None or ops.attach_stored(dossier, document, document_id) is None:
            error = _("That document is not in your document store.")
    uploads = [u for u in request.files.getlist(name) if u and u.filename]
    for upload in uploads:
        try:
            ops.attach_upload(dossier, document, upload)
        except UploadRejected as exc:
            error = UPLOAD_MESSAGES[exc.code]()
        finally:
            upload.close()
    return error, bool(reused or uploads)


def _process_files(dossier: Dossier, step: Step) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field in step.fields_to_show(dossier.answers):
        if field.type == "file":
            error, _sent = _attach_sent(dossier, field.key, field.document)
            if error:
                errors[field.key] = error
    return errors


def _missing_documents(dossier: Dossier, step: Step) -> dict[str, str]:
    attached = {a.document_key for a in dossier.attachments}
    return {
        f.key: _("Attach “%(name)s”.", name=f.label(current_lang()))
        for f in step.fields
        if f.type == "file" and f.required and f.document not in attached and f.is_visible(dossier.answers)
    }


def _render_step(dossier: Dossier, step: Step, *, raw=None, errors=None, status=200):
    return (
        render_template(
            "dossiers/step.html",
            dossier=dossier,
            step=step,
            fields=step.fields_to_show(dossier.answers),
            raw=raw or {},
            errors=errors or {},
            anchors={f.key: f.input_id for f in step.fields},
            progress=progress(dossier, step.key),
            reusable={f.key: ops.reusable_documents(dossier, f.document) for f in step.fields if f.type == "file"},
            attachments_by_key=_attachments_by_key(dossier),
        ),
        status,
    )


def _attachments_by_key(dossier: Dossier) -> dict[str, list[Attachment]]:
    grouped: dict[str, list[Attachment]] = {}
    for attachment in dossier.attachments:
        grouped.setdefault(attachment.document_key, []).append(attachment)
    return grouped


# --- routes: start and steps ----------------------------------------------------------------

@dossiers_bp.route("/procedures/<code>/apply")
@citizen_required
def start_application(code: str):
    procedure = get_procedure(code)
    if procedure is None:
        abort(404)
    draft = ops.find_open_draft(procedure, current_user.personal_id, "online")
    if draft is None:
        draft = ops.start_draft(procedure, current_user.personal_id, citizen=current_user)
    else:
        flash(_("You had started this procedure before: your draft is kept, continue where you left off."), "info")
    return redirect(first_open_step_url(draft))


@dossiers_bp.route("/apply/<public_id>/steps/<step_key>", methods=["GET", "POST"])
@login_required
def edit_step(public_id: str, step_key: str):
    dossier = load_draft(public_id)
    if not dossier.is_draft:
        return redirect(url_for("dossiers.show_my_dossier", code=dossier.code))
    step = next((s for s in ops.definition_of(dossier).steps if s.key == step_key), None)
    if step is None:
        abort(404)
    if request.method == "GET":
        return _render_step(dossier, step)
    if "remove" in request.form:
        attachment_id = parse_number(request.form.get("remove"))
        if attachment_id is not None:
            ops.detach(dossier, attachment_id)
        return redirect(url_for("dossiers.edit_step", public_id=public_id, step_key=step_key))
    file_errors = _process_files(dossier, step)
    if request.form.get("refresh"):
        preview = clean_step(step, request.form, dossier.answers, dossier.locked, None)
        return _render_step(dossier, step, raw=preview.raw)
    result = ops.save_step(dossier, step, request.form, by_officer=current_user.is_officer)
    errors = {**result.errors, **file_errors}
    if not result.errors:
        errors.update({k: v for k, v in _missing_documents(dossier, step).items() if k not in errors})
    if errors:
        return _render_step(dossier, step, raw=result.raw, errors=errors, status=422)
    if request.form.get("return_to") == CHECK_STEP:
        return redirect(url_for("dossiers.check_answers", public_id=public_id))
    return redirect(next_step_url(dossier, step.key))


# --- delivery and fee ---------------------------------------------------------------------

def _postal_address_field() -> Field:
    return Field(
        key="delivery_address",
        type="address",
        label_vi="Địa chỉ nhận kết quả qua bưu chính",
        label_en="Address for delivery by post",
        hint_vi="Đã điền sẵn nơi thường trú của bạn; bạn có thể sửa.",
        hint_en="Filled in with your permanent residence; you can change it.",
        required=True,
    )


def _default_postal_address(dossier: Dossier) -> tuple[dict[str, Any] | None, str | None]:
    """The address to offer for delivery by post, and where it comes from (for its badge)."""
    if dossier.delivery_address:
        return dossier.delivery_address, None
    profile = dossier.applicant.profile if dossier.applicant else {}
    if profile.get("delivery_address"):
        return profile["delivery_address"], "profile"
    permanent = next(
        (value for key, value in dossier.answers.items() if isinstance(value, dict) and "ward_code" in value and "permanent" in key),
        None,
    )
    return permanent, None


@dossiers_bp.route("/apply/<public_id>/delivery", methods=["GET", "POST"])
@login_required
def delivery(public_id: str):
    dossier = load_draft(public_id)
    if not dossier.is_draft:
        return redirect(url_for("dossiers.show_my_dossier", code=dossier.code))
    field = _postal_address_field()
    address_step = Step(key="delivery", title_vi="Nhận kết quả", title_en="Result", fields=(field,))
    choices = dossier.procedure_snapshot["result_deliveries"]
    errors: dict[str, str] = {}
    raw: dict[str, Any] = {}
    chosen = dossier.delivery
    if request.method == "POST":
        chosen = request.form.get("delivery")
        address = None
        if chosen not in choices:
            errors["delivery"] = _("Choose how you want to receive the result.")
        if chosen == "post" or request.form.get("refresh"):
            checked = clean_step(address_step, request.form, {}, {}, None)
            raw = checked.raw
            address = checked.values.get(field.key)
            if chosen == "post" and checked.errors and not request.form.get("refresh"):
                errors.update(checked.errors)
        if not errors and not request.form.get("refresh"):
            ops.set_delivery(dossier, chosen, address)
            if dossier.applicant is not None and address:
                dossier.applicant.profile = {**dossier.applicant.profile, "delivery_address": address}
            return redirect(next_step_url(dossier, DELIVERY_STEP))
    now = datetime.now(VN_TZ)
    lang = current_lang()
    estimates = {choice: ops.estimate(dossier, now, choice, lang) for choice in choices}
    address_value, address_source = _default_postal_address(dossier)
    return (
        render_template(
            "dossiers/delivery.html",
            dossier=dossier,
            choices=choices,
            chosen=chosen,
            estimates=estimates,
            address_field=field,
            address_value=address_value,
            address_source=address_source,
            raw=raw,
            errors=errors,
            fee=ops.fee_for(dossier),
            progress=progress(dossier, DELIVERY_STEP),
        ),
        422 if errors else 200,
    )


# --- check answers and submit -------------------------------------------------------------

@dossiers_bp.route("/apply/<public_id>/check")
@login_required
def check_answers(public_id: str):
    dossier = load_draft(public_id)
    if not dossier.is_draft:
        return redirect(url_for("dossiers.show_my_dossier", code=dossier.code))
    return _render_check(dossier)


def _render_check(dossier: Dossier, status: int = 200):
    lang = current_lang()
    problems = ops.missing_for_submission(dossier)
    due = ops.estimate(dossier, datetime.now(VN_TZ), dossier.delivery, lang) if dossier.delivery else None
    return (
        render_template(
            "dossiers/check.html",
            dossier=dossier,
            definition=ops.definition_of(dossier),
            problems=problems,
            due=due,
            fee=ops.fee_for(dossier),
            display_value=display_value,
            document_name=document_name,
            attachments_by_key=_attachments_by_key(dossier),
            progress=progress(dossier, CHECK_STEP),
        ),
        status,
    )


@dossiers_bp.route("/apply/<public_id>/submit", methods=["POST"])
@login_required
def submit(public_id: str):
    dossier = db.session.execute(select(Dossier).where(Dossier.public_id == public_id)).scalar_one_or_none()
    if dossier is None or not may_edit(dossier):
        abort(404)
    if not dossier.is_draft:  # a double click or the back button: the dossier already exists
        return redirect(_after_submit_url(dossier))
    fee = ops.fee_for(dossier)
    choice = request.form.get("payment", "none")
    if dossier.channel == "online" and fee > 0 and choice == "now":
        if ops.missing_for_submission(dossier):
            return _render_check(dossier, 422)
        from portal.payments.views import redirect_to_gateway

        return redirect_to_gateway(dossier)
    if dossier.channel == "online" and fee > 0 and not (choice == "later" and dossier.procedure_snapshot["allows_pay_later"]):
        flash(_("Choose how to pay the fee."), "error")
        return _render_check(dossier, 422)
    payment_status = "later" if fee and dossier.channel == "online" else ("counter" if fee else "none")
    try:
        ops.submit_dossier(dossier, current_user, payment_status=payment_status)
        db.session.flush()
    except ops.DossierIncomplete:
        return _render_check(dossier, 422)
    except (TransitionRefused, StaleDataError):
        db.session.rollback()
        return redirect(_after_submit_url(db.session.get(Dossier, dossier.id)))
    return redirect(_after_submit_url(dossier))


def _after_submit_url(dossier: Dossier) -> str:
    if dossier.is_draft:
        return url_for("dossiers.check_answers", public_id=dossier.public_id)
    if dossier.channel == "counter":
        return url_for("dossiers.counter_receipt", public_id=dossier.public_id)
    return url_for("dossiers.confirmation", code=dossier.code)


@dossiers_bp.route("/apply/<public_id>/discard", methods=["POST"])
@login_required
def discard(public_id: str):
    dossier = load_draft(public_id)
    if dossier.is_draft:
        ops.discard_draft(dossier)
        flash(_("The draft was deleted."), "info")
    return redirect(url_for("dossiers.list_my_dossiers") if current_user.is_citizen else url_for("web.home"))


# --- after submission ------------------------------------------------------------------

@dossiers_bp.route("/my/dossiers/<code>/submitted")
@citizen_required
def confirmation(code: str):
    dossier = load_own(code)
    return render_template("dossiers/confirmation.html", dossier=dossier)


@dossiers_bp.route("/my/dossiers")
@citizen_required
def list_my_dossiers():
    rows = db.session.execute(
        select(Dossier)
        .where(Dossier.applicant_personal_id == current_user.personal_id)
        .where((Dossier.status != Status.DRAFT.value) | (Dossier.applicant_user_id == current_user.id))
        .order_by(Dossier.updated_at.desc(), Dossier.id.desc())
    ).scalars()
    dossiers = list(rows)
    return render_template(
        "dossiers/my_list.html",
        drafts=[d for d in dossiers if d.is_draft],
        submitted=[d for d in dossiers if not d.is_draft],
        status_label=status_label,
        first_open_step_url=first_open_step_url,
    )


@dossiers_bp.route("/my/dossiers/<code>")
@citizen_required
def show_my_dossier(code: str):
    return _render_my_dossier(load_own(code))


def _render_my_dossier(dossier: Dossier, *, errors: dict[str, str] | None = None, status: int = 200):
    from portal.workflow import clock
    from portal.workflow.states import WITHDRAWABLE

    return (
        render_template(
            "dossiers/my_detail.html",
            dossier=dossier,
            definition=ops.definition_of(dossier),
            deadline=clock.deadline(dossier, now=datetime.now(VN_TZ), lang=current_lang()),
            display_value=display_value,
            document_name=document_name,
            status_label=status_label,
            attachments_by_key=_attachments_by_key(dossier),
            reusable={key: ops.reusable_documents(dossier, key) for key in dossier.supplement_items},
            can_withdraw=Status(dossier.status) in WITHDRAWABLE,
            errors=errors or {},
        ),
        status,
    )


@dossiers_bp.route("/my/dossiers/<code>/attachments/<int:attachment_id>")
@citizen_required
def download_attachment(code: str, attachment_id: int):
    dossier = load_own(code)
    attachment = next((a for a in dossier.attachments if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    return send_document(attachment.document)


@dossiers_bp.route("/my/documents/<int:document_id>")
@citizen_required
def download_stored_document(document_id: int):
    from portal.dossiers.models import StoredDocument

    document = db.session.get(StoredDocument, document_id)
    if document is None or document.owner_personal_id != current_user.personal_id:
        abort(404)
    return send_document(document)


def send_document(document):
    """A stored file, read whole (at most 10 MB) so no file handle outlives the request."""
    data = file_store().read(document.storage_name)
    if data is None:
        abort(404)
    extension = document.storage_name.rsplit(".", 1)[-1]
    return send_file(
        io.BytesIO(data),
        mimetype=document.content_type,
        as_attachment=request.args.get("inline") is None,
        download_name=f"{document.document_key}-{document.id}.{extension}",
    )


# --- counter dossiers (one-stop officer for a walk-in citizen) ------------------------------

@dossiers_bp.route("/officer/counter/new", methods=["GET", "POST"])
@roles_required("intake")
def start_counter_dossier():
    from portal.catalog.service import search_procedures
    from portal.registry.ids import InvalidPersonalId, parse_personal_id

    procedures = [p for p in search_procedures() if p.agency_id == current_user.agency_id]
    errors: dict[str, str] = {}
    values = {"procedure": request.form.get("procedure", ""), "personal_id": request.form.get("personal_id", "").strip()}
    if request.method == "POST":
        procedure = next((p for p in procedures if p.code == values["procedure"]), None)
        if procedure is None:
            errors["procedure"] = _("Choose a procedure of your agency.")
        try:
            parse_personal_id(values["personal_id"])
        except InvalidPersonalId:
            errors["personal_id"] = _("Enter the citizen's 12-digit personal ID.")
        if not errors:
            draft = ops.find_open_draft(procedure, values["personal_id"], "counter") or ops.start_draft(
                procedure, values["personal_id"], officer=current_user
            )
            return redirect(first_open_step_url(draft))
    return (
        render_template("dossiers/counter_new.html", procedures=procedures, errors=errors, values=values),
        422 if errors else 200,
    )


@dossiers_bp.route("/officer/counter/<public_id>/receipt")
@roles_required("intake")
def counter_receipt(public_id: str):
    dossier = db.session.execute(select(Dossier).where(Dossier.public_id == public_id)).scalar_one_or_none()
    if dossier is None or dossier.agency_id != current_user.agency_id or dossier.is_draft:
        abort(404)
    return render_template("dossiers/counter_receipt.html", dossier=dossier)


# --- slip 01: receipt and appointment -----------------------------------------------------

def slip_response(dossier: Dossier, number: str = "01"):
    """Slip ``number`` of the dossier as an inline PDF; 404 if it was never issued."""
    import portal.paperwork as paperwork
    from portal.dossiers.slips import build_slip

    lang = current_lang()
    slip = build_slip(dossier, number, lang)
    if slip is None:
        abort(404)
    try:
        pdf = getattr(paperwork, f"render_slip{number}")(slip, lang)
    except paperwork.PaperworkError:
        flash(_("The receipt could not be generated just now. Your dossier is safe; try again in a minute."), "error")
        return redirect(request.referrer or url_for("web.home"))
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{dossier.code}-phieu-{number}.pdf"'
    return response


@dossiers_bp.route("/my/dossiers/<code>/slip01.pdf")
@citizen_required
def download_slip(code: str):
    return slip_response(load_own(code))


@dossiers_bp.route("/officer/counter/<public_id>/slip01.pdf")
@roles_required("intake")
def download_counter_slip(public_id: str):
    dossier = db.session.execute(select(Dossier).where(Dossier.public_id == public_id)).scalar_one_or_none()
    if dossier is None or dossier.agency_id != current_user.agency_id or dossier.is_draft:
        abort(404)
    return slip_response(dossier)


# --- the citizen after submission: supplements, withdrawal, payment, result ----------------

@dossiers_bp.route("/my/dossiers/<code>/supplement", methods=["POST"])
@citizen_required
def send_supplement(code: str):
    """Upload what the one-stop-shop asked for; the clock resumes (or restarts) on sending."""
    dossier = load_own(code)
    if dossier.status != Status.SUPPLEMENT_REQUESTED.value:
        flash(_("No supplement is requested for this dossier now."), "info")
        return redirect(url_for("dossiers.show_my_dossier", code=code))
    errors: dict[str, str] = {}
    for key in dossier.supplement_items:
        error, sent = _attach_sent(dossier, key, key)
        if error or not sent:
            errors[key] = error or _("Attach “%(name)s”.", name=document_name(dossier.procedure_snapshot, key, current_lang()))
    if errors:
        db.session.rollback()
        return _render_my_dossier(dossier_by_code(code), errors=errors, status=422)
    return _citizen_action(
        dossier, "supplement", request.form.get("note", ""),
        _("Your supplement has been sent. The processing time runs again from now."),
    )


def _citizen_action(dossier: Dossier, action: str, note: str, success: str):
    """Take a workflow action for the signed-in citizen and come back to their dossier page."""
    try:
        apply_transition(dossier, action, current_user, public_note=note.strip()[:2000])
        db.session.flush()
    except (TransitionRefused, StaleDataError) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, TransitionRefused) else _("The dossier changed meanwhile; check it again."), "error")
    else:
        flash(success, "success")
    return redirect(url_for("dossiers.show_my_dossier", code=dossier.code))


@dossiers_bp.route("/my/dossiers/<code>/withdraw", methods=["POST"])
@citizen_required
def withdraw(code: str):
    dossier = load_own(code)
    if request.form.get("confirm") != "yes":
        return _render_my_dossier(dossier, errors={"withdraw": _("Tick the box to confirm that you withdraw the dossier.")}, status=422)
    return _citizen_action(dossier, "withdraw", request.form.get("reason", ""), _("Your dossier has been withdrawn."))


@dossiers_bp.route("/my/dossiers/<code>/rating", methods=["POST"])
@citizen_required
def rate(code: str):
    """Satisfaction 1–5 and a comment, once per dossier, after the result was returned."""
    dossier = load_own(code)
    if dossier.status != Status.RETURNED.value:
        flash(_("You can rate the service once the result has been returned."), "info")
        return redirect(url_for("dossiers.show_my_dossier", code=code))
    if dossier.rating is not None:
        flash(_("You have already rated this dossier. Thank you."), "info")
        return redirect(url_for("dossiers.show_my_dossier", code=code))
    score = request.form.get("score", "")
    if score not in {"1", "2", "3", "4", "5"}:
        return _render_my_dossier(dossier, errors={"score": _("Choose from 1 (very dissatisfied) to 5 (very satisfied).")}, status=422)
    dossier.rate(int(score), request.form.get("comment", "").strip()[:2000])
    db.session.flush()
    flash(_("Thank you for your rating."), "success")
    return redirect(url_for("dossiers.show_my_dossier", code=code))


@dossiers_bp.route("/my/dossiers/<code>/pay", methods=["POST"])
@citizen_required
def pay_requested_fee(code: str):
    dossier = load_own(code)
    if dossier.status != Status.PAYMENT_REQUESTED.value:
        flash(_("No payment is requested for this dossier now."), "info")
        return redirect(url_for("dossiers.show_my_dossier", code=code))
    from portal.payments.views import redirect_to_gateway

    return redirect_to_gateway(dossier)


@dossiers_bp.route("/my/dossiers/<code>/result.pdf")
@citizen_required
def download_result(code: str):
    dossier = load_own(code)
    if dossier.result_document is None or dossier.status not in (Status.RETURNED.value, Status.SHIPPED.value):
        abort(404)
    return send_document(dossier.result_document)


def dossier_by_code(code: str) -> Dossier:
    return db.session.execute(select(Dossier).where(Dossier.code == code)).scalar_one()
