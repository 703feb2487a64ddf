"""What the citizen sees after a concurrent change of a dossier (409): the page as it is now."""
from __future__ import annotations

from portal.citizen.blueprint import dossiers_bp
from portal.citizen.my_dossiers import render_my_dossier
from portal.citizen.submission import render_check
from portal.dossiers.access import dossier_or_404, is_applicant, may_edit_draft
from portal.errors import conflict_page


@conflict_page(dossiers_bp.name)
def dossier_as_it_is_now(code: str | None = None, public_id: str | None = None, **_args: object):
    """The citizen's dossier page, or the wizard's check page for a draft."""
    if code is not None:
        return render_my_dossier(dossier_or_404(is_applicant, code=code))[0]
    return render_check(dossier_or_404(may_edit_draft, public_id=public_id))[0]
