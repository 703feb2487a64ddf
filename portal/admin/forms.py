"""Administration forms. Every message is the administrator's own, never WTForms' generic text."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, StopValidation
from wtforms.widgets import CheckboxInput

from portal.auth.models import User
from portal.catalog.models import CalendarException
from portal.catalog.service import MAX_DISCOUNT_PCT, MAX_LIMIT_DAYS, list_agencies
from portal.eforms.places import provinces, wards_of
from portal.extensions import db
from portal.i18n import current_lang, lazy_gettext as _l
from portal.timeutil import SERVICE_YEARS

MIN_PASSWORD_LENGTH = 10
MAX_PROCESSING_VALUE = 365


def role_labels() -> dict[str, Any]:
    return {
        "intake": _l("One-stop officer"),
        "specialist": _l("Specialist"),
        "leader": _l("Leader"),
        "admin": _l("Administrator"),
    }


def _readable(_form: FlaskForm, field: Any) -> None:
    """Stop at the field's own "cannot read this" message instead of piling range errors on it."""
    if field.process_errors:
        raise StopValidation()


def _at_most(length: int) -> Length:
    return Length(max=length, message=_l("Enter at most %(max)d characters."))


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _int_or_none(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


_GROUPING = str.maketrans("", "", "., ₫")


class MoneyField(IntegerField):
    """An amount in đồng, typed as Vietnamese write it ("15.000") or plainly ("15000")."""

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata([v.translate(_GROUPING) for v in valuelist])


def _password_field(label: Any) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(min=MIN_PASSWORD_LENGTH, message=_l("The password must have at least %(min)d characters.")),
        ],
        description=_l("At least %(min)d characters. Give it to the officer in person.", min=MIN_PASSWORD_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )


def _working_days_field(label: Any, description: Any) -> IntegerField:
    """A number of working days a procedure may set, or leave empty for the portal's default."""
    return IntegerField(
        label,
        validators=[
            _readable, Optional(),
            NumberRange(min=1, max=MAX_LIMIT_DAYS, message=_l("Enter a number of working days from %(min)d to %(max)d.")),
        ],
        invalid_value_message=_l("Enter a whole number of working days, for example 10, or leave it empty."),
        description=description,
        render_kw={"inputmode": "numeric"},
    )


def _fee_field(label: Any) -> MoneyField:
    return MoneyField(
        label,
        validators=[_readable, NumberRange(min=0, message=_l("The fee cannot be negative."))],
        invalid_value_message=_l("Enter the fee in đồng as a whole number, for example 15000."),
        description=_l("In đồng; 0 when the procedure is free."),
        render_kw={"inputmode": "numeric"},
    )


