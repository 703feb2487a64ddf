from __future__ import annotations

import re

import pytest

from portal.registry import get_registry
from tests.conftest import login_citizen, login_officer
from tests.dossiers.helpers import apply_until_check, submitted


class Officer:
    """An officer's browser: signs in, opens dossiers, presses action buttons."""

    def __init__(self, app, username: str) -> None:
        self.client = app.test_client()
        login_officer(self.client, username)

    def page(self, code: str) -> str:
        response = self.client.get(f"/officer/dossiers/{code}")
        assert response.status_code == 200, response.status
        return response.get_data(as_text=True)

    def act(self, code: str, action: str, **form):
        version = re.search(r'name="version" value="(\d+)"', self.page(code))
        data = {"version": version.group(1) if version else "0", **form}
        return self.client.post(f"/officer/dossiers/{code}/actions/{action}", data=data)


@pytest.fixture()
def person(app, citizen_id):
    with app.app_context():
        return get_registry().get_person(citizen_id)


@pytest.fixture()
def citizen(client, citizen_id):
    login_citizen(client, citizen_id)
    return client


@pytest.fixture()
def make_dossier(app, citizen, citizen_id, person):
    """Submit a dossier online as the citizen; returns its code."""

    def make(procedure: str = "1.004194", delivery: str = "online") -> str:
        draft = apply_until_check(app, citizen, procedure, citizen_id, person.spouse_id, delivery=delivery)
        response = citizen.post(f"/apply/{draft.public_id}/submit", data={"payment": "later"})
        if response.status_code == 422 or "/mock-gateway/" in response.headers.get("Location", ""):
            response = citizen.post(f"/apply/{draft.public_id}/submit", data={"payment": "now"})
            gateway = citizen.get(response.headers["Location"]).get_data(as_text=True)
            fields = dict(re.findall(r'name="(reference|amount)" value="([^"]+)"', gateway))
            back = citizen.post("/mock-gateway/pay", data={**fields, "outcome": "success"})
            citizen.get(back.headers["Location"])
        return submitted(app, draft.public_id).code

    return make


@pytest.fixture()
def officers(app):
    return {name: Officer(app, name) for name in ("intake1", "specialist1", "leader1", "intake2")}
