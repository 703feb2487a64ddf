"""Every POST that changes a dossier answers a concurrent change with a readable 409 page and
keeps nothing of the request (issue 14: operations own the transaction).

The concurrent change is made for real: just before the request writes the dossier, the
dossier's version is moved on in the database, as another officer's or tab's commit would;
the optimistic lock (``Dossier.version``) then refuses the request's write.

Not here, because they write no dossier row: an internal note, a refund confirmed, a requested
fee's payment started, a counter dossier started (a new draft, or the open one untouched), the
buttons that order a document's photo pages (the session only). The gateway's notification
writes one but keeps the payment it records (see its test).
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.catalog.service import working_calendar
from portal.deadlines import VN_TZ
from portal.dossiers.models import Attachment, Dossier, DossierEvent, DossierGroup
from portal.extensions import db
from portal.payments.models import Payment
from portal.timeutil import from_db, to_db
from tests.conftest import login_officer
from tests.dossiers.helpers import PDF, TEXT, apply_until_check, step_form
from tests.dossiers.test_photos import photo
from tests.linked.helpers import fill_linked, newborn_answers
from tests.payments.test_refunds import pay_now
from tests.results.helpers import choose

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
    (["accept", "assign", "request_payment"], "intake1", "record_payment", {}),
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
    "request_payment": ("specialist1", {"amount": "50.000", "note": "Phí thẩm định."}),
    "propose_extension": ("specialist1", {"new_due_at": "+7d", "note": "Cần xác minh."}),
    "approve": ("leader1", {}),
    "return_online": ("intake1", {}),
    "ship": ("intake1", {}),
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


def _take(app, officers, code: str, steps: list[str]) -> None:
    for step in steps:
        name, data = STEPS[step]
        assert officers[name].act(code, step, **_form(app, code, data)).status_code == 302, step


@pytest.mark.parametrize(("steps", "who", "action", "form"), OFFICER_ACTIONS, ids=[a[2] for a in OFFICER_ACTIONS])
def test_an_officer_action_on_a_changed_dossier_is_a_409_with_the_fresh_page(
    app, make_dossier, officers, concurrent_change, steps, who, action, form
):
    code = make_dossier()
    _take(app, officers, code, steps)
    before = snapshot(app, code=code)
    concurrent_change.append(before[0])
    response = officers[who].act(code, action, **_form(app, code, form))
    assert_conflict(response, app, before, code=code)
    assert f">{code}<" in response.get_data(as_text=True) or code in response.get_data(as_text=True)


# A result sent by post: shipped, then delivered or back to the sender.
POSTAL_ACTIONS = [
    ([], "ship", {}),
    (["ship"], "deliver", {}),
    (["ship"], "return_to_sender", {"note": "Không có người nhận."}),
]


@pytest.mark.parametrize(("steps", "action", "form"), POSTAL_ACTIONS, ids=[a[1] for a in POSTAL_ACTIONS])
def test_a_postal_action_on_a_changed_dossier_is_a_409(
    app, make_dossier, officers, concurrent_change, steps, action, form
):
    code = make_dossier(delivery="post")
    _take(app, officers, code, ["accept", "assign", "propose_result", "approve", *steps])
    before = snapshot(app, code=code)
    concurrent_change.append(before[0])
    assert_conflict(officers["intake1"].act(code, action, **form), app, before, code=code)


def test_closing_a_changed_unsupplemented_dossier_is_a_409(app, make_dossier, officers, concurrent_change):
    code = make_dossier()
    officers["intake1"].act(code, "request_supplement", items=["legal_residence"], note="Bản chụp bị mờ.")
    with app.app_context():  # the citizen's time to supplement is up
        dossier = db.session.execute(select(Dossier).where(Dossier.code == code)).scalar_one()
        dossier.supplement_due_at = to_db(datetime.now(VN_TZ) - timedelta(minutes=5))
        db.session.commit()
    before = snapshot(app, code=code)
    concurrent_change.append(before[0])
    assert_conflict(officers["intake1"].act(code, "close_unsupplemented"), app, before, code=code)


def test_result_choices_saved_over_a_concurrent_change_are_a_409(app, make_dossier, officers, concurrent_change):
    code = make_dossier("1.004194")
    _take(app, officers, code, ["accept", "assign"])
    before = snapshot(app, code=code)
    concurrent_change.append(before[0])
    response = choose(officers["specialist1"], code, period="Từ ngày 05/12/2026 đến ngày 04/06/2027")
    assert_conflict(response, app, before, code=code)
    with app.app_context():
        assert db.session.execute(select(Dossier.result_choices).where(Dossier.code == code)).scalar_one() == {}


def test_a_rating_sent_over_a_concurrent_change_is_a_409(app, citizen, make_dossier, officers, concurrent_change):
    code = make_dossier()
    _take(app, officers, code, ["accept", "assign", "propose_result", "approve", "return_online"])
    before = snapshot(app, code=code)
    concurrent_change.append(before[0])
    response = citizen.post(f"/my/dossiers/{code}/rating", data={"score": "5", "comment": "Nhanh gọn."})
    assert_conflict(response, app, before, code=code)
    with app.app_context():
        assert db.session.execute(select(Dossier.rating_score).where(Dossier.code == code)).scalar_one() is None


def test_a_re_plan_over_a_concurrent_change_is_a_409(app, make_dossier, officers, concurrent_change):
    code = make_dossier("1.004194")
    _take(app, officers, code, ["accept"])
    admin = app.test_client()
    login_officer(admin, "admin")
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.code == code)).scalar_one()
        accepted, due, calendar = from_db(dossier.accepted_at), from_db(dossier.due_at), working_calendar()
    day_off = next(d for d in (accepted.date() + timedelta(days=n) for n in range(1, 60))
                   if d < due.date() and calendar.is_working_day(d))
    added = admin.post("/admin/calendar", data={"day": day_off.isoformat(), "kind": "day_off",
                                                "legal_reference": "Quyết định nghỉ bù (kiểm thử)"})
    assert added.status_code == 302
    assert code in admin.get("/admin/calendar/replan").get_data(as_text=True)  # it would move
    before = snapshot(app, code=code)
    concurrent_change.append(before[0])
    response = admin.post("/admin/calendar/replan")
    assert_conflict(response, app, before, code=code)
    assert code in response.get_data(as_text=True)  # the preview as it is now: it would still move


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


def test_a_linked_draft_changed_meanwhile_is_a_409(app, citizen, citizen_id, concurrent_change):
    draft, _typed = fill_linked(app, citizen, "2.002621", citizen_id, newborn_answers("Nguyễn Xung Đột"))
    before = snapshot(app, public_id=draft.public_id)
    concurrent_change.append(before[0])
    response = citizen.post(f"/apply/{draft.public_id}/submit", data={"payment": "none"})
    assert_conflict(response, app, before, public_id=draft.public_id)
    with app.app_context():  # no group and no component dossier either
        assert db.session.execute(select(func.count()).select_from(DossierGroup)
                                  .where(DossierGroup.applicant_personal_id == citizen_id)).scalar_one() == 0


@pytest.mark.parametrize("change", ["remove", "add"])
def test_a_document_removed_or_added_on_a_draft_changed_meanwhile_is_a_409(app, citizen, draft, concurrent_change,
                                                                           change):
    if change == "remove":  # the button beside an attached document
        with app.app_context():
            attachment_id = db.session.execute(select(Attachment.id).where(Attachment.dossier_id == draft.id)).scalar()
        data = {"remove": str(attachment_id)}
    else:  # the step sent again with one more file
        data = {"doc_birth_certificate_medical": (io.BytesIO(PDF.replace(b"%%EOF", b"%2\n%%EOF")), "ban-2.pdf")}
    before = snapshot(app, public_id=draft.public_id)
    concurrent_change.append(before[0])
    response = citizen.post(f"/apply/{draft.public_id}/steps/documents", data=data, content_type="multipart/form-data")
    assert_conflict(response, app, before, public_id=draft.public_id)


def test_photo_pages_made_a_pdf_on_a_draft_changed_meanwhile_are_a_409(app, citizen, draft, concurrent_change):
    url = f"/apply/{draft.public_id}/steps/documents"
    pages = [(io.BytesIO(photo("PNG", (600, 800), colour)), f"{colour}.png") for colour in ("red", "blue")]
    sent = citizen.post(url, data={"doc_birth_certificate_medical": pages}, content_type="multipart/form-data")
    assert sent.status_code == 302 and "#doc_birth_certificate_medical" in sent.headers["Location"]
    before = snapshot(app, public_id=draft.public_id)
    concurrent_change.append(before[0])
    response = citizen.post(url, data={"pages-doc_birth_certificate_medical": "combine"})
    assert_conflict(response, app, before, public_id=draft.public_id)
    assert 'value="combine"' in citizen.get(url).get_data(as_text=True)  # the pages still wait to be combined


def test_a_payment_notified_over_a_concurrent_change_is_kept_and_the_submission_waits(
    app, citizen, citizen_id, person, concurrent_change
):
    """Not a 409: the gateway's notification records the payment first, and the submission it
    pays for runs after it in a savepoint (ARCHITECTURE rule 2); the citizen submits again."""
    paid = apply_until_check(app, citizen, "1.004194", citizen_id, person.spouse_id)
    back = pay_now(citizen, paid)  # where the gateway sends the payer back: the signed outcome
    outcome = dict(pair.split("=", 1) for pair in back.split("?", 1)[1].split("&"))
    before = snapshot(app, public_id=paid.public_id)
    concurrent_change.append(before[0])
    response = app.test_client().post("/payments/notify", data=outcome)
    assert response.get_json() == {"status": "recorded", "payment": "paid"}
    assert snapshot(app, public_id=paid.public_id) == before  # still the draft, as it was
    with app.app_context():
        payments = db.session.execute(select(Payment.status).where(Payment.dossier_id == paid.id)).scalars().all()
    assert payments == ["paid"]