class ProcedureForm(FlaskForm):
    """The rules of a procedure an administrator may change (DESIGN §3, §5)."""

    processing_value = IntegerField(
        _l("Processing time"),
        validators=[
            _readable,
            NumberRange(min=1, max=MAX_PROCESSING_VALUE, message=_l("Enter a processing time from %(min)d to %(max)d.")),
        ],
        invalid_value_message=_l("Enter the processing time as a whole number, for example 3."),
        render_kw={"inputmode": "numeric"},
    )
    processing_unit = SelectField(
        _l("Unit of the processing time"),
        choices=[
            SelectChoice("working_days", _l("Working days")),
            SelectChoice("working_hours", _l("Working hours")),
            SelectChoice("same_day", _l("Same working day")),
        ],
        invalid_choice_message=_l("Choose the unit of the processing time."),
    )
    discount_pct = IntegerField(
        _l("Online discount (%)"),
        validators=[
            _readable,
            NumberRange(min=0, max=MAX_DISCOUNT_PCT, message=_l("The online discount must be from %(min)d to %(max)d %%.")),
        ],
        invalid_value_message=_l("Enter the online discount as a whole number of percent, for example 10."),
        description=_l(
            "How much earlier than the legal time a dossier submitted online and returned online is due: 0 to 20 %."
        ),
        render_kw={"inputmode": "numeric"},
    )
    fee_counter = _fee_field(_l("Fee at the counter"))
    fee_online = _fee_field(_l("Fee online"))
    supplement_policy = RadioField(
        _l("When the citizen supplements the dossier"),
        choices=[
            SelectChoice("pause", _l("The clock resumes: the paused time is added to the due time")),
            SelectChoice("restart", _l("The clock restarts: a full new processing time")),
        ],
        invalid_choice_message=_l("Choose what happens to the clock after a supplement."),
    )
    supplement_days = _working_days_field(
        _l("Time limit to supplement (working days)"),
        _l("How long the citizen has to send what a supplement request (slip 02) asks for, as the procedure's "
           "legal text sets it. Empty: the portal's default."),
    )
    max_extension_days = _working_days_field(
        _l("Longest extension (working days)"),
        _l("How far after the current appointment an apology and new appointment (slip 04) may go. "
           "Empty: the portal's default."),
    )
    result_deliveries = SelectMultipleField(
        _l("Ways to return the result"),
        choices=[
            SelectChoice("online", _l("Online, on the public service portal")),
            SelectChoice("post", _l("By public postal service")),
            SelectChoice("counter", _l("At the counter of the agency")),
        ],
        invalid_choice_message=_l("Choose among the listed ways to return the result."),
        option_widget=CheckboxInput(),
    )
    allows_pay_later = BooleanField(_l("The fee may be paid when the result is returned"))
    is_published = BooleanField(_l("Published in the catalog"))

    def validate_processing_value(self, field: IntegerField) -> None:
        if self.processing_unit.data == "same_day" and field.data != 1:
            raise ValidationError(_l("A same-day procedure has a processing time of 1."))

    def validate_result_deliveries(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one way to return the result."))


class CalendarExceptionForm(FlaskForm):
    day = DateField(
        _l("Date"),
        validators=[_readable, DataRequired(_l("Enter the date."))],
        invalid_value_message=_l("Enter a real date, for example 02/09/2026."),
    )
    kind = RadioField(
        _l("This day is"),
        choices=[SelectChoice("day_off", _l("A day off")), SelectChoice("working_day", _l("A working day"))],
        invalid_choice_message=_l("Choose whether the day is a day off or a working day."),
    )
    legal_reference = TextAreaField(
        _l("Legal reference"),
        validators=[
            DataRequired(_l("Enter the legal reference of the change.")),
            _at_most(500),
        ],
        description=_l("The document that decides the change: its number, date and issuing body."),
        filters=[_strip],
        render_kw={"rows": 2},
    )

    def validate_day(self, field: DateField) -> None:
        if field.data.year not in SERVICE_YEARS:
            raise ValidationError(_l("Enter a date from 2000 to 2100."))
        exists = db.session.execute(
            select(CalendarException.id).where(CalendarException.day == field.data, CalendarException.deleted_at.is_(None))
        ).first()
        if exists:
            raise ValidationError(_l("This date already has an exception. Delete it first to change it."))


def _agency_field() -> SelectField:
    return SelectField(
        _l("Agency"),
        coerce=_int_or_none,
        invalid_choice_message=_l("Choose the officer's agency."),
        invalid_value_message=_l("Choose the officer's agency."),
    )


def _role_field() -> SelectField:
    return SelectField(
        _l("Role"),
        choices=[SelectChoice(role, label) for role, label in role_labels().items()],
        invalid_choice_message=_l("Choose the officer's role."),
    )


class _AgencyChoices:
    """Officer forms list the agencies, named in the page's language."""

    agency_id: SelectField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = current_lang()
        self.agency_id.choices = [SelectChoice(str(a.id), f"{a.code} – {a.name(lang)}") for a in list_agencies()]


class OfficerCreateForm(_AgencyChoices, FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter a username.")),
            Length(min=3, max=80, message=_l("A username has %(min)d to %(max)d characters.")),
            Regexp(r"^[a-z0-9._-]+$", message=_l("Use lower-case letters, digits, dots, hyphens or underscores.")),
        ],
        filters=[_strip, _lower],
        description=_l("Lower-case letters, digits, dots, hyphens or underscores; what the officer signs in with."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter the officer's full name.")), _at_most(255)],
        filters=[_strip],
    )
    role = _role_field()
    agency_id = _agency_field()
    password = _password_field(_l("Initial password"))

    def validate_username(self, field: StringField) -> None:
        taken = db.session.execute(
            select(User.id).where(func.lower(User.username) == field.data)
        ).first()
        if taken:
            raise ValidationError(_l("This username is already taken."))


class OfficerEditForm(_AgencyChoices, FlaskForm):
    role = _role_field()
    agency_id = _agency_field()


class PasswordResetForm(FlaskForm):
    password = _password_field(_l("New password"))


class AgencyForm(FlaskForm):
    name_vi = StringField(
        _l("Name in Vietnamese"),
        validators=[DataRequired(_l("Enter the name in Vietnamese.")), _at_most(255)],
        filters=[_strip],
    )
    name_en = StringField(
        _l("Name in English"),
        validators=[DataRequired(_l("Enter the name in English.")), _at_most(255)],
        filters=[_strip],
    )
    address = StringField(
        _l("Address"),
        validators=[DataRequired(_l("Enter the address.")), _at_most(500)],
        filters=[_strip],
    )
    province_code = SelectField(
        _l("Province or city"),
        coerce=_int_or_none,
        invalid_choice_message=_l("Choose the province or city."),
        invalid_value_message=_l("Choose the province or city."),
    )
    ward_code = SelectField(
        _l("Ward or commune"),
        coerce=_int_or_none,
        invalid_choice_message=_l("Choose a ward or commune of this province, or none."),
        invalid_value_message=_l("Choose a ward or commune of this province, or none."),
        description=_l("After changing the province, save once to list its wards."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.province_code.choices = [SelectChoice(str(p.code), p.name) for p in provinces()]
        self.ward_code.choices = [SelectChoice("", _l("None"))] + [
            SelectChoice(str(w.code), w.name) for w in wards_of(self.province_code.data or 0)
        ]
