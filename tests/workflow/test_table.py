"""Every state × action × role: allowed or refused, as DESIGN §4 and issue 5 describe it."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from portal.deadlines import VN_TZ
from portal.dossiers.states import NATIONAL_CODES, Status
from portal.workflow.transitions import TRANSITIONS, refusal_reason

ROLES = ("citizen", "intake", "specialist", "leader", "admin", "system")
OPEN = {"accepted", "in_process", "pending_approval", "supplement_requested", "payment_requested"}

# Written from the domain rules, not from the code: (action) -> (states it may start from, roles).
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    # "system": a component of a linked dossier sent on to its agency (issue 21).
    "submit": ({"draft"}, {"citizen", "intake", "system"}),
    "accept": ({"submitted"}, {"intake"}),
    # A linked component received, or stopped, when the component it waits for ends (issue 21).
    "receive_linked": ({"submitted"}, {"system"}),
    "stop_linked": ({"submitted"} | OPEN, {"system"}),
    "refuse": ({"submitted"}, {"intake"}),
    "request_supplement": ({"submitted", "accepted", "in_process"}, {"intake", "specialist"}),
    "supplement": ({"supplement_requested"}, {"citizen"}),
    "assign": ({"accepted", "in_process"}, {"intake", "leader"}),
    "propose_result": ({"in_process"}, {"specialist"}),
    "send_back": ({"pending_approval"}, {"leader"}),
    "approve": ({"pending_approval"}, {"leader"}),
    "request_payment": ({"in_process"}, {"specialist"}),
    "record_payment": ({"payment_requested"}, {"citizen", "intake"}),
    "propose_extension": ({"accepted", "in_process", "pending_approval"}, {"specialist"}),
    "approve_extension": ({"accepted", "in_process", "pending_approval"}, {"leader"}),
    "replan": (OPEN, {"admin"}),
    "stop": (OPEN, {"leader"}),
    "withdraw": ({"submitted"} | OPEN, {"citizen"}),
    "close_unsupplemented": ({"supplement_requested"}, {"intake"}),
    "return_online": ({"result_ready"}, {"intake"}),
    "return_counter": ({"result_ready"}, {"intake"}),
    "ship": ({"result_ready"}, {"intake"}),
    "deliver": ({"shipped"}, {"intake"}),
    "return_to_sender": ({"shipped"}, {"intake"}),
}


def test_every_action_is_in_the_expected_table():
    assert set(TRANSITIONS) == set(EXPECTED)


def test_every_state_maps_to_one_national_code():
    assert {code for status, code in NATIONAL_CODES.items() if status is not Status.DRAFT} == set(range(1, 11))


def _actor(role: str):
    if role == "system":
        return None
    if role == "citizen":
        return SimpleNamespace(id=1, is_citizen=True, is_officer=False, role=None, personal_id="001090000001", agency_id=None)
    return SimpleNamespace(id=2, is_citizen=False, is_officer=True, role=role, personal_id=None, agency_id=7)


def _dossier(status: str, action: str):
    """A dossier in ``status`` that satisfies every guard about its own data."""
    delivery = {"ship": "post", "return_online": "online"}.get(action, "counter")
    return SimpleNamespace(
        status=status, agency_id=7, applicant_personal_id="001090000001", delivery=delivery,
        assigned_to_id=None, result_body="Đồng ý đăng ký.", extension_due_at=datetime(2030, 1, 1),
        due_at=None, supplement_due_at=datetime(2026, 1, 5, 9, 0),  # a supplement time limit passed
        is_result_refusal=False, procedure_snapshot={"code": "2.000505"}, result_choices={"convictions": "Không có án tích"},
        linked=None,
    )


def _params(action: str) -> dict:
    return {
        "request_supplement": {"items": ["ct01"]},
        "assign": {"assignee": SimpleNamespace(role="specialist", agency_id=7, id=3)},
        "propose_extension": {"new_due_at": datetime(2030, 1, 1, tzinfo=VN_TZ)},
        "replan": {"planned_due_at": datetime(2030, 1, 1, tzinfo=VN_TZ)},
    }.get(action, {})


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("status", [s.value for s in Status])
@pytest.mark.parametrize("role", ROLES)
def test_transition_matrix(action, status, role):
    sources, roles = EXPECTED[action]
    reason = refusal_reason(_dossier(status, action), action, _actor(role), "Ghi chú", _params(action))
    if status in sources and role in roles:
        assert reason is None
    else:
        assert reason  # refused, with a message for the user


def test_refusals_say_why(app):
    with app.test_request_context():
        _check_messages()


def _check_messages():
    dossier = _dossier("returned", "accept")
    assert "Vai trò của bạn" in refusal_reason(dossier, "accept", _actor("citizen"), "", {})
    assert "Đã trả kết quả" in refusal_reason(dossier, "accept", _actor("intake"), "", {})
    other_agency = SimpleNamespace(**{**vars(_actor("intake")), "agency_id": 99})
    assert "cơ quan khác" in refusal_reason(_dossier("submitted", "accept"), "accept", other_agency, "", {})
    assert "lý do" in refusal_reason(_dossier("submitted", "refuse"), "refuse", _actor("intake"), " ", {})
