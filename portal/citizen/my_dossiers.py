""""My dossiers": the list, one dossier's page, and what the citizen does on it (supplement,
withdrawal, rating)."""
from __future__ import annotations

from datetime import datetime

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from portal.auth.access import citizen_required
from portal.citizen.blueprint import back_to_dossier, dossiers_bp, first_open_step_url
from portal.citizen.linked import my_groups, render_group
from portal.citizen.uploads import problem_message, refused_for_size, sent_documents
from portal.deadlines import VN_TZ
from portal.dossiers.access import applicant_group, dossier_or_404, is_applicant
from portal.dossiers.display import display_value, document_name, step_title
from portal.dossiers.models import Dossier
from portal.dossiers.states import WITHDRAWABLE, Status, status_label
from portal.extensions import db
from portal.i18n import current_lang, gettext as _
from portal.submission import operations as ops
from portal.workflow import clock
from portal.workflow.linked import public_note, waiting_note
from portal.workflow.transitions import TransitionRefused, apply_transition


@dossiers_bp.route("/my/dossiers/<code>/submitted")
@citizen_required
def confirmation(code: str):
    group = applicant_group(code, current_user)
    if group is not None:
        return render_group(group, "dossiers/group_confirmation.html")
    return render_template("dossiers/confirmation.html", dossier=dossier_or_404(is_applicant, code=code))


@dossiers_bp.route("/my/dossiers")
@citizen_required
def list_my_dossiers():
    dossiers = list(db.session.execute(
        select(Dossier)
        .where(Dossier.applicant_personal_id == current_user.personal_id)
        .where((Dossier.status != Status.DRAFT.value) | (Dossier.applicant_user_id == current_user.id))
        .order_by(Dossier.updated_at.desc(), Dossier.id.desc())
    ).scalars())
    groups = my_groups(current_user.personal_id)
    in_groups = {c.dossier_id for g in groups for c in g.components}
    return render_template(
        "dossiers/my_list.html",
        drafts=[d for d in dossiers if d.is_draft],
        submitted=[d for d in dossiers if not d.is_draft and d.id not in in_groups],
        groups=groups,
        status_label=status_label,
        first_open_step_url=first_open_step_url,
    )


@dossiers_bp.route("/my/dossiers/<code>")
@citizen_required
def show_my_dossier(code: str):
    """A dossier, or a linked dossier by its group code (every component on one page)."""
    group = applicant_group(code, current_user)
    if group is not None:
        return render_group(group)
    return render_my_dossier(dossier_or_404(is_applicant, code=code))


def render_my_dossier(dossier: Dossier, *, errors: dict[str, str] | None = None, status: int = 200):
    return (
        render_template(
            "dossiers/my_detail.html",
            dossier=dossier,
            definition=dossier.form_definition,
            deadline=clock.deadline(dossier, now=datetime.now(VN_TZ), lang=current_lang()),
            display_value=display_value,
            step_title=step_title,
            document_name=document_name,
            status_label=status_label,
            attachments_by_key=dossier.attachments_by_key(),
            reusable={key: ops.reusable_documents(dossier, key) for key in dossier.supplement_items},
            can_withdraw=Status(dossier.status) in WITHDRAWABLE,
            waiting=waiting_note(dossier, current_lang()),
            public_note=public_note,
            errors=errors or {},
        ),
        status,
    )


@dossiers_bp.route("/my/dossiers/<code>/supplement", methods=["POST"])
@citizen_required
def send_supplement(code: str):
    """Send what the one-stop-shop asked for; the clock resumes (or restarts) on sending."""
    dossier = dossier_or_404(is_applicant, code=code, lock=True)
    if dossier.status != Status.SUPPLEMENT_REQUESTED.value:
        return back_to_dossier(code, _("No supplement is requested for this dossier now."))
    too_large = refused_for_size(list(dossier.supplement_items))
    if too_large:
        return render_my_dossier(dossier, errors=too_large, status=413)
    lang = current_lang()
    sent = {key: sent_documents(key) for key in dossier.supplement_items}
    try:
        problems = ops.send_supplement(dossier, current_user, sent, request.form.get("note", "").strip()[:2000])
    except TransitionRefused as exc:
        return back_to_dossier(code, str(exc), "error")
    if problems:
        errors = {
            key: problem_message(problem, document_name(dossier.procedure_snapshot, key, lang), sent[key])
            for key, problem in problems.items()
        }
        return render_my_dossier(dossier, errors=errors, status=422)
    return back_to_dossier(code, _("Your supplement has been sent. The processing time runs again from now."), "success")


@dossiers_bp.route("/my/dossiers/<code>/withdraw", methods=["POST"])
@citizen_required
def withdraw(code: str):
    dossier = dossier_or_404(is_applicant, code=code, lock=True)
    if request.form.get("confirm") != "yes":
        return render_my_dossier(dossier, errors={"withdraw": _("Tick the box to confirm that you withdraw the dossier.")}, status=422)
    try:
        apply_transition(dossier, "withdraw", current_user, public_note=request.form.get("reason", "").strip()[:2000])
    except TransitionRefused as exc:
        return back_to_dossier(code, str(exc), "error")
    return back_to_dossier(code, _("Your dossier has been withdrawn."), "success")


@dossiers_bp.route("/my/dossiers/<code>/rating", methods=["POST"])
@citizen_required
def rate(code: str):
    """Satisfaction 1–5 and a comment, once per dossier, after the result was returned."""
    dossier = dossier_or_404(is_applicant, code=code)
    if dossier.status != Status.RETURNED.value:
        return back_to_dossier(code, _("You can rate the service once the result has been returned."))
    if dossier.rating is not None:
        return back_to_dossier(code, _("You have already rated this dossier. Thank you."))
    score = request.form.get("score", "")
    if score not in {"1", "2", "3", "4", "5"}:
        return render_my_dossier(dossier, errors={"score": _("Choose from 1 (very dissatisfied) to 5 (very satisfied).")}, status=422)
    dossier.rate(int(score), request.form.get("comment", "").strip()[:2000])
    db.session.flush()
    return back_to_dossier(code, _("Thank you for your rating."), "success")
