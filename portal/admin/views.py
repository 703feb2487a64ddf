"""Administration pages (``/admin``): procedures, calendar exceptions, officers, agencies and
the audit trail. Administrators only: the whole blueprint is guarded before any view runs, so a
new page cannot forget the check. Views load, check and call :mod:`portal.admin.operations`;
the request commits once.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from portal.admin import operations
from portal.admin.forms import (
    AgencyForm,
    CalendarExceptionForm,
    OfficerCreateForm,
    OfficerEditForm,
    PasswordResetForm,
    ProcedureForm,
    role_labels,
)
from portal.admin.operations import AdminRefusal
from portal.audit.models import AuditEntry
from portal.audit.operations import count_entries, verify_chain
from portal.auth.access import roles_required
from portal.auth.models import OFFICER, User
from portal.catalog.models import Agency, CalendarException, Procedure
from portal.catalog.service import working_calendar
from portal.errors import conflict_page
from portal.extensions import db
from portal.i18n import gettext as _, number
from portal.notifications.national import sync_backlog
from portal.timeutil import utcnow
from portal.workflow import replan

admin_bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PAGE_SIZE = 100


@admin_bp.before_request
@roles_required("admin")
def _admins_only() -> None:
    """Anonymous visitors are sent to the officers' sign-in, other accounts get 403."""


def _actor() -> User:
    return current_user._get_current_object()


def _page(template: str, form: FlaskForm, **context: Any):
    """A form page: 422 when what was sent is refused, so the status says what the page shows."""
    return render_template(template, form=form, **context), 422 if form.errors else 200


def _one_or_404(stmt: Select[Any]) -> Any:
    """The row, locked for the rest of the request when it is about to be changed."""
    if request.method == "POST":
        stmt = stmt.with_for_update()
    row = db.session.execute(stmt).scalar_one_or_none()
    if row is None:
        abort(404)
    return row


def _saved(changed: bool, what: str) -> None:
    if changed:
        flash(_("%(what)s: changes saved.", what=what), "success")
    else:
        flash(_("%(what)s: nothing was changed.", what=what), "info")


@admin_bp.get("/")
def show_index():
    backlog = sync_backlog()
    age = backlog.oldest_age(utcnow())
    return render_template("admin/index.html", backlog=backlog, oldest_age=format_timedelta(age) if age else "")


@admin_bp.get("/procedures")
def list_procedures():
    procedures = db.session.execute(
        select(Procedure).options(joinedload(Procedure.agency)).order_by(Procedure.code)
    ).scalars()
    return render_template("admin/procedures.html", procedures=list(procedures))


@admin_bp.route("/procedures/<code>", methods=["GET", "POST"])
def edit_procedure(code: str):
    procedure = _one_or_404(select(Procedure).where(Procedure.code == code))
    form = ProcedureForm(obj=procedure)
    if form.validate_on_submit():
        _saved(operations.update_procedure(_actor(), procedure, form.data), procedure.code)
        return redirect(url_for("admin.list_procedures"))
    return _page("admin/procedure_edit.html", form, procedure=procedure)


def _calendar_page(form: CalendarExceptionForm):
    exceptions = db.session.execute(
        select(CalendarException).where(CalendarException.deleted_at.is_(None)).order_by(CalendarException.day)
    ).scalars()
    return _page("admin/calendar.html", form, exceptions=list(exceptions))


@admin_bp.get("/calendar")
def list_calendar_exceptions():
    return _calendar_page(CalendarExceptionForm())


@admin_bp.post("/calendar")
def add_calendar_exception():
    form = CalendarExceptionForm()
    if not form.validate():
        return _calendar_page(form)
    operations.add_calendar_exception(_actor(), form.day.data, form.kind.data == "working_day", form.legal_reference.data)
    flash(_("The calendar exception was added. Appointments given from now on use it; appointments already "
            "given keep their date unless you re-plan the open dossiers."), "success")
    return redirect(url_for("admin.preview_replan"))


@admin_bp.post("/calendar/<int:exception_id>/delete")
def delete_calendar_exception(exception_id: int):
    exception = _one_or_404(select(CalendarException).where(
        CalendarException.id == exception_id, CalendarException.deleted_at.is_(None)))
    operations.delete_calendar_exception(_actor(), exception)
    flash(_("The calendar exception was deleted. Appointments given from now on no longer use it; appointments "
            "already given keep their date unless you re-plan the open dossiers."), "success")
    return redirect(url_for("admin.preview_replan"))


@admin_bp.get("/calendar/replan")
def preview_replan():
    """Which open dossiers the calendar standing now would move, and by how much."""
    moves = replan.preview()
    return render_template("admin/replan.html", moves=moves, calendar=working_calendar(),
                           later=[m for m in moves if m.is_later], kept=[m for m in moves if not m.is_later])


@conflict_page("admin.apply_replan")
def _replan_as_it_is_now(**_args: object):
    """A dossier changed while re-planning (nothing was moved): the preview as it is now."""
    return preview_replan()


