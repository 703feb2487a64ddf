"""A dossier from intake to the returned result, as the officers and the citizen see it."""
from __future__ import annotations

import io
import re
import subprocess
import shutil
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.timeutil import from_db


def dossier_of(app, code: str) -> Dossier:
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.code == code)).scalar_one()
        _ = (dossier.events, dossier.clock, dossier.result_document, dossier.attachments)
        db.session.expunge_all()
        return dossier


def test_intake_queue_lists_new_online_dossiers(app, make_dossier, officers):
    code = make_dossier()
    page = officers["intake1"].client.get("/officer/queues/intake").get_data(as_text=True)
    assert code in page
    assert "Chờ tiếp nhận" in page
    # The nav shows the count of each queue.
    assert re.search(r"Chờ tiếp nhận <span class=\"nav-count\">\d+</span>", page)
    # Another agency's officer sees neither the dossier in a queue nor its page.
    assert code not in officers["intake2"].client.get("/officer/queues/intake").get_data(as_text=True)
    assert officers["intake2"].client.get(f"/officer/dossiers/{code}").status_code == 404


def test_full_journey_online_with_supplement_and_signed_result(app, make_dossier, officers, citizen, tmp_path):
    code = make_dossier("1.004194", delivery="online")
    intake, specialist, leader = officers["intake1"], officers["specialist1"], officers["leader1"]

    assert intake.act(code, "accept").status_code == 302
    accepted = dossier_of(app, code)
    assert accepted.status == "accepted" and accepted.status_code == 2
    assert [c.kind for c in accepted.clock] == ["start"]
    first_due = accepted.due_at
    assert accepted.due_at < accepted.legal_due_at  # 10 % sooner: online with online result

    assert intake.act(code, "assign", assignee=str(_specialist_id(app))).status_code == 302
    response = specialist.act(code, "request_supplement", items=["legal_residence"], note="Bản chụp hợp đồng thuê nhà bị mờ.")
    assert response.status_code == 302
    paused = dossier_of(app, code)
    assert paused.status == "supplement_requested" and paused.is_clock_paused
    assert specialist.client.get(f"/officer/dossiers/{code}/slips/02.pdf").status_code == 200

    # The citizen sees the request and sends the document.
    page = citizen.get(f"/my/dossiers/{code}").get_data(as_text=True)
    assert "Bản chụp hợp đồng thuê nhà bị mờ." in page and "Gửi hồ sơ bổ sung" in page
    pdf = b"%PDF-1.4\n%%EOF\n"
    response = citizen.post(
        f"/my/dossiers/{code}/supplement",
        data={"legal_residence": (io.BytesIO(pdf), "hop-dong.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    resumed = dossier_of(app, code)
    assert resumed.status == "in_process" and not resumed.is_clock_paused
    assert [c.kind for c in resumed.clock] == ["start", "pause", "resume"]
    assert resumed.due_at >= first_due  # the paused working time is added back
    assert code in specialist.client.get("/officer/queues/supplements").get_data(as_text=True)

    assert specialist.act(code, "propose_result", note="Đồng ý đăng ký tạm trú tại địa chỉ đã khai.").status_code == 302
    assert code in leader.client.get("/officer/queues/approval").get_data(as_text=True)
    assert leader.act(code, "approve").status_code == 302
    ready = dossier_of(app, code)
    assert ready.status == "result_ready" and ready.status_code == 9
    assert ready.outcome in ("early", "on_time")
    assert ready.result_document is not None

    result = leader.client.get(f"/officer/dossiers/{code}/result.pdf").data
    from portal.workflow.results import pki_dir
    from portal.paperwork import verify_pdf

    with app.test_request_context():
        check = verify_pdf(result, pki_dir())
    assert check.is_valid and check.is_intact
    if shutil.which("pdfsig"):
        signed = tmp_path / "result.pdf"
        signed.write_bytes(result)
        output = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True, check=False).stdout
        assert "Signature is Valid" in output

    assert intake.act(code, "return_online").status_code == 302
    returned = dossier_of(app, code)
    assert returned.status == "returned" and returned.status_code == 10 and returned.returned_at
    download = citizen.get(f"/my/dossiers/{code}/result.pdf")
    assert download.status_code == 200 and download.data == result
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(result)).pages)
    # The result is the legal notice (CT08) filled from the dossier; the proposal stays internal.
    assert code in text and "Đã được đăng ký tạm trú" in text and "Đồng ý đăng ký tạm trú" not in text


