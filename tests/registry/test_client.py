"""The register's client adapters and the mock register service they talk to."""
from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from portal.registry.client import (
    FailingRegistryClient,
    HttpRegistryClient,
    RegistryUnavailable,
    SqlRegistryClient,
)
from portal.registry.places import province_name, ward_name
from portal.registry.records import PersonRecord
from portal.registry.service import create_service
from tests.registry.conftest import RegisterRows, RunningService, serve

UNKNOWN_ID = "001099999999"


@pytest.fixture(scope="module")
def grandchild_id(register_rows: RegisterRows) -> str:
    """Someone in a household with a head who is not their parent, and with both parents."""
    return next(
        pid
        for pid, p in sorted(register_rows.people.items())
        if p["father_id"] and p["mother_id"] and p["relation_to_head"] == "Cháu"
    )


@pytest.fixture()
def sql_client(register: str) -> SqlRegistryClient:
    return SqlRegistryClient(register)


# Seconds a client waits for an answer the test expects: generous, since an answer missed under CI
# load would read as the register being down (the tests of timeouts set their own, shorter).
ANSWER_WITHIN = 30.0


@pytest.fixture()
def http_client(service: RunningService) -> Iterator[HttpRegistryClient]:
    client = HttpRegistryClient(service.url, timeout=ANSWER_WITHIN)
    yield client
    client.close()


@pytest.fixture()
def slow_service(service: RunningService) -> Iterator[RunningService]:
    service.app.config["REGISTRY_SERVICE_DELAY"] = 0.6
    yield service
    service.app.config["REGISTRY_SERVICE_DELAY"] = 0


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- in-process SQL ------------------------------------------------------------------------


def test_sql_client_returns_the_person_with_household(sql_client, register_rows, grandchild_id):
    row = register_rows.people[grandchild_id]
    household = register_rows.households[row["household_number"]]
    head = register_rows.people[household["head_id"]]

    record = sql_client.get_person(grandchild_id)

    assert isinstance(record, PersonRecord)
    assert (record.full_name, record.date_of_birth, record.sex) == (
        row["full_name"], row["date_of_birth"], row["sex"],
    )
    assert (record.father_id, record.mother_id) == (row["father_id"], row["mother_id"])
    assert record.birth_registration_province_code == int(grandchild_id[:3])
    assert record.permanent_address.full == ", ".join(
        [row["permanent_street"], ward_name(row["permanent_ward_code"]),
         province_name(row["permanent_province_code"])]
    )
    assert record.household is not None
    assert record.household_number == row["household_number"]
    assert record.relation_to_head == "Cháu"
    assert (record.household.head_id, record.household.head_full_name) == (
        head["personal_id"], head["full_name"],
    )
    assert record.household.members[0].personal_id == head["personal_id"]
    assert record.household.head.relation_to_head == "Chủ hộ"
    member_ids = {m.personal_id for m in record.household.members}
    expected = {pid for pid, p in register_rows.people.items()
                if p["household_number"] == row["household_number"]}
    assert member_ids == expected and grandchild_id in member_ids
    assert {record.father_id, record.mother_id} <= member_ids


def test_household_lists_the_head_first_then_eldest_down(sql_client, register_rows):
    # A household whose head lives with their mother, so the head is not the eldest.
    mother_id = next(
        pid for pid, p in sorted(register_rows.people.items()) if p["relation_to_head"] == "Mẹ"
    )

    members = sql_client.get_person(mother_id).household.members

    assert members[0].relation_to_head == "Chủ hộ"
    assert min(m.date_of_birth for m in members) < members[0].date_of_birth
    rest = [m.date_of_birth for m in members[1:]]
    assert rest == sorted(rest)


def test_record_json_round_trip(sql_client, grandchild_id):
    record = sql_client.get_person(grandchild_id)
    data = json.loads(json.dumps(record.to_dict()))

    assert data["date_of_birth"] == record.date_of_birth.isoformat()
    assert data["permanent_address"]["full"] == record.permanent_address.full
    assert PersonRecord.from_dict(data) == record


