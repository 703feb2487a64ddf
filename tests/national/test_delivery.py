"""The delivery worker against the mock national portal over HTTP: in order, exactly once,
through outages, slowness and a wrong secret, with the backoff stored on each message."""
from __future__ import annotations

from datetime import timedelta

import requests

from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.national_portal.protocol import SIGNATURE_HEADER, encode, sign
from portal.notifications.national import deliver_batch
from tests.national.conftest import SECRET, TIMEOUT, WALK, WALK_CODES, messages, new_dossier, walk

FIRST, SECOND = "000.09.27.H26-260701-0201", "000.09.27.H26-260701-0202"
SHORT_TIMEOUT = 0.5  # seconds; the receiver answers after twice that, however loaded the machine


def _received(receiver, code: str) -> list[int]:
    return [s["sequence"] for s in receiver.statuses(code)]


def test_statuses_arrive_in_order_and_once_through_a_failing_then_recovering_receiver(app, receiver, clock):
    with app.app_context():
        first, second = new_dossier(FIRST), new_dossier(SECOND)
        walk(first)
        walk(second, WALK[:3])
        db.session.commit()
    receiver.control(fail_status=503, fail_times=4)
    batches = 0
    with app.app_context():
        while (report := deliver_batch(now=clock.now)).waiting:
            batches += 1
            assert batches < 20, report.summary()
            # Whatever got through, each dossier's national portal holds an unbroken 1, 2, 3…
            for code in (FIRST, SECOND):
                got = _received(receiver, code)
                assert got == list(range(1, len(got) + 1))
            clock.advance(3600)
        rows = messages()
    assert batches >= 4  # the outage was felt: four failed attempts, one per batch
    for code, expected in ((FIRST, WALK_CODES), (SECOND, [1, 2, 4])):
        statuses = receiver.statuses(code)
        assert [s["status_code"] for s in statuses] == expected
        assert [s["sequence"] for s in statuses] == list(range(1, len(expected) + 1))
        arrivals = [s["arrival"] for s in statuses]
        assert arrivals == sorted(arrivals)  # received in the order of the changes
        assert receiver.lookup(code).json()["missing_sequences"] == []
    assert all(row.sent_at is not None for row in rows)
    failed = [row for row in rows if row.attempts > 1]
    assert sum(row.attempts - 1 for row in rows) == 4 and all("503" in row.last_error for row in failed)


def test_failed_attempts_back_off_exponentially_and_later_changes_wait(app, receiver, clock):
    receiver.control(fail_status=500)
    with app.app_context():
        dossier = new_dossier(FIRST)
        walk(dossier, WALK[:2])
        db.session.commit()
        head, later = messages(dossier.id)
        waits = []
        for _ in range(3):
            report = deliver_batch(now=clock.now)
            assert (report.sent, report.failed, report.waiting) == (0, 1, 2)
            db.session.refresh(head)
            waits.append(head.next_attempt_at - head.last_error_at)
            assert deliver_batch(now=clock.now).failed == 0  # not due yet, and the later one waits behind it
            clock.now = head.next_attempt_at
        db.session.refresh(later)
        assert waits == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
        assert (head.attempts, later.attempts, later.sent_at) == (3, 0, None)
        assert head.last_error.startswith("the national portal answered 500")
    assert _received(receiver, FIRST) == []
    receiver.control(fail_status=None)
    with app.app_context():
        assert deliver_batch(now=clock.now).sent == 2
    assert _received(receiver, FIRST) == [1, 2]


