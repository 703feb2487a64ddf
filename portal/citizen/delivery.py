"""The wizard's step "Result and fee": how the result comes back, and the fee that follows."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_login import login_required

from portal.citizen.blueprint import DELIVERY_STEP, dossiers_bp, next_step_url, progress
from portal.deadlines import VN_TZ
from portal.dossiers.access import dossier_or_404, may_edit_draft
from portal.dossiers.models import Dossier
from portal.eforms.definitions import Field, Step
from portal.eforms.validation import clean_step
from portal.i18n import current_lang, gettext as _
from portal.submission import operations as ops

POSTAL_ADDRESS = Field(
    key="delivery_address",
    type="address",
    label_vi="Địa chỉ nhận kết quả qua bưu chính",
    label_en="Address for delivery by post",
    hint_vi="Điền sẵn theo nơi thường trú (hoặc nơi ở hiện tại) của bạn trong hồ sơ; bạn có thể sửa.",
    hint_en="Filled in with your permanent residence (or current address) from the dossier; you can change it.",
    required=True,
)
ADDRESS_STEP = Step(key="delivery", title_vi="Nhận kết quả", title_en="Result", fields=(POSTAL_ADDRESS,))


def _default_postal_address(dossier: Dossier) -> tuple[dict[str, Any] | None, str | None]:
    """The address to offer for delivery by post, and where it comes from (for its badge)."""
    if dossier.delivery_address:
        return dossier.delivery_address, None
    profile = dossier.applicant.profile if dossier.applicant else {}
    if profile.get("delivery_address"):
        return profile["delivery_address"], "profile"
    addresses = {key: value for key, value in dossier.answers.items() if isinstance(value, dict) and "ward_code" in value}
    permanent = next((value for key, value in addresses.items() if "permanent" in key), None)
    # Forms that ask no permanent residence (civil status, linked groups) have the applicant's
    # own address from the register.
    return permanent or addresses.get("current_address"), None


@dossiers_bp.route("/apply/<public_id>/delivery", methods=["GET", "POST"])
@login_required
def delivery(public_id: str):
    dossier = dossier_or_404(may_edit_draft, public_id=public_id)
    if not dossier.is_draft:
        return redirect(url_for("dossiers.show_my_dossier", code=dossier.code))
    choices = dossier.procedure_snapshot["result_deliveries"]
    errors: dict[str, str] = {}
    raw: dict[str, Any] = {}
    chosen = dossier.delivery
    if request.method == "POST":
        chosen = request.form.get("delivery")
        is_refresh = bool(request.form.get("refresh"))
        address = None
        if chosen not in choices:
            errors["delivery"] = _("Choose how you want to receive the result.")
        if chosen == "post" or is_refresh:
            checked = clean_step(ADDRESS_STEP, request.form, {}, {}, None)
            raw = checked.raw
            address = checked.values.get(POSTAL_ADDRESS.key)
            if chosen == "post" and checked.errors and not is_refresh:
                errors.update(checked.errors)
        if not errors and not is_refresh:
            ops.set_delivery(dossier, chosen, address)
            return redirect(next_step_url(dossier, DELIVERY_STEP))
    now = datetime.now(VN_TZ)
    lang = current_lang()
    address_value, address_source = _default_postal_address(dossier)
    return (
        render_template(
            "dossiers/delivery.html",
            dossier=dossier,
            choices=choices,
            chosen=chosen,
            estimates={choice: ops.estimate(dossier, now, choice, lang) for choice in choices},
            address_field=POSTAL_ADDRESS,
            address_value=address_value,
            address_source=address_source,
            raw=raw,
            errors=errors,
            fee=ops.fee_for(dossier),
            progress=progress(dossier, DELIVERY_STEP),
        ),
        422 if errors else 200,
    )
