"""Starting an application and filling in the e-form, one step a page."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.auth.access import citizen_required
from portal.catalog.service import get_procedure
from portal.citizen.blueprint import CHECK_STEP, dossiers_bp, first_open_step_url, next_step_url, progress
from portal.citizen.photos import act_on_pages, add_pages, are_pages, pending
from portal.citizen.uploads import problem_message, refused_for_size, sent_documents
from portal.dossiers.access import dossier_or_404, may_edit_draft
from portal.dossiers.models import Dossier
from portal.eforms.definitions import Step
from portal.eforms.validation import clean_step
from portal.i18n import current_lang, gettext as _
from portal.security import parse_number
from portal.submission import operations as ops
from portal.submission.reuse import origins


def render_step(dossier: Dossier, step: Step, *, raw=None, errors=None, status=200):
    reusable = {f.key: ops.reusable_documents(dossier, f.document) for f in step.fields if f.type == "file"}
    # Only a step with documents shows what is attached: the others do not read the attachments.
    attached = dossier.attachments_by_key() if reusable else {}
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
            reusable=reusable,
            pages=pending(dossier, step),
            origins={key: origin for docs in reusable.values() for key, origin in origins(docs, dossier).items()},
            attachments_by_key=attached,
        ),
        status,
    )


def _attach_files(dossier: Dossier, step: Step) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field in step.fields_to_show(dossier.answers):
        if field.type == "file":
            sent = sent_documents(field.key)
            if are_pages(sent.uploads):  # photos of one paper: pages to put in order first
                problem, refused = add_pages(dossier, field, sent.uploads)
                sent = ops.SentDocuments(stored_ids=sent.stored_ids)
                problem = ops.attach_sent(dossier, field.document, sent) or problem
                sent = ops.SentDocuments(stored_ids=sent.stored_ids, uploads=refused)
            else:
                problem = ops.attach_sent(dossier, field.document, sent)
            if problem:
                errors[field.key] = problem_message(problem, field.label(current_lang()), sent)
    return errors


def _missing_documents(dossier: Dossier, step: Step) -> dict[str, str]:
    attached = {a.document_key for a in dossier.attachments}
    return {
        f.key: _("Attach “%(name)s”.", name=f.label(current_lang()))
        for f in step.fields
        if f.type == "file" and f.required and f.document not in attached and f.is_visible(dossier.answers)
    }


@dossiers_bp.route("/procedures/<code>/apply")
@citizen_required
def start_application(code: str):
    procedure = get_procedure(code)
    if procedure is None:
        abort(404)
    draft, is_new = ops.open_draft(procedure, current_user.personal_id, citizen=current_user)
    if not is_new:
        flash(_("You had started this procedure before: your draft is kept, continue where you left off."), "info")
    return redirect(first_open_step_url(draft))


@dossiers_bp.route("/apply/<public_id>/steps/<step_key>", methods=["GET", "POST"])
@login_required
def edit_step(public_id: str, step_key: str):
    dossier = dossier_or_404(may_edit_draft, public_id=public_id)
    if not dossier.is_draft:
        return redirect(url_for("dossiers.show_my_dossier", code=dossier.code))
    step = next((s for s in dossier.form_definition.steps if s.key == step_key), None)
    if step is None:
        abort(404)
    if request.method == "GET":
        return render_step(dossier, step)
    too_large = refused_for_size([f.key for f in step.fields_to_show(dossier.answers) if f.type == "file"]
                                 or [f.key for f in step.fields[:1]])
    if too_large:  # the files were thrown away unread: the step again, with what was typed
        preview = clean_step(step, request.form, dossier.answers, dossier.locked, None)
        return render_step(dossier, step, raw=preview.raw, errors=too_large, status=413)
    page_action = next(((f, request.form[f"pages-{f.key}"]) for f in step.fields
                        if f.type == "file" and f"pages-{f.key}" in request.form), None)
    if page_action is not None:
        field, action = page_action
        typed = ops.save_step(dossier, step, request.form, by_officer=current_user.is_officer, keep_valid=True)
        problem = act_on_pages(dossier, field, action)
        if problem:
            errors = {field.key: problem_message(problem, field.label(current_lang()), ops.SentDocuments())}
            return render_step(dossier, step, raw=typed.raw, errors=errors, status=422)
        return redirect(url_for("dossiers.edit_step", public_id=public_id, step_key=step_key) + f"#{field.key}")
    if "remove" in request.form:
        attachment_id = parse_number(request.form.get("remove"))
        if attachment_id is not None:
            ops.detach(dossier, attachment_id)
        return redirect(url_for("dossiers.edit_step", public_id=public_id, step_key=step_key))
    file_errors = _attach_files(dossier, step)
    if request.form.get("refresh"):
        preview = clean_step(step, request.form, dossier.answers, dossier.locked, None)
        return render_step(dossier, step, raw=preview.raw)
    result = ops.save_step(dossier, step, request.form, by_officer=current_user.is_officer)
    waiting = pending(dossier, step)
    if waiting and not result.errors and not file_errors:  # the pages come first: order them, make the PDF
        return redirect(url_for("dossiers.edit_step", public_id=public_id, step_key=step_key) + f"#{next(iter(waiting))}")
    errors = {**result.errors, **file_errors}
    if not result.errors:
        errors.update({k: v for k, v in _missing_documents(dossier, step).items() if k not in errors})
    if errors:
        return render_step(dossier, step, raw=result.raw, errors=errors, status=422)
    if request.form.get("return_to") == CHECK_STEP:
        return redirect(url_for("dossiers.check_answers", public_id=public_id))
    return redirect(next_step_url(dossier, step.key))
