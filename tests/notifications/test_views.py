"""The citizen's notification list: their own messages only, newest first, with their status."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.catalog.models import Procedure
from portal.dossiers.models import Dossier
from portal.submission.operations import procedure_snapshot
from portal.extensions import db
from portal.notifications.delivery import deliver_batch
from portal.notifications.models import Notification
from portal.registry.models import Person
from portal.registry.store import get_engine
from tests.conftest import login_citizen, login_officer
from tests.notifications.conftest import RecordingSender

MINE, COUNTER, THEIRS = (f"000.00.19.H26-260701-000{n}" for n in (1, 2, 3))


@pytest.fixture(scope="module")
def other_citizen_id(register: str, citizen_id: str) -> str:
    with Session(get_engine(register)) as session:
        return session.scalars(
            select(Person.personal_id)
            .where(Person.spouse_id.is_not(None), Person.personal_id != citizen_id)
            .order_by(Person.personal_id.desc())
            .limit(1)
        ).one()


def signed_in(app, personal_id: str):
    client = app.test_client()
    login_citizen(client, personal_id)
    client.post("/language", data={"lang": "en", "next": "/"})
    return client


def user_id_of(personal_id: str) -> int:
    return db.session.execute(select(User.id).where(User.personal_id == personal_id)).scalar_one()


def counter_dossier(personal_id: str) -> Dossier:
    """A dossier an officer entered at the counter: no account is linked to it."""
    procedure = db.session.execute(select(Procedure).where(Procedure.code == "1.004194")).scalar_one()
    dossier = Dossier(
        code=COUNTER, procedure=procedure, procedure_version=procedure.version,
        procedure_snapshot=procedure_snapshot(procedure), agency_id=procedure.agency_id,
        applicant_personal_id=personal_id, applicant_name="Nguyễn Văn A", channel="counter",
        delivery="counter", status="submitted", answers={}, provenance={}, locked={}, completed_steps=[],
    )
    db.session.add(dossier)
    db.session.flush()
    return dossier


def test_citizen_sees_only_their_own_notifications_newest_first(app, citizen_id, other_citizen_id):
    mine, theirs = signed_in(app, citizen_id), signed_in(app, other_citizen_id)
    at = datetime(2026, 7, 1, 2, 0)
    with app.app_context():
        me, them = user_id_of(citizen_id), user_id_of(other_citizen_id)
        db.session.add_all([
            Notification(user_id=me, channel="email", recipient="toi@example.vn", template="dossier_submitted",
                         locale="en", context={"code": MINE}, status="sent", subject=f"Dossier {MINE} has been submitted",
                         body="Sent text", created_at=at, sent_at=at + timedelta(minutes=1)),
            Notification(user_id=me, channel="sms", recipient="0912345678", template="dossier_accepted",
                         locale="en", context={"code": MINE}, created_at=at + timedelta(hours=1)),
            Notification(dossier_id=counter_dossier(citizen_id).id, channel="sms", recipient="0912345678",
                         template="supplement_requested", locale="en", context={"code": COUNTER},
                         status="failed", attempts=6, created_at=at + timedelta(hours=2)),
            Notification(user_id=them, channel="email", recipient="ban@example.vn", template="dossier_refused",
                         locale="en", context={"code": THEIRS}, created_at=at + timedelta(hours=3)),
        ])
        db.session.commit()

    page = mine.get("/my/notifications").get_data(as_text=True)
    assert THEIRS not in page and "ban@example.vn" not in page
    subjects = [f"Dossier {COUNTER} needs a supplement", f"Dossier {MINE} has been accepted", f"Dossier {MINE} has been submitted"]
    assert all(s in page for s in subjects)
    assert [page.index(s) for s in subjects] == sorted(page.index(s) for s in subjects)
    assert 'data-notification-status="failed"' in page and "Could not be sent" in page
    assert "Waiting to be sent" in page and "Sent text" in page
    # the pending SMS shows the text that will go out
    assert f"Dossier {MINE} has been accepted. Track it: http://127.0.0.1:5000/track?code={MINE}" in page

    other_page = theirs.get("/my/notifications").get_data(as_text=True)
    assert f"Dossier {THEIRS} was not accepted" in other_page and MINE not in other_page and COUNTER not in other_page


def test_no_notifications_yet(app, citizen_id):
    page = signed_in(app, citizen_id).get("/my/notifications").get_data(as_text=True)
    assert "You have no notifications yet." in page
    assert "<table" not in page


def test_a_submission_is_listed_then_shown_as_sent(app, client, make_dossier):
    code = make_dossier()
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get("/my/notifications").get_data(as_text=True)
    assert page.count(f"<strong>Hồ sơ {code} đã được nộp thành công</strong>") == 2  # email and SMS, in Vietnamese
    assert page.count("Waiting to be sent") == 2
    assert f'href="/my/dossiers/{code}"' in page

    channel = RecordingSender()
    with app.app_context():
        assert deliver_batch(senders={"email": channel, "sms": channel}).sent == 2
    page = client.get("/my/notifications").get_data(as_text=True)
    assert page.count(">Sent<") == 2 and "Waiting to be sent" not in page
    with app.app_context():  # the contact the form gave: the register's, offered and kept
        answers = db.session.execute(select(Dossier.answers).where(Dossier.code == code)).scalar_one()
    assert {m.recipient for m in channel.sent} == {answers["email"], answers["phone"]}


def test_only_signed_in_citizens(app, client):
    response = client.get("/my/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_officer(client, "intake1")
    assert client.get("/my/notifications").status_code == 403
