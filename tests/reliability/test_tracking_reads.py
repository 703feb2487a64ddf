"""Tracking reads without holding a transaction (issue 19): one round trip a lookup, no lock,
and the answer is the dossier as it stands. On an app of its own, with real connections (the
rest of the suite runs inside a transaction that is rolled back, which a lookup then joins)."""
from __future__ import annotations

from sqlalchemy import event

from portal.extensions import db
from tests.conftest import login_citizen
from tests.dossiers.helpers import apply_until_check
from tests.linked.conftest import child_name  # noqa: F401 — the fixture
from tests.linked.helpers import BIRTH, RESIDENCE, approve, group_of, newborn_answers, submit_linked
from tests.reliability.test_duplicates import signed_in_citizen
from tests.statements import statements_sent

LINKED = "2.002621"  # a birth, the child's residence and card, each at its own agency


def test_a_tracking_lookup_holds_no_transaction_and_sees_each_change(fresh_app, citizen_id):
    app = fresh_app("tracking_reads")
    client, other = signed_in_citizen(app, citizen_id)
    draft = apply_until_check(app, client, "1.001193", citizen_id, other)
    assert client.post(f"/apply/{draft.public_id}/submit", data={"payment": "none"}).status_code == 302
    with app.app_context():
        code = db.session.get(type(draft), draft.id).code

    anonymous = app.test_client()
    with statements_sent(app) as sent:
        answer = anonymous.get(f"/api/v1/tracking/{code}")
        page = anonymous.get(f"/track?code={code}")
    assert answer.status_code == 200 and answer.get_json()["status"] == "submitted"
    assert page.status_code == 200 and code in page.get_data(as_text=True)
    # Each lookup is one SELECT, answered outside any transaction: no BEGIN, no COMMIT, no lock.
    assert [(s.verb, s.in_transaction) for s in sent] == [("SELECT", False), ("SELECT", False)], sent

    # The connection goes back to the pool as it was: the next request's writes are one transaction.
    with statements_sent(app) as sent:
        withdrawn = client.post(f"/my/dossiers/{code}/withdraw", data={"confirm": "yes", "reason": "Nộp nhầm thủ tục"})
    assert withdrawn.status_code == 302
    writes = [s.in_transaction for s in sent if s.verb in ("INSERT", "UPDATE", "DELETE")]
    assert writes and all(writes), sent
    assert anonymous.get(f"/api/v1/tracking/{code}").get_json()["status"] == "withdrawn"


def test_every_lookup_gives_its_connection_back_and_opens_no_session(fresh_app, citizen_id):
    """A lookup reads on a connection of its own when the request has no session (no ORM session
    is made, so none is begun and committed); whatever the answer — found, not found, a malformed
    code, the page or the API — a request holds one connection at a time and gives it back."""
    app = fresh_app("tracking_connections")
    sessions_made = []

    @app.after_request
    def note_the_session(response):
        sessions_made.append(db.session.registry.has())
        return response

    client, other = signed_in_citizen(app, citizen_id)
    draft = apply_until_check(app, client, "1.001193", citizen_id, other)
    assert client.post(f"/apply/{draft.public_id}/submit", data={"payment": "none"}).status_code == 302
    with app.app_context():
        code = db.session.get(type(draft), draft.id).code
        pool = db.engine.pool
    held, most_held = [0], [0]

    def checked_out(*_args):
        held[0] += 1
        most_held[0] = max(most_held[0], held[0])

    def checked_in(*_args):
        held[0] -= 1

    event.listen(pool, "checkout", checked_out)
    event.listen(pool, "checkin", checked_in)
    sessions_made.clear()
    anonymous = app.test_client()
    missing = code[:-4] + ("0000" if not code.endswith("0000") else "0001")
    answers = [
        anonymous.get(f"/api/v1/tracking/{code}").status_code,
        anonymous.get(f"/track?code={code}").status_code,
        anonymous.get(f"/api/v1/tracking/{missing}").status_code,
        anonymous.get(f"/track?code={missing}").status_code,
        anonymous.get("/track?code=not-a-code").status_code,
        client.get(f"/track?code={code}").status_code,  # the applicant, signed in: the session's connection
    ]
    assert answers == [200, 200, 404, 404, 400, 200]
    assert pool.checkedout() == 0 and held == [0] and most_held == [1]
    # Found by code, anonymous: no session at all. A code that is no dossier is looked for among the
    # linked groups (an ORM read); the signed-in applicant's session was made to load the account.
    assert sessions_made[:2] == [False, False] and sessions_made[-1] is True


def test_tracking_a_component_received_through_the_link_holds_no_transaction(fresh_app, citizen_id, child_name):
    """The residence component, received once the birth is approved, shows the link's note in the
    reader's language: that read too runs outside a transaction (no BEGIN, no lock on SQLite)."""
    app = fresh_app("tracking_linked")
    citizen = app.test_client()
    login_citizen(citizen, citizen_id)
    group_code = submit_linked(app, citizen, LINKED, citizen_id, newborn_answers(child_name))
    dossiers = group_of(app, group_code)
    approve(app, dossiers[BIRTH].code, BIRTH)
    anonymous = app.test_client()
    with statements_sent(app) as sent:
        api = anonymous.get(f"/api/v1/tracking/{dossiers[RESIDENCE].code}")
        page = anonymous.get("/track", query_string={"code": dossiers[RESIDENCE].code})
    assert api.status_code == 200 and page.status_code == 200
    assert api.get_json()["status_code"] == 2
    assert sent and [(s.verb, s.in_transaction) for s in sent if s.verb != "SELECT" or s.in_transaction] == [], sent
