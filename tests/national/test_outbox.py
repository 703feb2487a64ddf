"""Every change of a dossier's national status (or appointment) is queued for the national portal
in the transaction of the change: numbered per dossier, and gone with a rolled-back change."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.notifications.national import deliver_batch
from portal.workflow.transitions import apply_transition
from tests.national.conftest import WALK, WALK_CODES, messages, new_dossier, officer, walk
from tests.workflow.test_effects import _pending_approval

CODE = "000.09.27.H26-260701-0101"


def test_each_change_of_national_status_is_queued_numbered_with_what_the_portal_needs(ctx):
    dossier = new_dossier(CODE)
    walk(dossier)
    rows = messages(dossier.id)
    # assign → propose_extension keeps code 4 and the appointment: no message for it.
    assert [row.status_code for row in rows] == WALK_CODES
    assert [row.sequence for row in rows] == list(range(1, len(WALK_CODES) + 1))
    assert [row.payload["action"] for row in rows] == [
        "submit", "accept", "assign", "approve_extension", "request_payment", "record_payment", "stop"]
    submitted, accepted, _, extended, *_ = (row.payload for row in rows)
    assert submitted["previous_status_code"] is None and submitted["due_at"] is None
    assert accepted["previous_status_code"] == 1 and accepted["due_at"] is not None
    assert accepted["agency"] == {"code": dossier.agency.code, "name": dossier.agency.name_vi}
    assert accepted["procedure"]["code"] == "1.004194" and accepted["channel"] == "online"
    assert accepted["dossier_code"] == CODE and accepted["sequence"] == 2
    # The extension moved the appointment: the same status, sent again with the new due time.
    assert extended["status_code"] == 4 and extended["due_at"] > accepted["due_at"]
    assert datetime.fromisoformat(extended["changed_at"]).utcoffset().total_seconds() == 7 * 3600
    assert all(row.sent_at is None and row.attempts == 0 for row in rows)


def test_a_rolled_back_transition_leaves_no_message(app, receiver, clock):
    with app.app_context():
        dossier = new_dossier(CODE)
        walk(dossier, WALK[:1])
        db.session.commit()
        apply_transition(dossier, "accept", officer("intake1"))
        assert [row.status_code for row in messages(dossier.id)] == [1, 2]
        db.session.rollback()  # the request failed after the transition: nothing of it is kept
        assert [row.status_code for row in messages(dossier.id)] == [1]
        assert db.session.get(Dossier, dossier.id).status == "submitted"
        deliver_batch(now=clock.now)
    assert [s["status_code"] for s in receiver.statuses(CODE)] == [1]



def test_the_result_and_its_verification_address_reach_the_national_portal(app, make_dossier, officers, receiver, clock):
    code = _pending_approval(app, make_dossier, officers)
    officers["leader1"].act(code, "approve")
    officers["intake1"].act(code, "return_online")
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.code == code)).scalar_one()
        assert deliver_batch(now=clock.now).sent == 5  # propose_result kept code 4: no message
        address = f"{app.config['PUBLIC_BASE_URL']}/verify/{dossier.result_token}"
    statuses = receiver.statuses(code)
    assert [s["status_code"] for s in statuses] == [1, 2, 4, 9, 10]
    assert [s["result_verification_url"] for s in statuses] == [None, None, None, address, address]
    assert statuses[3]["completed_at"] is not None and statuses[4]["returned_at"] is not None
