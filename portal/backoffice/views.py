"""Officer pages: queues, the dossier page and its actions, slips.

Handlers: load (404 for another agency's dossier) → check the action with the workflow →
act; a stale form (someone else changed the dossier) is refused with the fresh state.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.access import roles_required
from portal.auth.models import ROLES, User
from portal.backoffice.blueprint import backoffice_bp, load_for_officer
from portal.backoffice.operations import add_note as add_internal_note
from portal.backoffice.operations import remember_queue_filters, remembered_queue_filters
from portal.backoffice.queues import (
    COUNT_CAP,
    DEADLINE_STATES,
    QUEUES,
    Filters,
    Queue,
    counts,
    intake_wait,
    landing_queue,
    page_of,
    queues_for,
    specialists_with_workload,
)
from portal.backoffice.rows import INTAKE_NORM_MINUTES
from portal.catalog.service import procedure_names
from portal.deadlines import VN_TZ
from portal.dossiers.access import attachment_or_404
from portal.dossiers.display import display_value, document_name, step_title
from portal.dossiers.models import Dossier
from portal.dossiers.states import DEADLINE_LABELS, Status, status_label
from portal.errors import conflict_page
from portal.extensions import db
from portal.i18n import current_lang, day, gettext as _
from portal.responses import pdf_response, send_document, slip_response
from portal.security import page_count, page_number, parse_number
from portal.paperwork import PaperworkError, render_slip07, slip07_csv
from portal.timeutil import parse_day, parse_local_datetime
from portal.workflow import clock
from portal.workflow.limits import is_supplement_late, latest_extension
from portal.workflow.linked import awaited
from portal.workflow.slips import build_register
from portal.workflow.transitions import TRANSITIONS, TransitionRefused, apply_transition, available_actions

# backoffice/_deadline_cell.html's words, translated where they are drawn.
backoffice_bp.add_app_template_global(DEADLINE_LABELS, "deadline_labels")


def _counted_queues() -> list[Queue]:
    """The officer's queues the navigation counts ("all" is not counted)."""
    return [q for q in queues_for(current_user) if q.key != "all"]


def _navigation_counts() -> dict[str, int]:
    """The sizes of the officer's queues, counted once per request: the navigation shows them
    twice (the bar and the phone menu) and an unfiltered queue's page reuses its own."""
    if "queue_counts" not in g:
        g.queue_counts = counts(_counted_queues(), current_user)
    return g.queue_counts


@backoffice_bp.app_context_processor
def _queue_counts() -> dict[str, Any]:
    def queue_counts() -> list[tuple[Any, int]]:
        if not (current_user.is_authenticated and current_user.is_officer and current_user.role in ROLES):
            return []
        sizes = _navigation_counts()
        return [(q, sizes[q.key]) for q in _counted_queues()]

    return {"officer_queue_counts": queue_counts}


@backoffice_bp.route("/")
@roles_required(*ROLES)
def home():
    """Where an officer lands: the administrator on the administration, the others on the first
    queue of their role that has work."""
    if current_user.role == "admin":
        return redirect(url_for("admin.show_index"))
    return redirect(url_for("backoffice.show_queue", key=landing_queue(current_user).key))


def _filter_labels() -> dict[str, dict[str, str]]:
    return {
        "channel": {"online": _("Online"), "counter": _("At the counter"), "post": _("By post")},
        "deadline": {state: str(DEADLINE_LABELS[state]) for state in DEADLINE_STATES},
    }


def _filter_summary(filters: Filters, procedures: list[Any], labels: dict[str, dict[str, str]]) -> list[str]:
    """The filters set, in words, to say above the list that it is filtered (``labels``: the
    filters' values in words, :func:`_filter_labels`)."""
    lang = current_lang()
    names = {p.code: p.name(lang) for p in procedures}
    words = [
        names.get(filters.procedure, filters.procedure),
        status_label(filters.status) if filters.status else "",
        labels["channel"].get(filters.channel, ""),
        labels["deadline"].get(filters.deadline, ""),
        _("submitted from %(day)s", day=day(filters.date_from)) if filters.date_from else "",
        _("submitted until %(day)s", day=day(filters.date_to)) if filters.date_to else "",
    ]
    return [w for w in words if w]


