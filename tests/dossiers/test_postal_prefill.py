"""The postal address offered for the result (issue 21 tour): a procedure that asks no permanent
residence (birth registration, linked groups) offers the applicant's own address from the
register, not empty fields under a hint that says it is filled in."""
from __future__ import annotations

import re

from tests.conftest import login_citizen
from tests.dossiers.helpers import current_draft, fill_all_steps


def test_a_birth_registration_offers_the_applicants_address_for_the_post(app, client, citizen_id, person):
    login_citizen(client, citizen_id)
    client.get("/procedures/1.001193/apply")
    draft = current_draft(app, citizen_id)
    fill_all_steps(app, client, draft, person.spouse_id)
    page = client.get(f"/apply/{draft.public_id}/delivery").get_data(as_text=True)
    address = current_draft(app, citizen_id).answers["current_address"]
    street = re.search(r'name="delivery_address-street"[^>]*value="([^"]*)"', page)
    assert street and street.group(1) == address["street"]
    assert re.search(rf'<option value="{address["province_code"]}"[^>]*selected', page)