@admin_bp.post("/calendar/replan")
def apply_replan():
    moved, kept = replan.replan(_actor())
    flash(_("%(moved)s appointments moved later and their citizens notified; %(kept)s kept (a promise is never "
            "moved earlier).", moved=number(len(moved)), kept=number(len(kept))), "success")
    return redirect(url_for("admin.preview_replan"))


@admin_bp.get("/officers")
def list_officers():
    officers = db.session.execute(
        select(User).where(User.kind == OFFICER).options(joinedload(User.agency)).order_by(User.username)
    ).scalars()
    return render_template("admin/officers.html", officers=list(officers), role_labels=role_labels())


@admin_bp.route("/officers/new", methods=["GET", "POST"])
def create_officer():
    form = OfficerCreateForm()
    if form.validate_on_submit():
        officer = operations.create_officer_account(
            _actor(), form.username.data, form.full_name.data, form.role.data, form.agency_id.data, form.password.data
        )
        flash(_("The account %(username)s was created.", username=officer.username), "success")
        return redirect(url_for("admin.list_officers"))
    return _page("admin/officer_new.html", form)


def _officer_or_404(user_id: int) -> User:
    return _one_or_404(select(User).where(User.id == user_id, User.kind == OFFICER))


def _officer_page(
    officer: User,
    form: OfficerEditForm | None = None,
    password_form: PasswordResetForm | None = None,
    error: str | None = None,
):
    """The officer's page with its three forms; the one that was sent keeps what was typed."""
    form = form or OfficerEditForm(obj=officer, formdata=None)
    password_form = password_form or PasswordResetForm(formdata=None)
    status = 422 if form.errors or password_form.errors or error else 200
    page = render_template(
        "admin/officer_edit.html", officer=officer, form=form, password_form=password_form, error=error
    )
    return page, status


@admin_bp.route("/officers/<int:user_id>", methods=["GET", "POST"])
def edit_officer(user_id: int):
    officer = _officer_or_404(user_id)
    form = OfficerEditForm(obj=officer)
    if form.validate_on_submit():
        try:
            changed = operations.update_officer(_actor(), officer, form.role.data, form.agency_id.data)
        except AdminRefusal as refusal:
            form[refusal.field].errors.append(refusal.message)
        else:
            _saved(changed, officer.username)
            return redirect(url_for("admin.list_officers"))
    return _officer_page(officer, form=form)


@admin_bp.post("/officers/<int:user_id>/disable", defaults={"is_enabled": False})
@admin_bp.post("/officers/<int:user_id>/enable", defaults={"is_enabled": True})
def set_officer_status(user_id: int, is_enabled: bool):
    officer = _officer_or_404(user_id)
    try:
        operations.set_officer_enabled(_actor(), officer, is_enabled)
    except AdminRefusal as refusal:
        return _officer_page(officer, error=str(refusal.message))
    if is_enabled:
        flash(_("The account %(username)s is enabled.", username=officer.username), "success")
    else:
        flash(_("The account %(username)s is disabled; it can no longer sign in.", username=officer.username), "success")
    return redirect(url_for("admin.edit_officer", user_id=officer.id))


@admin_bp.post("/officers/<int:user_id>/password")
def reset_officer_password(user_id: int):
    officer = _officer_or_404(user_id)
    password_form = PasswordResetForm()
    if not password_form.validate():
        return _officer_page(officer, password_form=password_form)
    operations.reset_officer_password(_actor(), officer, password_form.password.data)
    flash(_("The password of %(username)s was reset.", username=officer.username), "success")
    return redirect(url_for("admin.edit_officer", user_id=officer.id))


@admin_bp.get("/agencies")
def list_agencies():
    agencies = db.session.execute(select(Agency).order_by(Agency.code)).scalars()
    return render_template("admin/agencies.html", agencies=list(agencies))


@admin_bp.route("/agencies/<code>", methods=["GET", "POST"])
def edit_agency(code: str):
    agency = _one_or_404(select(Agency).where(Agency.code == code))
    form = AgencyForm(obj=agency)
    if form.validate_on_submit():
        _saved(operations.update_agency(_actor(), agency, form.data), agency.code)
        return redirect(url_for("admin.list_agencies"))
    return _page("admin/agency_edit.html", form, agency=agency)


def _audit_page(verification: dict[str, Any] | None = None):
    actions = list(db.session.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars())
    action = request.args.get("action", "")
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE_SIZE)
    if action in actions:
        stmt = stmt.where(AuditEntry.action == action)
    return render_template(
        "admin/audit.html",
        entries=list(db.session.execute(stmt).scalars()),
        actions=actions,
        action=action if action in actions else "",
        total=count_entries(),
        page_size=AUDIT_PAGE_SIZE,
        verification=verification,
    )


@admin_bp.get("/audit")
def list_audit_entries():
    return _audit_page()


@admin_bp.get("/audit/verify")
def verify_audit_trail():
    problems = verify_chain()
    return _audit_page({"count": count_entries(), "problems": [p.describe(_) for p in problems]})
