"""One draft per citizen and procedure (issue 16): "apply" opened in six tabs at the same moment
makes one draft, and every tab lands in it. Real threads on a database of their own (on
PostgreSQL the requests overlap; on SQLite the write lock lines them up)."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.dossiers.models import Dossier
from portal.extensions import db
from tests.reliability.test_duplicates import PARALLEL, at_once, signed_in_citizen


def test_apply_opened_in_six_tabs_at_once_makes_one_draft_every_tab_resumes(fresh_app, citizen_id):
    app = fresh_app("one_draft")
    client, _other = signed_in_citizen(app, citizen_id)
    locations: list[str] = []

    def open_apply(tab):
        response = tab.get("/procedures/1.004222/apply")
        locations.append(response.headers.get("Location", ""))
        return response

    statuses = at_once(client, open_apply)
    assert statuses == [302] * PARALLEL
    with app.app_context():
        drafts = db.session.execute(
            select(Dossier.public_id).where(Dossier.applicant_personal_id == citizen_id, Dossier.status == "draft")
        ).scalars().all()
        assert len(drafts) == 1
        assert db.session.execute(select(func.count()).select_from(Dossier)).scalar_one() == 1
    assert {re.search(r"/apply/(\w+)/", location).group(1) for location in locations} == set(drafts)
    # A tab opened later still resumes that draft.
    assert re.search(r"/apply/(\w+)/", client.get("/procedures/1.004222/apply").headers["Location"]).group(1) == drafts[0]
