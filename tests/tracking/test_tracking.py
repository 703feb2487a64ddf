"""Tracking by code: the public page and API, masking, details with the last four ID digits."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from openapi_schema_validator import OAS31Validator
from sqlalchemy import select

from portal.auth.models import User
from portal.dossiers.models import Dossier, Rating
from portal.dossiers.states import status_label
from portal.extensions import db
from portal.textutil import mask_name
from portal.timeutil import from_db


@pytest.mark.parametrize(
    ("name", "masked"),
    [("Nguyễn Văn An", "Nguyễn V*** A"), ("Trần Thị Mai Hương", "Trần T*** M*** H"), ("Lê Phương", "Lê P***"), ("An", "A***")],
)
def test_names_are_masked(name, masked):
    assert mask_name(name) == masked


def test_anyone_tracks_a_dossier_by_code(app, make_dossier, officers, client, person):
    code = make_dossier()
    officers["intake1"].act(code, "accept", note="Hồ sơ hợp lệ.")
    officers["intake1"].act(code, "assign", assignee=str(_id(app, "specialist1")))
    anonymous = app.test_client()
    page = anonymous.get("/track", query_string={"code": code}).get_data(as_text=True)
    assert "Đăng ký tạm trú" in page and "Được tiếp nhận" in page or "Đang xử lý" in page
    assert "mã trạng thái quốc gia 4" in page  # assigned: being processed
    assert "Hồ sơ hợp lệ." in page  # public note
    assert person.full_name not in page and _masked(person.full_name) in page
    assert "specialist" not in page and "Phân công" not in page  # internal steps stay inside


def _masked(name: str) -> str:
    return mask_name(name)


def _id(app, username: str) -> int:
    with app.app_context():
        return db.session.execute(select(User.id).where(User.username == username)).scalar_one()


def test_last_four_id_digits_show_the_full_name(app, make_dossier, person, citizen_id):
    code = make_dossier()
    anonymous = app.test_client()
    wrong = anonymous.post("/track", data={"code": code, "id_last4": "0000" if citizen_id[-4:] != "0000" else "1111"})
    assert person.full_name not in wrong.get_data(as_text=True)
    assert "không phải 4 số cuối" in wrong.get_data(as_text=True)
    right = anonymous.post("/track", data={"code": code, "id_last4": citizen_id[-4:]})
    assert person.full_name in right.get_data(as_text=True)


def test_the_signed_in_applicant_sees_the_full_name(app, make_dossier, citizen, person):
    code = make_dossier()
    assert person.full_name in citizen.get("/track", query_string={"code": code}).get_data(as_text=True)


@pytest.mark.parametrize(("code", "status", "message"), [
    ("abc", 400, "Mã hồ sơ có dạng"),
    ("000.09.27.H26-260701-9999", 404, "Không có hồ sơ nào có mã"),
])
def test_malformed_and_unknown_codes(client, code, status, message):
    response = client.get("/track", query_string={"code": code})
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert f'value="{code}"' in response.get_data(as_text=True)


def test_tracking_api_matches_the_openapi_schema(app, make_dossier, officers, client):
    code = make_dossier()
    officers["intake1"].act(code, "accept")
    body = client.get(f"/api/v1/tracking/{code}").get_json()
    schema = client.get("/api/openapi.json").get_json()
    tracking_schema = {**schema["components"]["schemas"]["Tracking"], "components": schema["components"]}
    OAS31Validator(tracking_schema).validate(body)
    assert body["code"] == code and body["status_code"] == 2 and body["procedure_code"] == "1.004194"
    assert body["due_at"].endswith("+07:00") and body["is_due_estimated"] is False
    assert [t["status_code"] for t in body["timeline"]] == [1, 2]
    assert "*" in body["applicant"]
    assert client.get("/api/v1/tracking/nope").status_code == 400
    missing = client.get("/api/v1/tracking/000.09.27.H26-260701-9999")
    assert missing.status_code == 404 and missing.is_json


def test_tracking_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, TRACKING_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [client.get("/track", query_string={"code": "abc"}).status_code for _ in range(2)]
    codes += [client.get("/api/v1/tracking/abc").status_code for _ in range(2)]
    assert codes == [400, 400, 400, 429]  # one budget for the page and the API together
    assert "Quá nhiều lần thử" in client.get("/track").get_data(as_text=True)


def test_citizen_rates_a_returned_dossier_once(app, make_dossier, officers, citizen):
    code = make_dossier()
    intake, specialist, leader = officers["intake1"], officers["specialist1"], officers["leader1"]
    assert citizen.post(f"/my/dossiers/{code}/rating", data={"score": "5"}).status_code == 302  # too early
    intake.act(code, "accept")
    intake.act(code, "assign", assignee=str(_id(app, "specialist1")))
    specialist.act(code, "propose_result", note="Đồng ý.")
    leader.act(code, "approve")
    intake.act(code, "return_online")
    assert citizen.post(f"/my/dossiers/{code}/rating", data={"score": "9"}).status_code == 422
    assert citizen.post(f"/my/dossiers/{code}/rating", data={"score": "4", "comment": "Nhanh"}).status_code == 302
    page = citizen.get(f"/my/dossiers/{code}").get_data(as_text=True)
    assert "4/5" in page or "4 trên 5" in page
    citizen.post(f"/my/dossiers/{code}/rating", data={"score": "1"})
    with app.app_context():
        dossier_id = db.session.execute(select(Dossier.id).where(Dossier.code == code)).scalar_one()
        assert [r.score for r in db.session.execute(select(Rating).where(Rating.dossier_id == dossier_id)).scalars()] == [4]


def test_switching_the_language_after_the_details_post_shows_the_dossier_again(app, make_dossier):
    code = make_dossier()
    browser = app.test_client()
    page = browser.post("/track", data={"code": code, "id_last4": "0000"}).get_data(as_text=True)
    target = re.search(r'name="next" value="([^"]+)"', page).group(1)
    switched = browser.post("/language", data={"lang": "en", "next": html.unescape(target)}, follow_redirects=True)
    assert code in switched.get_data(as_text=True) and "Track a dossier" in switched.get_data(as_text=True)


def test_the_api_answers_the_dossier_and_its_public_events_in_order(app, make_dossier, officers):
    """The lookup reads the dossier once and each event once (issue 19): what it answers is
    what the ORM reads of the same dossier, and its public events in the order they happened,
    whatever order they were recorded in; two at the same instant in the order recorded."""
    code = make_dossier()
    officers["intake1"].act(code, "accept", note="Hồ sơ hợp lệ.")
    officers["intake1"].act(code, "assign", assignee=str(_id(app, "specialist1")))  # not public

    def timeline_after(shift: timedelta) -> list[tuple[str, str]]:
        """The acceptance moved to ``shift`` after the submission; the timeline the API answers."""
        with app.app_context():
            dossier = db.session.execute(select(Dossier).where(Dossier.code == code)).scalar_one()
            submitted, accepted = (next(e for e in dossier.events if e.action == a) for a in ("submit", "accept"))
            accepted.at = submitted.at + shift
            db.session.commit()
            due = from_db(dossier.due_at).isoformat()
        answer = app.test_client().get(f"/api/v1/tracking/{code}").get_json()
        assert answer["code"] == code and answer["status"] == "in_process"
        assert answer["procedure_code"] == "1.004194" and answer["agency"]
        assert answer["due_at"] == due and answer["is_due_estimated"] is False
        return [(t["status"], t["note"]) for t in answer["timeline"]]

    submitted, accepted = status_label("submitted", "vi"), (status_label("accepted", "vi"), "Hồ sơ hợp lệ.")
    # At the same instant: in the order recorded (the submission first).
    same_instant = timeline_after(timedelta(0))
    assert [s for s, _ in same_instant] == [submitted, accepted[0]] and same_instant[1] == accepted
    # Recorded later but dated earlier: first.
    earlier = timeline_after(timedelta(minutes=-5))
    assert [s for s, _ in earlier] == [accepted[0], submitted] and earlier[0] == accepted