def test_sql_client_unknown_or_malformed_id_is_none(sql_client):
    assert sql_client.get_person(UNKNOWN_ID) is None
    assert sql_client.get_person("12345") is None
    assert sql_client.health() is True


def test_sql_client_without_a_database_is_unavailable(tmp_path):
    client = SqlRegistryClient(f"sqlite:///{tmp_path}/missing-folder/registry.sqlite3")

    with pytest.raises(RegistryUnavailable, match="did not answer"):
        client.get_person(UNKNOWN_ID)
    assert client.health() is False


# --- the mock register service -------------------------------------------------------------


def test_service_answers_json(service: RunningService, grandchild_id):
    client = service.app.test_client()

    found = client.get(f"/people/{grandchild_id}")
    assert found.status_code == 200
    assert found.json["personal_id"] == grandchild_id
    assert "Chủ hộ" in found.get_data(as_text=True)  # Vietnamese sent as is, not \u-escaped

    unknown = client.get(f"/people/{UNKNOWN_ID}")
    assert (unknown.status_code, unknown.json["error"]) == (404, "not_found")

    malformed = client.get("/people/00109012345X")
    assert (malformed.status_code, malformed.json["error"]) == (400, "invalid_personal_id")
    assert "digits" in malformed.json["message"]

    assert client.get("/health").json == {"status": "ok"}


def test_service_over_a_missing_database_says_unavailable(tmp_path):
    client = create_service(f"sqlite:///{tmp_path}/missing-folder/registry.sqlite3").test_client()

    response = client.get(f"/people/{UNKNOWN_ID}")
    assert (response.status_code, response.json["error"]) == (503, "register_unavailable")
    assert client.get("/health").status_code == 503


def test_service_delay_comes_from_the_environment(monkeypatch, register):
    monkeypatch.setenv("REGISTRY_SERVICE_DELAY", "1.5")
    assert create_service(register).config["REGISTRY_SERVICE_DELAY"] == 1.5


# --- HTTP ----------------------------------------------------------------------------------


def test_http_client_gives_the_same_record_as_sql(http_client, sql_client, grandchild_id):
    assert http_client.get_person(grandchild_id) == sql_client.get_person(grandchild_id)
    assert http_client.health() is True


def test_http_client_unknown_id_is_none(http_client):
    assert http_client.get_person(UNKNOWN_ID) is None
    assert http_client.get_person("not-an-id") is None


def test_http_client_times_out(slow_service, grandchild_id):
    client = HttpRegistryClient(slow_service.url, timeout=0.2)
    try:
        with pytest.raises(RegistryUnavailable, match="within 0.2 s"):
            client.get_person(grandchild_id)
    finally:
        client.close()


def test_http_client_connection_refused_is_unavailable():
    client = HttpRegistryClient(f"http://127.0.0.1:{_unused_port()}", timeout=1.0)
    try:
        with pytest.raises(RegistryUnavailable, match="cannot be reached"):
            client.get_person(UNKNOWN_ID)
        assert client.health() is False
    finally:
        client.close()


def test_http_client_server_error_is_unavailable(tmp_path):
    broken = create_service(f"sqlite:///{tmp_path}/missing-folder/registry.sqlite3")
    with serve(broken) as running:
        client = HttpRegistryClient(running.url, timeout=ANSWER_WITHIN)
        try:
            with pytest.raises(RegistryUnavailable, match="HTTP 503"):
                client.get_person(UNKNOWN_ID)
            assert client.health() is False
        finally:
            client.close()


# --- failing -------------------------------------------------------------------------------


def test_failing_client_is_always_unavailable(grandchild_id):
    client = FailingRegistryClient()
    with pytest.raises(RegistryUnavailable, match="out of service"):
        client.get_person(grandchild_id)
    assert client.health() is False
