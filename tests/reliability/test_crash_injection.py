"""A crash in the middle of a submission or a transition leaves nothing behind (STYLE §2: one
commit per request, rollback on any exception): no dossier code used up, no event, no clock
entry, no notification in the outbox, no result document.

The crash is injected where the most has already been written: after the code was taken, the
status set and the event added, when the notification is queued — or after the result was
signed and stored, when the approval is recorded.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from portal.auth.models import User
from portal.deadlines import VN_TZ
from portal.dossiers.models import ClockEntry, Dossier, DossierCodeCounter, DossierEvent, StoredDocument
from portal.extensions import db
from portal.notifications.models import Notification
from tests.dossiers.helpers import apply_until_check, submitted


class InjectedCrash(RuntimeError):
    pass


def crash(*_args: object, **_kwargs: object) -> None:
    raise InjectedCrash("injected in the middle of the operation")


def counts(dossier_id: int) -> dict[str, int]:
    def count(model, *where) -> int:
        return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()

    return {
        "events": count(DossierEvent, DossierEvent.dossier_id == dossier_id),
        "clock": count(ClockEntry, ClockEntry.dossier_id == dossier_id),
        "notifications": count(Notification, Notification.dossier_id == dossier_id),
        "results": count(StoredDocument, StoredDocument.kind == "result"),
        "codes": db.session.execute(select(func.coalesce(func.sum(DossierCodeCounter.last_value), 0))).scalar_one(),
    }


def test_a_crash_during_submission_uses_no_code_and_leaves_a_draft(app, citizen, citizen_id, person, monkeypatch):
    draft = apply_until_check(app, citizen, "1.001193", citizen_id, person.spouse_id)  # a free procedure
    with app.app_context():
        before = counts(draft.id)
    monkeypatch.setattr("portal.workflow.transitions.queue_dossier_notification", crash)
    response = citizen.post(f"/apply/{draft.public_id}/submit", data={"payment": "none"})
    assert response.status_code == 500
    assert "Thông tin bạn đã nhập không bị mất" in response.get_data(as_text=True)
    with app.app_context():
        assert counts(draft.id) == before
    saved = submitted(app, draft.public_id)
    assert (saved.status, saved.code, saved.submitted_at) == ("draft", None, None)
    # Once the fault is gone, the same draft goes through with the first code of the day.
    monkeypatch.undo()
    assert citizen.post(f"/apply/{draft.public_id}/submit", data={"payment": "none"}).status_code == 302
    assert submitted(app, draft.public_id).code.endswith(f"-{datetime.now(VN_TZ):%y%m%d}-0001")


@pytest.mark.parametrize("action", ["accept", "refuse"])
def test_a_crash_during_a_transition_changes_nothing(app, make_dossier, officers, action, monkeypatch):
    code = make_dossier()
    with app.app_context():
        dossier_id = db.session.execute(select(Dossier.id).where(Dossier.code == code)).scalar_one()
        before = counts(dossier_id)
    monkeypatch.setattr("portal.workflow.transitions.queue_dossier_notification", crash)
    assert officers["intake1"].act(code, action, note="Hồ sơ không thuộc thẩm quyền").status_code == 500
    with app.app_context():
        assert counts(dossier_id) == before
        assert db.session.get(Dossier, dossier_id).status == "submitted"
    monkeypatch.undo()
    assert officers["intake1"].act(code, action, note="Hồ sơ không thuộc thẩm quyền").status_code == 302


def test_a_crash_after_the_result_was_signed_keeps_no_result(app, make_dossier, officers, monkeypatch):
    code = make_dossier()
    with app.app_context():
        specialist_id = db.session.execute(select(User.id).where(User.username == "specialist1")).scalar_one()
    officers["intake1"].act(code, "accept")
    officers["intake1"].act(code, "assign", assignee=str(specialist_id))
    officers["specialist1"].act(code, "propose_result", note="Đủ điều kiện.")
    with app.app_context():
        dossier_id = db.session.execute(select(Dossier.id).where(Dossier.code == code)).scalar_one()
        before = counts(dossier_id)
    monkeypatch.setattr("portal.workflow.transitions.queue_dossier_notification", crash)
    assert officers["leader1"].act(code, "approve").status_code == 500
    with app.app_context():
        assert counts(dossier_id) == before
        dossier = db.session.get(Dossier, dossier_id)
        assert (dossier.status, dossier.result_document_id) == ("pending_approval", None)
