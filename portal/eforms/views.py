"""JSON helpers for the e-form pages' script (the forms work without it).

- ``GET /eforms/places/<province>/wards`` — the wards of a province, for the address cascade.
- ``GET /eforms/person?personal_id=…`` — name and date of birth of a person in the register,
  shown as the citizen types an ID into a person field. Signed-in users only and rate-limited:
  it answers from the national population database.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_login import login_required

from portal.eforms import places
from portal.eforms.prefill import person_value
from portal.extensions import limiter
from portal.i18n import gettext as _
from portal.registry import get_registry
from portal.registry.client import RegistryUnavailable
from portal.registry.ids import is_valid_personal_id

eforms_bp = Blueprint("eforms", __name__)

# Wards change only with a new administrative reform: let browsers keep the lists a day.
WARDS_MAX_AGE = 24 * 3600


def _error(status: int, message: str):
    return jsonify({"error": message, "status": status}), status


@eforms_bp.get("/eforms/places/<int:province_code>/wards")
def list_wards(province_code: int):
    if not places.is_province(province_code):
        return _error(404, _("There is no province or city with this code."))
    response = jsonify([ward.to_dict() for ward in places.wards_of(province_code)])
    response.cache_control.public = True
    response.cache_control.max_age = WARDS_MAX_AGE
    return response


def person_lookup_rate() -> str:
    return current_app.config["PERSON_LOOKUP_RATE_LIMIT"]


@eforms_bp.get("/eforms/person")
@login_required
@limiter.limit(person_lookup_rate)
def find_person():
    personal_id = request.args.get("personal_id", "").strip()
    if not is_valid_personal_id(personal_id):
        return _error(400, _("Enter a valid personal ID number of 12 digits, like 001090012345"))
    try:
        person = get_registry().get_person(personal_id)
    except RegistryUnavailable:
        return _error(503, _("The national population database is unavailable right now."))
    if person is None:
        return _error(404, _(
            "No one with this personal ID number is in the national population database; "
            "check the number"
        ))
    response = jsonify(person_value(person))
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@eforms_bp.app_template_global("eforms_provinces")
def provinces_for_select() -> tuple[places.Place, ...]:
    return places.provinces()


@eforms_bp.app_template_global("eforms_wards")
def wards_for_select(province_code: int | str | None) -> tuple[places.Place, ...]:
    """The wards of the chosen province (none chosen, or not a province: none)."""
    try:
        return places.wards_of(int(province_code))
    except (TypeError, ValueError):
        return ()
