from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, Length

from portal.i18n import lazy_gettext as _l
from portal.registry.ids import InvalidPersonalId, parse_personal_id


def _personal_id_structure(form: FlaskForm, field: StringField) -> None:
    value = (field.data or "").strip()
    field.data = value
    if not value.isdigit() or len(value) != 12:
        raise ValidationError(_l("A personal ID has exactly 12 digits."))
    try:
        parse_personal_id(value)
    except InvalidPersonalId as exc:
        raise ValidationError(_l("This is not a valid personal ID. Check the first digits.")) from exc


class CitizenLoginForm(FlaskForm):
    personal_id = StringField(
        _l("Personal ID number"),
        validators=[DataRequired(_l("Enter your 12-digit personal ID.")), _personal_id_structure],
        description=_l("The 12 digits on your chip-based citizen ID card or in the VNeID app."),
        render_kw={"inputmode": "numeric", "autocomplete": "username", "maxlength": 12},
    )
    password = PasswordField(
        _l("VNeID password"),
        validators=[DataRequired(_l("Enter your VNeID password."))],
        render_kw={"autocomplete": "current-password"},
    )


class OfficerLoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Enter your username.")), Length(max=80, message=_l("Enter at most %(max)d characters."))],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
