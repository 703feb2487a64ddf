"""Two officers act on one dossier at the same moment: exactly one wins (optimistic lock)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.models import User
from portal.catalog.models import Procedure
from portal.dossiers.models import ClockEntry, Dossier, DossierEvent
from portal.submission.operations import procedure_snapshot
from portal.extensions import db
from portal.notifications.models import NationalSyncMessage, Notification
from portal.workflow.transitions import apply_transition


@pytest.fixture()
def committed_dossier(app):
    """A submitted dossier committed for real (outside the test's rolled-back transaction)."""
    with app.app_context():
        engine = db.engine
    with Session(engine) as session, session.begin():
        procedure = session.execute(select(Procedure).where(Procedure.code == "1.004194")).scalar_one()
        dossier = Dossier(
            code="000.09.27.H26-991231-9999", procedure=procedure, procedure_version=procedure.version,
            procedure_snapshot=procedure_snapshot(procedure), agency_id=procedure.agency_id,
            applicant_personal_id="001090000001", applicant_name="Nguyễn Văn A", channel="online",
            delivery="online", status="submitted", answers={}, provenance={}, locked={}, completed_steps=[],
        )
        session.add(dossier)
        session.flush()
        dossier_id = dossier.id
    yield engine, dossier_id
    with Session(engine) as session, session.begin():
        for model in (Notification, NationalSyncMessage, DossierEvent, ClockEntry):
            session.execute(delete(model).where(model.dossier_id == dossier_id))
        session.execute(delete(Dossier).where(Dossier.id == dossier_id))


@pytest.fixture()
def real_sessions():
    """Sessions of the app's own kind (one per app context, each on its own connection),
    instead of the test's single rolled-back connection."""
    test_session = db.session
    db.session = db._make_scoped_session({})
    yield
    db.session = test_session


def test_two_officers_at_once_exactly_one_succeeds(app, committed_dossier, real_sessions):
    engine, dossier_id = committed_dossier
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE), so two transactions never overlap there")
    outcomes: dict[str, str] = {}
    both_loaded = threading.Barrier(2)

    def officer(action: str, note: str) -> None:
        with app.test_request_context():
            intake = db.session.execute(select(User).where(User.username == "intake1")).scalar_one()
            dossier = db.session.get(Dossier, dossier_id)
            both_loaded.wait()  # both officers have the same version of the dossier open
            try:
                apply_transition(dossier, action, intake, public_note=note)
                db.session.commit()
                outcomes[action] = "ok"
            except StaleDataError:
                db.session.rollback()
                outcomes[action] = "stale"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=officer, args=args) for args in (("accept", ""), ("refuse", "Sai thẩm quyền"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()) == ["ok", "stale"]
    with Session(engine) as session:
        dossier = session.get(Dossier, dossier_id)
        winner = "accept" if outcomes["accept"] == "ok" else "refuse"
        assert dossier.status == {"accept": "accepted", "refuse": "not_accepted"}[winner]
        assert [e.action for e in session.execute(select(DossierEvent).where(DossierEvent.dossier_id == dossier_id)).scalars()] == [winner]