def _specialist_id(app) -> int:
    from portal.auth.models import User

    with app.app_context():
        return db.session.execute(select(User.id).where(User.username == "specialist1")).scalar_one()


def test_return_by_post_with_tracking_number(app, make_dossier, officers):
    code = make_dossier("1.004194", delivery="post")
    intake, specialist, leader = officers["intake1"], officers["specialist1"], officers["leader1"]
    intake.act(code, "accept")
    intake.act(code, "assign", assignee=str(_specialist_id(app)))
    specialist.act(code, "propose_result", note="Đồng ý.")
    leader.act(code, "approve")
    assert intake.act(code, "ship").status_code == 302
    shipped = dossier_of(app, code)
    from portal.dossiers.postal import is_valid_tracking_number

    assert shipped.status == "shipped" and is_valid_tracking_number(shipped.postal_tracking_number)
    assert intake.act(code, "return_to_sender", note="Không có người nhận.").status_code == 302
    assert dossier_of(app, code).status == "result_ready"
    intake.act(code, "ship", tracking_number="EB123456785VN")
    assert intake.act(code, "deliver").status_code == 302
    delivered = dossier_of(app, code)
    assert delivered.status == "returned" and delivered.postal_tracking_number == "EB123456785VN"


def test_invalid_tracking_number_is_refused(app, make_dossier, officers):
    code = make_dossier("1.004194", delivery="post")
    intake, specialist, leader = officers["intake1"], officers["specialist1"], officers["leader1"]
    intake.act(code, "accept")
    intake.act(code, "assign", assignee=str(_specialist_id(app)))
    specialist.act(code, "propose_result", note="Đồng ý.")
    leader.act(code, "approve")
    response = intake.act(code, "ship", tracking_number="EB123456789VN")
    assert response.status_code == 422
    assert "mã bưu gửi" in response.get_data(as_text=True) or "EB123456785VN" in response.get_data(as_text=True)
    assert dossier_of(app, code).status == "result_ready"


