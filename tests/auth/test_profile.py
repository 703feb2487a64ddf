from __future__ import annotations

from portal.registry import get_registry
from portal.registry.client import FailingRegistryClient
from tests.conftest import login_citizen, login_officer


def test_profile_shows_what_the_register_knows(app, client, citizen_id):
    with app.app_context():
        person = get_registry().get_person(citizen_id)
        spouse = get_registry().get_person(person.spouse_id)
    login_citizen(client, citizen_id)
    page = client.get("/my/profile").get_data(as_text=True)
    assert "Từ CSDL quốc gia về dân cư" in page
    assert person.full_name in page
    assert person.date_of_birth.strftime("%d/%m/%Y") in page
    assert person.permanent_address.full in page
    assert f"{spouse.full_name} ({spouse.personal_id})" in page
    if person.household:
        assert person.household.number in page


def test_profile_says_when_the_register_is_down(app, client, citizen_id, monkeypatch):
    login_citizen(client, citizen_id)
    monkeypatch.setitem(app.extensions, "registry_client", FailingRegistryClient())
    response = client.get("/my/profile")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "CSDL quốc gia về dân cư hiện không truy cập được" in page
    assert citizen_id in page


def test_profile_needs_a_citizen(client):
    response = client.get("/my/profile")
    assert response.status_code == 302 and "/login/citizen" in response.headers["Location"]
    login_officer(client, "intake1")
    assert client.get("/my/profile").status_code == 403
