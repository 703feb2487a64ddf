"""The delivery worker: sends each due message once, backs off after failures, gives up in the end."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.extensions import db
from portal.notifications.delivery import INTERRUPTED, deliver_batch, retry_delay
from portal.notifications.models import Notification
from portal.notifications.senders import FailingSender, Sender
from tests.notifications.conftest import CODE, NOW, RecordingSender
from tests.notifications.smtp_server import SmtpServer

TRACK = f"http://127.0.0.1:5000/track?code={CODE}"


def reload(row: Notification) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, row.id)


# --- over a real SMTP connection -------------------------------------------------------------

def test_email_is_delivered_to_the_smtp_server(app, smtp_server, outbox, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_LOG_PATH", str(tmp_path / "sms.log"))
    email = outbox("email", "cong.dan@example.vn", "supplement_requested", locale="vi",
                   context={"code": CODE, "procedure": "Đăng ký thường trú", "note": "Thiếu bản sao giấy khai sinh."})
    sms = outbox("sms", "0912345678", "supplement_requested", locale="vi", context={"code": CODE})

    report = deliver_batch(now=NOW)

    assert (report.sent, report.retried, report.failed) == (2, 0, 0)
    [received] = smtp_server.messages
    message = received.message
    assert received.recipients == ["cong.dan@example.vn"]
    assert message["From"] == "no-reply@dichvucong.example"
    assert message["Subject"] == f"Hồ sơ {CODE} cần bổ sung"
    assert message["Message-ID"] == f"<notification-{email.id}@dichvucong.example>"
    text = message.get_content()
    assert "Thiếu bản sao giấy khai sinh." in text and TRACK in text
    email, sms = reload(email), reload(sms)
    assert (email.status, email.sent_at, email.attempts, email.subject) == ("sent", NOW, 1, message["Subject"])
    assert email.body == text.strip()
    [line] = (tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["to"] == "0912345678"
    assert json.loads(line)["text"] == sms.body == f"Hồ sơ {CODE} cần bổ sung. Tra cứu: {TRACK}"


def test_server_down_then_back_the_message_goes_on_retry(app, outbox, closed_port, monkeypatch):
    row = outbox()
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port)
    report = deliver_batch(now=NOW)
    row = reload(row)
    assert (report.retried, row.status, row.attempts) == (1, "pending", 1)
    assert row.next_attempt_at == NOW + timedelta(minutes=1)
    assert "cannot reach the mail server" in row.last_error

    with SmtpServer() as server:
        monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
        assert deliver_batch(now=NOW + timedelta(seconds=59)).handled == 0  # not due yet
        report = deliver_batch(now=NOW + timedelta(minutes=1))
    row = reload(row)
    assert (report.sent, row.status, row.attempts, row.last_error) == (1, "sent", 2, None)
    assert [r.recipients for r in server.messages] == [["cong.dan@example.vn"]]


@pytest.mark.parametrize(("command", "reply", "status"), [
    ("MAIL", "451 4.3.0 Mail server temporarily busy", "pending"),
    ("RCPT", "450 4.2.1 Mailbox busy, try again", "pending"),
    ("RCPT", "550 5.1.1 No such user", "failed"),
    ("MAIL", "554 5.7.1 Rejected", "failed"),
])
def test_a_4xx_answer_is_retried_and_a_5xx_is_final(smtp_server, outbox, command, reply, status):
    smtp_server.replies[command] = reply
    row = outbox()
    deliver_batch(now=NOW)
    row = reload(row)
    assert (row.status, row.attempts) == (status, 1)
    assert reply[:3] in row.last_error
    assert smtp_server.messages == []


def test_a_connection_lost_after_the_message_is_never_retried(smtp_server, outbox):
    """The server may have delivered it: at most once means not sending it again."""
    smtp_server.drop_after_data = True
    row = outbox()
    report = deliver_batch(now=NOW)
    row = reload(row)
    assert (report.failed, row.status) == (1, "failed")
    assert row.last_error.startswith("outcome unknown, not sent again")
    assert deliver_batch(now=NOW + timedelta(days=1)).handled == 0
    assert len(smtp_server.messages) == 1


# --- the outbox rules, with a recording channel ------------------------------------------------

def test_failures_back_off_exponentially_then_give_up(app, outbox):
    row = outbox()
    senders = {"email": FailingSender("gateway down")}
    now, waits = NOW, []
    while (row := reload(row)).status == "pending":
        assert deliver_batch(now=now - timedelta(seconds=1), senders=senders).handled == 0
        deliver_batch(now=now, senders=senders)
        row = reload(row)
        if row.status == "pending":
            waits.append(row.next_attempt_at - now)
            now = row.next_attempt_at
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert (row.status, row.attempts, row.last_error) == ("failed", app.config.get("NOTIFICATION_MAX_ATTEMPTS", 6), "gateway down")
    assert deliver_batch(now=now + timedelta(days=1), senders=senders).handled == 0


def test_max_attempts_comes_from_the_configuration(app, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFICATION_MAX_ATTEMPTS", 2)
    row = outbox()
    senders = {"email": FailingSender()}
    assert deliver_batch(now=NOW, senders=senders).retried == 1
    assert deliver_batch(now=NOW + timedelta(minutes=1), senders=senders).failed == 1
    assert (reload(row).status, reload(row).attempts) == ("failed", 2)


def test_a_sent_message_is_never_sent_again(outbox, recorder):
    row = outbox()
    first = deliver_batch(now=NOW, senders={"email": recorder})
    second = deliver_batch(now=NOW + timedelta(days=30), senders={"email": recorder})
    assert (first.sent, second.handled) == (1, 0)
    assert [m.notification_id for m in recorder.sent] == [row.id]


def test_an_interrupted_send_is_given_up_not_repeated(outbox, recorder):
    """A worker that died between claiming and recording leaves the row ``sending``."""
    stale = outbox(status="sending", attempts=1, claimed_at=NOW - timedelta(minutes=11))
    recent = outbox(status="sending", attempts=1, claimed_at=NOW - timedelta(minutes=1))
    report = deliver_batch(now=NOW, senders={"email": recorder})
    assert (report.interrupted, report.handled) == (1, 0)
    assert (reload(stale).status, reload(stale).last_error) == ("failed", INTERRUPTED)
    assert reload(recent).status == "sending"  # its worker may still be talking to the server
    assert recorder.sent == []


def test_an_unexpected_sender_error_is_not_retried(outbox):
    class Exploding(Sender):
        def send(self, message):
            raise RuntimeError("socket closed mid-write")

    row = outbox()
    assert deliver_batch(now=NOW, senders={"email": Exploding()}).failed == 1
    row = reload(row)
    assert row.status == "failed"
    assert "socket closed mid-write" in row.last_error


def test_a_message_that_cannot_be_rendered_fails_without_stopping_the_batch(outbox, recorder):
    broken = outbox(template="no_such_template")
    fine = outbox()
    report = deliver_batch(now=NOW, senders={"email": recorder})
    assert (report.sent, report.failed) == (1, 1)
    assert reload(broken).last_error.startswith("cannot render the message")
    assert [m.notification_id for m in recorder.sent] == [fine.id]


def test_oldest_due_first_and_at_most_limit_per_batch(outbox, recorder):
    rows = [outbox(next_attempt_at=NOW - timedelta(minutes=m)) for m in (1, 3, 2)]
    later = outbox(next_attempt_at=NOW + timedelta(minutes=5))
    assert deliver_batch(limit=2, now=NOW, senders={"email": recorder}).sent == 2
    assert deliver_batch(limit=2, now=NOW, senders={"email": recorder}).sent == 1
    assert [m.notification_id for m in recorder.sent] == [rows[1].id, rows[2].id, rows[0].id]
    assert reload(later).status == "pending"


def test_each_channel_goes_through_its_own_sender(outbox):
    email, sms = RecordingSender(), RecordingSender()
    outbox("email", "a@example.vn")
    outbox("sms", "0912345678")
    deliver_batch(now=NOW, senders={"email": email, "sms": sms})
    assert [m.recipient for m in email.sent] == ["a@example.vn"]
    assert [m.recipient for m in sms.sent] == ["0912345678"]
    assert sms.sent[0].body.endswith(TRACK)


def test_failing_senders_can_be_chosen_by_configuration(app, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SENDER", "failing")
    monkeypatch.setitem(app.config, "SMS_SENDER", "failing")
    rows = [outbox("email"), outbox("sms", "0912345678")]
    assert deliver_batch(now=NOW).retried == 2
    assert all("out of service" in reload(r).last_error for r in rows)


@given(st.integers(min_value=1, max_value=500))
def test_retry_delay_doubles_from_one_minute_up_to_an_hour(attempts):
    hour = timedelta(minutes=60)
    assert retry_delay(1) == timedelta(minutes=1)
    assert timedelta(minutes=1) <= retry_delay(attempts) <= hour
    assert retry_delay(attempts + 1) == min(2 * retry_delay(attempts), hour)