@backoffice_bp.route("/queues/<key>")
@roles_required(*ROLES)
def show_queue(key: str):
    queue = QUEUES.get(key)
    if queue is None or queue not in queues_for(current_user):
        abort(404)
    # The filter form sends every filter (empty for "all"): that replaces what was remembered.
    if any(name in request.args for name in Filters.NAMES):
        filters = Filters.from_args(request.args)
        remember_queue_filters(current_user, key, filters.as_args())
    else:
        filters = Filters.from_args(remembered_queue_filters(current_user, key))
    size = 20
    # The list's links reach the page holding its COUNT_CAP-th dossier: an address past it shows that page.
    page = page_number(request.args.get("page"), page_count(COUNT_CAP, size))
    known = None
    if queue.key != "all" and not filters.as_args():  # the navigation counts this queue anyway
        known = _navigation_counts().get(queue.key)
    lang = current_lang()
    rows, total = page_of(queue, current_user, filters, page, size, now=datetime.now(VN_TZ), lang=lang,
                          known_total=known)
    procedures = procedure_names(current_user.agency_id)
    labels = _filter_labels()
    return render_template(
        "backoffice/queue.html",
        queue=queue,
        rows=rows,
        total=min(total, COUNT_CAP),
        is_total_capped=total > COUNT_CAP,
        page=page,
        pages=page_count(min(total, COUNT_CAP), size),
        filters=filters,
        procedures=procedures,
        shown=_filter_summary(filters, procedures, labels),
        labels=labels,
        statuses=[s for s in Status if s in queue.statuses],
        deadline_states=DEADLINE_STATES,
        status_label=status_label,
        page_url=lambda n: url_for("backoffice.show_queue", key=key, **filters.as_args(), page=n),
        clear_url=url_for("backoffice.show_queue", key=key, procedure=""),
    )


# --- the dossier page ------------------------------------------------------------------------

def render_dossier(dossier: Dossier, *, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                   status: int = 200):
    now = datetime.now(VN_TZ)
    lang = current_lang()
    return (
        render_template(
            "backoffice/dossier.html",
            dossier=dossier,
            definition=dossier.form_definition,
            deadline=clock.deadline(dossier, now=now, lang=lang),
            waiting_minutes=intake_wait(dossier, now),
            waits_for=awaited(dossier),
            intake_norm=INTAKE_NORM_MINUTES,
            actions=available_actions(dossier, current_user),
            specialists=specialists_with_workload(current_user),
            latest_extension=latest_extension(dossier),
            supplement_is_late=is_supplement_late(dossier, now),
            errors=errors or {},
            values=values or {},
            display_value=display_value,
            step_title=step_title,
            document_name=document_name,
            status_label=status_label,
            attachments_by_key=dossier.attachments_by_key(),
        ),
        status,
    )



@backoffice_bp.route("/dossiers/<code>")
@roles_required(*ROLES)
def show_dossier(code: str):
    return render_dossier(load_for_officer(code))


@conflict_page(backoffice_bp.name)
def _dossier_as_it_is_now(code: str | None = None, **_args: object):
    """After a concurrent change (409): the officer's dossier page as it is now."""
    if code is None:
        return redirect(url_for("backoffice.home"))
    return render_dossier(load_for_officer(code))[0]


@backoffice_bp.route("/dossiers/<code>/notes", methods=["POST"])
@roles_required(*ROLES)
def add_note(code: str):
    dossier = load_for_officer(code)
    text = request.form.get("text", "").strip()
    if not text:
        return render_dossier(dossier, errors={"note": _("Write the note first.")}, status=422)
    add_internal_note(dossier, current_user, text[:4000])
    flash(_("Note added."), "success")
    return redirect(url_for("backoffice.show_dossier", code=code) + "#notes")


