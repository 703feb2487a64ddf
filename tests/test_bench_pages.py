"""The pages only the benchmarks ask for (bench.floor): the signed-in floor is a signed-in page
like the others (sign-in asked of a visitor, the layout with the officer's queue counts), the
tracking-shaped bare endpoint answers what the tracking API answers, field for field, and each
rung of the ladder answers whom bench.profile_hot_paths --ladder sends to it."""
from __future__ import annotations

import pytest

from bench.floor import FLOOR_PATH, LADDER, SHAPED_PATH, add_ladder
from tests.conftest import login_citizen, login_officer


@pytest.fixture()
def bench_app(app, make_app):
    """An app of its own (the shared one has served requests, so takes no new page), on the test
    databases the shared one made, inside the test's rolled-back transaction."""
    made = make_app(WTF_CSRF_ENABLED=False)
    add_ladder(made)
    return made


def test_the_floor_asks_a_visitor_to_sign_in(bench_app):
    answer = bench_app.test_client().get(FLOOR_PATH)
    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]


def test_the_floor_is_the_layout_around_one_paragraph(bench_app, citizen_id):
    client = bench_app.test_client()
    login_citizen(client, citizen_id)
    page = client.get(FLOOR_PATH).get_data(as_text=True)
    assert "Nothing of its own." in page
    assert 'action="/logout"' in page  # the account box of a signed-in person
    assert "nav-count" not in page  # a citizen's navigation counts no queue


def test_an_officers_floor_counts_the_officers_queues(bench_app):
    client = bench_app.test_client()
    login_officer(client, "intake1")
    page = client.get(FLOOR_PATH).get_data(as_text=True)
    assert "Nothing of its own." in page
    assert page.count('class="nav-count"') >= 2  # the bar and the phone menu


def test_every_rung_answers_whom_the_ladder_sends(bench_app, citizen_id):
    # Here the session is bound to the test's connection, so the rung outside a transaction reads on
    # it (extensions.reading_connection); under the benchmark it takes a connection of its own.
    clients = {who: bench_app.test_client() for who in ("anonymous", "citizen", "officer")}
    login_citizen(clients["citizen"], citizen_id)
    login_officer(clients["officer"], "intake1")
    for path, who, _what in LADDER:
        assert clients[who].get(path).status_code == 200, (path, who)


def test_the_tracking_shaped_endpoint_has_the_tracking_answers_fields(bench_app, make_dossier):
    code = make_dossier()
    client = bench_app.test_client()
    real = client.get(f"/api/v1/tracking/{code}").get_json()
    shaped = client.get(SHAPED_PATH).get_json()
    assert real["timeline"], "the dossier has a timeline to compare"
    assert list(shaped) == list(real)
    assert {tuple(entry) for entry in shaped["timeline"]} == {tuple(entry) for entry in real["timeline"]}
