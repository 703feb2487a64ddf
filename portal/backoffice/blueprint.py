"""The blueprint of the officer's pages (endpoints ``backoffice.*``) and how each page loads a
dossier. Its own module, so the page modules (``views``, ``refunds``, ``result_pages``) need not
import one another: the import contracts keep every page module from importing another's."""
from __future__ import annotations

from flask import Blueprint

from portal.dossiers.access import dossier_or_404, is_agency_officer
from portal.dossiers.models import Dossier

backoffice_bp = Blueprint("backoffice", __name__, url_prefix="/officer")


def load_for_officer(code: str) -> Dossier:
    """The dossier of the signed-in officer's agency, or 404."""
    return dossier_or_404(is_agency_officer, code=code)
