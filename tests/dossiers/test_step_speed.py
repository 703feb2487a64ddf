"""A form step under load (issue 19): the register is read when the draft starts, not each
time a step is drawn."""
from __future__ import annotations

import pytest

from portal.registry import EXTENSION_KEY
from tests.dossiers.helpers import current_draft
from tests.statements import statements_sent


class _Counting:
    """The app's register client, counting the people looked up."""

    def __init__(self, inner) -> None:
        self.inner, self.lookups = inner, 0

    def get_person(self, personal_id):
        self.lookups += 1
        return self.inner.get_person(personal_id)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.fixture()
def counting_register(app):
    inner = app.extensions[EXTENSION_KEY]
    counting = app.extensions[EXTENSION_KEY] = _Counting(inner)
    yield counting
    app.extensions[EXTENSION_KEY] = inner


def test_drawing_a_prefilled_step_again_does_not_ask_the_register(app, citizen, citizen_id, person, counting_register):
    citizen.get("/procedures/1.004194/apply")
    assert counting_register.lookups >= 1  # the draft is prefilled from the register once
    dossier = current_draft(app, citizen_id)
    counting_register.lookups = 0
    for _ in range(3):
        page = citizen.get(f"/apply/{dossier.public_id}/steps/applicant")
        assert page.status_code == 200 and person.full_name in page.get_data(as_text=True)
    assert counting_register.lookups == 0


def test_a_step_without_documents_does_not_read_the_attachments(app, citizen, citizen_id):
    """A step of typed answers has nothing attached to show: drawing it reads no attachment (one
    round trip fewer on most steps); the documents step still lists what is attached."""
    citizen.get("/procedures/1.004194/apply")
    dossier = current_draft(app, citizen_id)
    with statements_sent(app) as sent:
        assert citizen.get(f"/apply/{dossier.public_id}/steps/applicant").status_code == 200
    assert sent and not [s.sql for s in sent if "attachments" in s.sql]
    with statements_sent(app) as sent:
        assert citizen.get(f"/apply/{dossier.public_id}/steps/documents").status_code == 200
    assert [s.sql for s in sent if "FROM attachments" in s.sql]