def test_a_slow_receiver_times_out_and_the_message_is_sent_again_once(app, receiver, clock, monkeypatch):
    monkeypatch.setitem(app.config, "NATIONAL_PORTAL_TIMEOUT", SHORT_TIMEOUT)
    receiver.control(delay=SHORT_TIMEOUT * 2)
    with app.app_context():
        dossier = new_dossier(FIRST)
        walk(dossier, WALK[:1])
        db.session.commit()
        report = deliver_batch(now=clock.now)
        assert (report.sent, report.failed) == (0, 1)
        assert report.last_error == f"no answer within {SHORT_TIMEOUT:g} s"
        receiver.control(delay=0)  # (the slow answer's record may land before or after the retry)
        monkeypatch.setitem(app.config, "NATIONAL_PORTAL_TIMEOUT", TIMEOUT)  # the retry must get its answer
        assert deliver_batch(now=clock.advance(30)).sent == 1
        [row] = messages(dossier.id)
        assert (row.attempts, row.sent_at) == (2, clock.now)
    assert [s["status_code"] for s in receiver.statuses(FIRST)] == [1]


def test_a_wrong_secret_is_refused_and_nothing_is_recorded(app, receiver, clock, monkeypatch):
    monkeypatch.setitem(app.config, "NATIONAL_PORTAL_SECRET", "not-the-shared-secret")
    with app.app_context():
        dossier = new_dossier(FIRST)
        walk(dossier, WALK[:1])
        db.session.commit()
        report = deliver_batch(now=clock.now)
        assert report.failed == 1 and "401" in report.last_error
    assert receiver.lookup(FIRST).status_code == 404
    monkeypatch.setitem(app.config, "NATIONAL_PORTAL_SECRET", SECRET)
    with app.app_context():
        assert deliver_batch(now=clock.advance(30)).sent == 1
    assert _received(receiver, FIRST) == [1]


def test_the_receiver_checks_the_signature_and_keeps_one_copy_per_key(receiver):
    message = {"dossier_code": FIRST, "sequence": 1, "status_code": 1}
    body = encode(message)
    url = f"{receiver.url}/status-updates"

    def post(data: bytes, signature: str) -> requests.Response:
        return requests.post(url, data=data, headers={SIGNATURE_HEADER: signature}, timeout=5)

    tampered = encode({**message, "status_code": 9})
    assert post(tampered, sign(body, SECRET)).status_code == 401  # the signature of another body
    assert post(body, "").status_code == 401
    assert post(body, sign(body, SECRET)).json() == {"result": "recorded"}
    assert post(body, sign(body, SECRET)).json() == {"result": "duplicate"}
    assert post(tampered, sign(tampered, SECRET)).status_code == 409  # the same key with another body
    assert [s["status_code"] for s in receiver.statuses(FIRST)] == [1]


def test_the_command_delivers_and_the_portal_works_while_the_receiver_is_down(app, receiver, runner):
    receiver.control(fail_status=503)
    with app.app_context():
        dossier = new_dossier(FIRST)
        walk(dossier, WALK[:2])  # the officers' work goes on: the changes wait in the outbox
        db.session.commit()
        assert db.session.get(Dossier, dossier.id).status == "accepted"
    result = runner.invoke(args=["national-sync", "deliver"])
    assert result.exit_code == 0 and "Sent 0, failed 1 (tried again later), waiting 2" in result.output
    receiver.control(fail_status=None)
    with app.app_context():
        deliver_batch(now=messages()[0].next_attempt_at)
    assert _received(receiver, FIRST) == [1, 2]


def test_the_receiver_is_told_how_to_misbehave_only_within_bounds(receiver):
    assert receiver.control(fail_status=503, fail_times=1) == {"fail_status": 503, "fail_times": 1, "delay": 0.0}
    for refused in ({"fail_status": 404}, {"fail_times": -1}, {"delay": 600}):
        assert receiver.http.put(f"{receiver.url}/control", json=refused, timeout=5).status_code == 400
    body = encode({"dossier_code": FIRST, "sequence": 1, "status_code": 1})
    answers = [requests.post(f"{receiver.url}/status-updates", data=body, headers={SIGNATURE_HEADER: sign(body, SECRET)},
                             timeout=5).status_code for _ in range(2)]
    assert answers == [503, 200]  # failed once, as told, then back to normal