def test_refusal_at_intake_needs_a_reason_and_issues_slip_03(app, make_dossier, officers):
    code = make_dossier()
    intake = officers["intake1"]
    response = intake.act(code, "refuse", note="")
    assert response.status_code == 422
    assert dossier_of(app, code).status == "submitted"
    assert intake.act(code, "refuse", note="Hồ sơ không thuộc thẩm quyền.").status_code == 302
    assert dossier_of(app, code).status == "not_accepted"
    slip = intake.client.get(f"/officer/dossiers/{code}/slips/03.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(slip.data)).pages)
    assert code in text and "không thuộc thẩm quyền" in text


def test_extension_keeps_the_dossier_late(app, make_dossier, officers):
    code = make_dossier()
    intake, specialist, leader = officers["intake1"], officers["specialist1"], officers["leader1"]
    intake.act(code, "accept")
    intake.act(code, "assign", assignee=str(_specialist_id(app)))
    due = from_db(dossier_of(app, code).due_at)
    later = due + timedelta(days=7)  # within the 10 working days an extension may add by default
    new_due = later.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M")
    assert specialist.act(code, "propose_extension", new_due_at=new_due, note="Cần xác minh thêm.").status_code == 302
    assert leader.act(code, "approve_extension").status_code == 302
    extended = dossier_of(app, code)
    assert [c.kind for c in extended.clock] == ["start", "extend"]
    assert from_db(extended.due_at) == later
    slip = leader.client.get(f"/officer/dossiers/{code}/slips/04.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(slip.data)).pages)
    assert code in text and "Cần xác minh thêm." in text
    specialist.act(code, "propose_result", note="Đồng ý.")
    leader.act(code, "approve")
    assert dossier_of(app, code).outcome in ("early", "on_time")  # done before the first appointment


def test_payment_request_pauses_and_payment_resumes(app, make_dossier, officers, citizen):
    code = make_dossier()
    intake, specialist = officers["intake1"], officers["specialist1"]
    intake.act(code, "accept")
    intake.act(code, "assign", assignee=str(_specialist_id(app)))
    assert specialist.act(code, "request_payment", amount="50.000", note="Phí thẩm định.").status_code == 302
    requested = dossier_of(app, code)
    assert requested.status == "payment_requested" and requested.status_code == 6 and requested.is_clock_paused
    response = citizen.post(f"/my/dossiers/{code}/pay")
    gateway = citizen.get(response.headers["Location"]).get_data(as_text=True)
    assert "50.000\u00a0₫" in gateway
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', gateway))
    back = citizen.post("/mock-gateway/pay", data={**fields, "outcome": "success"})
    citizen.get(back.headers["Location"])
    paid = dossier_of(app, code)
    assert paid.status == "in_process" and paid.payment_status == "paid" and not paid.is_clock_paused


def test_citizen_withdraws_and_the_clock_stops(app, make_dossier, officers, citizen):
    code = make_dossier()
    officers["intake1"].act(code, "accept")
    response = citizen.post(f"/my/dossiers/{code}/withdraw", data={"reason": "Không còn nhu cầu"})
    assert response.status_code == 422  # not confirmed
    assert citizen.post(f"/my/dossiers/{code}/withdraw", data={"confirm": "yes"}).status_code == 302
    withdrawn = dossier_of(app, code)
    assert withdrawn.status == "withdrawn" and withdrawn.status_code == 7
    assert [c.kind for c in withdrawn.clock] == ["start", "stop"]


def test_leader_stops_processing_with_slip_05(app, make_dossier, officers):
    code = make_dossier()
    officers["intake1"].act(code, "accept")
    assert officers["leader1"].act(code, "stop", note="Công dân không bổ sung trong thời hạn.").status_code == 302
    assert dossier_of(app, code).status_code == 8
    slip = officers["leader1"].client.get(f"/officer/dossiers/{code}/slips/05.pdf")
    assert slip.status_code == 200


def test_a_stale_form_is_refused_with_the_fresh_state(app, make_dossier, officers):
    code = make_dossier()
    intake = officers["intake1"]
    version = re.search(r'name="version" value="(\d+)"', intake.page(code)).group(1)
    assert intake.act(code, "accept").status_code == 302
    response = intake.client.post(f"/officer/dossiers/{code}/actions/refuse", data={"version": version, "note": "x"})
    assert response.status_code == 409
    assert "đã được cập nhật bởi người khác" in response.get_data(as_text=True)
    assert dossier_of(app, code).status == "accepted"


def test_control_sheet_and_register(app, make_dossier, officers):
    code = make_dossier()
    intake = officers["intake1"]
    intake.act(code, "accept")
    sheet = intake.client.get(f"/officer/dossiers/{code}/slips/06.pdf")
    assert sheet.status_code == 200
    csv_text = intake.client.get("/officer/register?format=csv").get_data(as_text=True)
    assert code in csv_text
    assert intake.client.get("/officer/register").mimetype == "application/pdf"


def test_officer_pages_need_an_officer(client, citizen_id):
    response = client.get("/officer/queues/intake")
    assert response.status_code == 302 and "/login/officer" in response.headers["Location"]
    from tests.conftest import login_citizen

    login_citizen(client, citizen_id)
    assert client.get("/officer/queues/intake").status_code == 403


def test_failed_payment_of_a_requested_fee_keeps_waiting(app, make_dossier, officers, citizen):
    code = make_dossier()
    intake, specialist = officers["intake1"], officers["specialist1"]
    intake.act(code, "accept")
    intake.act(code, "assign", assignee=str(_specialist_id(app)))
    specialist.act(code, "request_payment", amount="50.000", note="Phí thẩm định.")
    response = citizen.post(f"/my/dossiers/{code}/pay")
    gateway = citizen.get(response.headers["Location"]).get_data(as_text=True)
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', gateway))
    back = citizen.post("/mock-gateway/pay", data={**fields, "outcome": "failed"})
    page = citizen.get(back.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Khoản phí vẫn chưa được nộp" in page and "chưa được nộp; bản nháp" not in page
    assert dossier_of(app, code).status == "payment_requested"
