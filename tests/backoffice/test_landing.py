"""An officer's day starts on work: where each role lands, the order of the queues, filters
that stay set, the assignee picker, and answers labelled from the officer's side."""
from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from tests.conftest import login_officer


def _sign_in(app, username: str) -> tuple[FlaskClient, str]:
    """A fresh browser signs in; returns it and the page it lands on after the redirects."""
    client = app.test_client()
    response = login_officer(client, username)
    assert response.status_code == 302
    landed = client.get(response.headers["Location"], follow_redirects=True)
    return client, landed.request.path


def _nav(client: FlaskClient, path: str = "/officer/queues/all") -> list[tuple[str, int]]:
    """The queues of the navigation bar with their counts, in order."""
    page = client.get(path).get_data(as_text=True)
    bar = page[page.index('class="site-nav site-nav-bar"'):]
    return [(label.strip(), int(n)) for label, n in re.findall(r'>([^<>]+) <span class="nav-count">(\d+)</span>', bar)]


def _heading(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", re.search(r"<h1>(.*?)</h1>", page, re.S).group(1))).strip()


def _user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.execute(select(User.id).where(User.username == username)).scalar_one()


def test_each_role_lands_on_the_first_queue_with_work(app, make_dossier, officers):
    waiting, assigned = make_dossier(), make_dossier()
    intake, specialist = officers["intake1"], officers["specialist1"]
    intake.act(assigned, "accept")
    intake.act(assigned, "assign", assignee=str(_user_id(app, "specialist1")))
    specialist.act(assigned, "propose_result", note="Đồng ý.")

    # The one-stop officer lands on the intake queue, not on the citizens' home page.
    client, landed = _sign_in(app, "intake1")
    assert landed == "/officer/queues/intake"
    assert _heading(client, landed) == "Chờ tiếp nhận (1)"
    # The leader: the dossier waiting for approval, not the empty "to assign".
    client, landed = _sign_in(app, "leader1")
    assert landed == "/officer/queues/approval"
    assert _heading(client, landed) == "Chờ phê duyệt (1)"
    assert _nav(client) == [("Chờ phê duyệt", 1), ("Chờ phân công", 0)]
    # The specialist: their own dossiers first (not the empty "supplements received").
    assert waiting  # still waiting for intake: nobody's own dossier yet
    client, landed = _sign_in(app, "specialist1")
    assert landed == "/officer/queues/mine"
    assert _nav(client) == [("Hồ sơ của tôi", 0), ("Đã bổ sung", 0)]
    # The administrator: the administration.
    assert _sign_in(app, "admin")[1] == "/admin/"


def test_with_nothing_to_do_an_officer_lands_on_the_first_queue_of_the_role(app, make_dossier, officers):
    code = make_dossier()
    officers["intake1"].act(code, "accept")  # to assign: work for the one-stop officer and the leader
    client, landed = _sign_in(app, "leader1")
    assert landed == "/officer/queues/to_assign"  # nothing to approve: the next queue with work
    assert _sign_in(app, "specialist1")[1] == "/officer/queues/mine"  # nothing anywhere: the first
    client, landed = _sign_in(app, "intake1")
    assert landed == "/officer/queues/to_assign"
    assert _nav(client) == [("Chờ tiếp nhận", 0), ("Đã bổ sung", 0), ("Quá hạn bổ sung", 0), ("Chờ phân công", 1),
                            ("Trả kết quả", 0)]


def test_a_queue_keeps_the_officers_filters_until_they_change_them(app, make_dossier, officers):
    online = make_dossier()
    intake = officers["intake1"].client
    page = intake.get("/officer/queues/intake", query_string={"channel": "counter", "procedure": "", "status": ""})
    assert online not in page.get_data(as_text=True)
    # Back later, from another browser: the list is still filtered, and says so.
    again, _ = _sign_in(app, "intake1")
    page = again.get("/officer/queues/intake").get_data(as_text=True)
    assert online not in page
    assert "Đang lọc:" in page and "Nộp tại quầy" in page and 'value="counter" selected' in page
    assert "Không có hồ sơ nào của danh sách này khớp với bộ lọc." in page
    # Another queue and another officer keep their own.
    assert "Đang lọc:" not in again.get("/officer/queues/returns").get_data(as_text=True)
    assert "Đang lọc:" not in officers["leader1"].client.get("/officer/queues/to_assign").get_data(as_text=True)
    # "Show all" clears them, for the next visits too.
    clear = re.search(r'<a href="([^"]+)">Hiện tất cả</a>', page).group(1).replace("&amp;", "&")
    assert online in again.get(clear).get_data(as_text=True)
    page = again.get("/officer/queues/intake").get_data(as_text=True)
    assert online in page and "Đang lọc:" not in page


def test_the_assignee_picker_shows_name_username_and_open_dossiers(app, make_dossier, officers):
    first, second = make_dossier(), make_dossier()
    intake = officers["intake1"]
    for code in (first, second):
        intake.act(code, "accept")
    intake.act(first, "assign", assignee=str(_user_id(app, "specialist1")))
    page = intake.page(second)
    picker = page[page.index('<fieldset class="assignees">'):page.index("</fieldset>", page.index('<fieldset class="assignees">'))]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", picker))
    assert "Trần Văn Minh (specialist1) 1 hồ sơ đang xử lý" in text
    assert f'name="assignee" value="{_user_id(app, "specialist1")}"' in picker
    assert "Vũ Đức Anh" not in text  # another agency's specialist


def test_the_officer_reads_who_typed_each_answer_from_their_side(app, make_dossier, officers, citizen):
    code = make_dossier()
    officer_page = officers["intake1"].page(code)
    assert "Công dân nhập" in officer_page and "Từ CSDL quốc gia về dân cư" in officer_page
    assert "Do bạn nhập" not in officer_page and "Dùng lại từ kho giấy tờ của bạn" not in officer_page
    # The citizen reads the same answers as their own.
    citizen_page = citizen.get(f"/my/dossiers/{code}").get_data(as_text=True)
    assert "Do bạn nhập" in citizen_page and "Công dân nhập" not in citizen_page
