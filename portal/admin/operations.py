"""What administrators change, each change written to the audit trail in the same transaction.

Every verb applies the change, flushes and records an audit entry with the fields' values
before and after (never a password); none commits. A verb that changes nothing records nothing.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from portal.audit.operations import record
from portal.auth.models import User
from portal.auth.operations import create_officer
from portal.catalog.models import DELIVERIES, Agency, CalendarException, Procedure
from portal.catalog.service import forget_working_calendar
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.timeutil import utcnow

# What a dossier's deadline and handling depend on: changing one makes a new procedure
# version (a dossier keeps the version it was submitted under, DESIGN §3). Publishing is not a
# rule: it only shows or hides the procedure in the catalog.
PROCEDURE_RULES = (
    "processing_value",
    "processing_unit",
    "discount_pct",
    "fee_counter",
    "fee_online",
    "supplement_policy",
    "supplement_days",
    "max_extension_days",
    "result_deliveries",
    "allows_pay_later",
)
PROCEDURE_SETTINGS = (*PROCEDURE_RULES, "is_published")
AGENCY_SETTINGS = ("name_vi", "name_en", "address", "province_code", "ward_code")


class AdminRefusal(Exception):
    """The change is refused; ``field`` names the form field the reason belongs to, if any."""

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _apply(obj: object, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set ``values`` on ``obj``; returns the changed fields' old and new values."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            before[name], after[name] = old, value
            setattr(obj, name, value)
    return before, after


def update_procedure(actor: User, procedure: Procedure, values: dict[str, Any]) -> bool:
    """Change a procedure's settings; a changed rule makes a new version. True when changed."""
    values = {name: values[name] for name in PROCEDURE_SETTINGS}
    values["result_deliveries"] = [d for d in DELIVERIES if d in values["result_deliveries"]]
    before, after = _apply(procedure, values)
    if not after:
        return False
    if any(name in after for name in PROCEDURE_RULES):
        before["version"], after["version"] = procedure.version, procedure.version + 1
        procedure.version += 1
    db.session.flush()
    record(actor, "procedure.update", "procedure", procedure.code, {"before": before, "after": after})
    return True


def _exception_values(exception: CalendarException) -> dict[str, Any]:
    return {
        "day": exception.day,
        "is_working_day": exception.is_working_day,
        "legal_reference": exception.legal_reference,
    }


def add_calendar_exception(
    actor: User, day: date, is_working_day: bool, legal_reference: str
) -> CalendarException:
    """Make ``day`` a working day or a day off; administrators' exceptions win over the public
    holidays and the swapped Saturdays (DESIGN §5). Appointments given from now on use it
    (:func:`portal.catalog.service.working_calendar`); those already given keep theirs until an
    administrator re-plans them (``workflow.replan``)."""
    exception = CalendarException(day=day, is_working_day=is_working_day, legal_reference=legal_reference.strip(),
                                  created_at=utcnow())
    db.session.add(exception)
    db.session.flush()
    forget_working_calendar()
    record(actor, "calendar_exception.create", "calendar_exception", day.isoformat(), {"after": _exception_values(exception)})
    return exception


def delete_calendar_exception(actor: User, exception: CalendarException) -> None:
    """Withdraw an exception from now on; its row stays, for the appointments given under it."""
    details = {"before": _exception_values(exception)}
    exception.deleted_at = utcnow()
    db.session.flush()
    forget_working_calendar()
    record(actor, "calendar_exception.delete", "calendar_exception", exception.day.isoformat(), details)


def _agency_code(agency_id: int | None) -> str | None:
    agency = db.session.get(Agency, agency_id) if agency_id is not None else None
    return agency.code if agency else None


def _readable_assignment(values: dict[str, Any]) -> dict[str, Any]:
    """Audit details name the agency by its code, as people know it, not by a row id."""
    readable = dict(values)
    if "agency_id" in readable:
        readable["agency"] = _agency_code(readable.pop("agency_id"))
    return readable


def create_officer_account(
    actor: User, username: str, full_name: str, role: str, agency_id: int, password: str
) -> User:
    officer = create_officer(username.strip(), password, full_name.strip(), role, agency_id)
    record(
        actor,
        "officer.create",
        "user",
        officer.id,
        {"after": _readable_assignment({"username": officer.username, "full_name": officer.full_name, "role": role, "agency_id": agency_id})},
    )
    return officer


def update_officer(actor: User, officer: User, role: str, agency_id: int) -> bool:
    """Change an officer's role or agency. An administrator cannot drop their own admin role
    (the last administrator would lock everyone out of this page)."""
    if officer.id == actor.id and role != "admin":
        raise AdminRefusal(_l("You cannot remove your own administrator role."), field="role")
    before, after = _apply(officer, {"role": role, "agency_id": agency_id})
    if not after:
        return False
    db.session.flush()
    record(
        actor,
        "officer.update",
        "user",
        officer.id,
        {"username": officer.username, "before": _readable_assignment(before), "after": _readable_assignment(after)},
    )
    return True


def set_officer_enabled(actor: User, officer: User, is_enabled: bool) -> bool:
    """Disable or enable an officer's account; a disabled officer is signed out at their next
    request (Flask-Login refuses inactive accounts). Nobody can disable themselves."""
    if officer.id == actor.id and not is_enabled:
        raise AdminRefusal(_l("You cannot disable your own account."))
    before, after = _apply(officer, {"is_enabled": is_enabled})
    if not after:
        return False
    db.session.flush()
    action = "officer.enable" if is_enabled else "officer.disable"
    record(actor, action, "user", officer.id, {"username": officer.username, "before": before, "after": after})
    return True


def reset_officer_password(actor: User, officer: User, password: str) -> None:
    """Set a new password and lift a lockout; the trail says that it happened, not what it is."""
    officer.set_password(password)
    officer.failed_logins = 0
    officer.locked_until = None
    db.session.flush()
    record(actor, "officer.password_reset", "user", officer.id, {"username": officer.username})


def update_agency(actor: User, agency: Agency, values: dict[str, Any]) -> bool:
    before, after = _apply(agency, {name: values[name] for name in AGENCY_SETTINGS})
    if not after:
        return False
    db.session.flush()
    record(actor, "agency.update", "agency", agency.code, {"before": before, "after": after})
    return True
