"""Every POST that changes a dossier answers a concurrent change with a readable 409 page and
keeps nothing of the request (issue 14: operations own the transaction).

The concurrent change is made for real: just before the request writes the dossier, the
dossier's version is moved on in the database, as another officer's or tab's commit would;
the optimistic lock (``Dossier.version``) then refuses the request's write.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.dossiers.models import Dossier, DossierEvent
from portal.extensions import db
from portal.timeutil import from_db
from tests.dossiers.helpers import PDF, TEXT, apply_until_check, step_form

CONFLICT_VI = "một người khác đã thay đổi hồ sơ này"


@pytest.fixture()
def concurrent_change() -> Iterator[list[int]]:
    """Arm with ``concurrent_change.append(dossier_id)``: the next flush that writes that dossier
    finds its version moved on by someone else."""
    armed: list[int] = []

    def bump(session: Session, _context, _instances) -> None:
        written = [o for o in session.dirty if session.is_modified(o)] + list(session.deleted)
        for obj in written:
            if isinstance(obj, Dossier) and obj.id in armed:
                armed.remove(obj.id)
                session.connection().execute(text("UPDATE dossiers SET version = version + 1 WHERE id = :id"), {"id": obj.id})

    event.listen(Session, "before_flush", bump)
    yield armed
    event.remove(Session, "before_flush", bump)


def snapshot(app, code: str | None = None, public_id: str | None = None) -> tuple:
    with app.app_context():
        column, value = (Dossier.code, code) if code else (Dossier.public_id, public_id)
        dossier = db.session.execute(select(Dossier).where(column == value)).scalar_one()
        events = db.session.execute(select(func.count()).where(DossierEvent.dossier_id == dossier.id)).scalar_one()
        attachments = sorted(a.stored_document_id for a in dossier.attachments)
        return dossier.id, dossier.status, dossier.version, events, dossier.delivery, dict(dossier.answers), attachments


def assert_conflict(response, app, before: tuple, **where) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 409, page[:500]
    assert CONFLICT_VI in page
    # Nothing of the request was kept (the stand-in for the other writer ran in the request's
    # own transaction, so it went with it).
    assert snapshot(app, **where) == before


def _specialist_id(app) -> str:
    with app.app_context():
        return str(db.session.execute(select(User.id).where(User.username == "specialist1")).scalar_one())


# (how far to take the dossier first, the action, its form)
OFFICER_ACTIONS = [
    ([], "intake1", "accept", {}),
    ([], "intake1", "refuse", {"note": "Không thuộc thẩm quyền."}),
    ([], "intake1", "request_supplement", {"items": ["legal_residence"], "note": "Bản chụp bị mờ."}),
    (["accept"], "intake1", "assign", {"assignee": "specialist"}),
    (["accept", "assign"], "specialist1", "propose_result", {"note": "Đủ điều kiện."}),
    (["accept", "assign"], "specialist1", "request_payment", {"amount": "50.000", "note": "Phí thẩm định."}),
    (["accept", "assign"], "specialist1", "propose_extension", {"new_due_at": "+7d", "note": "Cần xác minh."}),
    (["accept", "assign", "propose_extension"], "leader1", "approve_extension", {}),
    (["accept", "assign", "propose_result"], "leader1", "send_back", {"note": "Bổ sung căn cứ."}),
    (["accept", "assign", "propose_result"], "leader1", "approve", {}),
    (["accept", "assign"], "leader1", "stop", {"note": "Công dân đề nghị dừng."}),
    (["accept", "assign", "propose_result", "approve"], "intake1", "return_online", {}),
    (["accept", "assign", "propose_result", "approve"], "intake1", "return_counter", {"note": "Đã trao tại quầy."}),
]
STEPS = {
    "accept": ("intake1", {}),
    "assign": ("intake1", {"assignee": "specialist"}),
    "propose_result": ("specialist1", {"note": "Đủ điều kiện."}),
    "propose_extension": ("specialist1", {"new_due_at": "+7d", "note": "Cần xác minh."}),
    "approve": ("leader1", {}),
}


def _form(app, code: str, form: dict) -> dict:
    resolved = dict(form)
    if resolved.get("assignee") == "specialist":
        resolved["assignee"] = _specialist_id(app)
    if resolved.get("new_due_at") == "+7d":
        with app.app_context():
            due = from_db(db.session.execute(select(Dossier.due_at).where(Dossier.code == code)).scalar_one())
        # a week later: within the 10 working days an extension may add by default
        resolved["new_due_at"] = (due + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    return resolved


@pytest.mark.parametrize(("steps", "who", "action", "form"), OFFICER_ACTIONS, ids=[a[2] for a in OFFICER_ACTIONS])
def test_an_officer_action_on_a_changed_dossier_is_a_409_with_the_fresh_page(
    app, make_dossier, officers, concurrent_change, steps, who, action, form
):
    code = make_dossier()
    for step in steps:
        name, step_form_data = STEPS[step]
        assert officers[name].act(code, step, **_form(app, code, step_form_data)).status_code == 302, step
    before = snapshot(app, code=code)
    concurrent_change.append(before[0])
    response = officers[who].act(code, action, **_form(app, code, form))
    assert_conflict(response, app, before, code=code)
    assert f">{code}<" in response.get_data(as_text=True) or code in response.get_data(as_text=True)


def test_shipping_a_changed_dossier_is_a_409(app, make_dossier, officers, concurrent_change):
    code = make_dossier(delivery="post")
    for step in ("accept", "assign", "propose_result", "approve"):
        name, data = STEPS[step]
        officers[name].act(code, step, **_form(app, code, data))
    before = snapshot(app, code=code)
    concurrent_change.append(before[0])
    assert_conflict(officers["intake1"].act(code, "ship"), app, before, code=code)


@pytest.fixture()
def draft(app, citizen, citizen_id, person):
    return apply_until_check(app, citizen, "1.001193", citizen_id, person.spouse_id)  # a free procedure


def test_a_wizard_step_saved_over_a_concurrent_change_is_a_409(app, citizen, person, draft, concurrent_change):
    step, data = next(
        (s, step_form(s, draft, person.spouse_id)) for s in draft.form_definition.steps
        if TEXT in step_form(s, draft, person.spouse_id).values()
    )
    data = {k: ("Hộ kinh doanh Hoa Lan" if v == TEXT else v) for k, v in data.items()}
    before = snapshot(app, public_id=draft.public_id)
    concurrent_change.append(before[0])
    response = citizen.post(f"/apply/{draft.public_id}/steps/{step.key}", data=data, content_type="multipart/form-data")
    assert_conflict(response, app, before, public_id=draft.public_id)


@pytest.mark.parametrize(("path", "data"), [
    ("delivery", {"delivery": "post", "delivery_address-province": "1", "delivery_address-ward": "70",
                  "delivery_address-street": "Số 5 phố Tràng Tiền"}),
    ("submit", {"payment": "later"}),
    ("discard", {}),
])
def test_a_draft_changed_meanwhile_is_a_409(app, citizen, draft, concurrent_change, path, data):
    before = snapshot(app, public_id=draft.public_id)
    concurrent_change.append(before[0])
    response = citizen.post(f"/apply/{draft.public_id}/{path}", data=data)
    assert_conflict(response, app, before, public_id=draft.public_id)


def test_withdrawing_a_changed_dossier_is_a_409(app, citizen, make_dossier, concurrent_change):
    code = make_dossier()
    before = snapshot(app, code=code)
    concurrent_change.append(before[0])
    response = citizen.post(f"/my/dossiers/{code}/withdraw", data={"confirm": "yes", "reason": "Nộp nhầm."})
    assert_conflict(response, app, before, code=code)


def test_a_supplement_sent_over_a_concurrent_change_is_a_409(app, citizen, make_dossier, officers, concurrent_change):
    code = make_dossier()
    officers["intake1"].act(code, "request_supplement", items=["legal_residence"], note="Bản chụp bị mờ.")
    before = snapshot(app, code=code)
    concurrent_change.append(before[0])
    response = citizen.post(
        f"/my/dossiers/{code}/supplement", data={"legal_residence": (io.BytesIO(PDF), "ro-net.pdf")},
        content_type="multipart/form-data",
    )
    assert_conflict(response, app, before, code=code)  # the new document is not attached either