def _params(name: str, dossier: Dossier) -> tuple[dict[str, Any], dict[str, str]]:
    """The action's inputs from the form, and errors for those that cannot be read."""
    form = request.form
    params: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if name == "request_supplement":
        keys = {d["key"] for d in dossier.procedure_snapshot["required_documents"]}
        params["items"] = [k for k in form.getlist("items") if k in keys]
    elif name == "assign":
        assignee_id = parse_number(form.get("assignee"))
        params["assignee"] = db.session.get(User, assignee_id) if assignee_id is not None else None
    elif name == "propose_result":
        params["is_refusal"] = form.get("is_refusal") == "1"
    elif name == "propose_extension":
        params["new_due_at"] = parse_local_datetime(form.get("new_due_at"))
        if params["new_due_at"] is None:
            errors[name] = _("Give the new appointment as a date and time, between the years 2000 and 2100.")
    elif name == "request_payment":
        amount = parse_number(form.get("amount", "").replace(".", "").strip())
        if not amount:
            errors[name] = _("Give the amount to pay in đồng.")
        else:
            params["amount"] = amount
    return params, errors


@backoffice_bp.route("/dossiers/<code>/actions/<name>", methods=["POST"])
@roles_required(*ROLES)
def act(code: str, name: str):
    dossier = load_for_officer(code)
    if name not in TRANSITIONS or name == "submit":
        abort(404)
    values = {name: request.form.to_dict()}
    if request.form.get("version", type=int) != dossier.version:
        flash(_("The dossier has been updated by someone else. Here is its current state; check it and try again."), "error")
        return render_dossier(dossier, values=values, status=409)
    params, errors = _params(name, dossier)
    if errors:
        return render_dossier(dossier, errors=errors, values=values, status=422)
    note = request.form.get("note", "").strip()[:4000]
    notes = {"internal_note": note} if name == "propose_result" else {"public_note": note}
    if name == "ship":
        params["tracking_number"] = request.form.get("tracking_number", "")
    try:
        apply_transition(dossier, name, current_user, **notes, **params)
    except TransitionRefused as exc:
        return render_dossier(dossier, errors={name: str(exc)}, values=values, status=422)
    flash(_("Done: %(action)s.", action=TRANSITIONS[name].label), "success")
    if name == "ship":
        flash(_("Write the tracking number %(number)s on the envelope.", number=dossier.postal_tracking_number), "info")
    return redirect(url_for("backoffice.show_dossier", code=code))


@backoffice_bp.route("/dossiers/<code>/attachments/<int:attachment_id>")
@roles_required(*ROLES)
def download_attachment(code: str, attachment_id: int):
    return send_document(attachment_or_404(load_for_officer(code), attachment_id).document)


@backoffice_bp.route("/dossiers/<code>/result.pdf")
@roles_required(*ROLES)
def download_result(code: str):
    dossier = load_for_officer(code)
    if dossier.result_document is None:
        abort(404)
    return send_document(dossier.result_document)


@backoffice_bp.route("/dossiers/<code>/slips/<any('01','02','03','04','05','06'):number>.pdf")
@roles_required(*ROLES)
def download_slip(code: str, number: str):
    return slip_response(load_for_officer(code), number)


@backoffice_bp.route("/register")
@roles_required(*ROLES)
def dossier_register():
    """Slip 07, the dossier register of the officer's agency for a period, as PDF or CSV."""
    today = datetime.now(VN_TZ).date()
    period_from = parse_day(request.args["from"]) if request.args.get("from") else today - timedelta(days=30)
    period_to = parse_day(request.args["to"]) if request.args.get("to") else today
    if period_from is None or period_to is None:
        abort(400, _("Dates are written YYYY-MM-DD, between the years 2000 and 2100."))
    if period_to < period_from:
        abort(400, _("The end of the period is before its start."))
    lang = current_lang()
    register = build_register(current_user.agency, period_from, period_to, lang)
    if request.args.get("format") == "csv":
        response = make_response(slip07_csv(register, lang))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
        response.headers["Content-Disposition"] = f'attachment; filename="so-theo-doi-{period_from}-{period_to}.csv"'
        return response
    try:
        pdf = render_slip07(register, lang)
    except PaperworkError:
        abort(503, _("The register could not be generated just now; try again in a minute."))
    return pdf_response(pdf, f"so-theo-doi-{period_from}-{period_to}.pdf", is_inline=True)
