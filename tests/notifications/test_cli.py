"""``flask notifications deliver``: one batch, or a loop until interrupted."""
from __future__ import annotations

import json

from portal.extensions import db
from portal.notifications.models import Notification
from tests.notifications.conftest import CODE


def test_deliver_sends_what_is_due_and_prints_a_summary(app, runner, outbox, smtp_server, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_LOG_PATH", str(tmp_path / "sms.log"))
    email = outbox("email")
    outbox("sms", "0912345678")
    result = runner.invoke(args=["notifications", "deliver", "--limit", "10"])
    assert result.exit_code == 0, result.output
    assert result.output == "Sent 2, retry later 0, failed 0.\n"
    assert [m.message["Subject"] for m in smtp_server.messages] == [f"Hồ sơ {CODE} đã được tiếp nhận"]
    assert CODE in json.loads((tmp_path / "sms.log").read_text(encoding="utf-8"))["text"]
    db.session.expire_all()
    assert db.session.get(Notification, email.id).status == "sent"


def test_deliver_reports_a_failure_to_retry(app, runner, outbox, closed_port, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port)
    outbox("email")
    result = runner.invoke(args=["notifications", "deliver"])
    assert result.output == "Sent 0, retry later 1, failed 0.\n"


def test_loop_keeps_going_until_interrupted(app, runner, outbox, recorder, monkeypatch):
    outbox("email")
    naps = []

    def nap(seconds):
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("portal.notifications.cli.sleep", nap)
    monkeypatch.setattr("portal.notifications.delivery.build_senders", lambda: {"email": recorder})
    result = runner.invoke(args=["notifications", "deliver", "--loop", "--interval", "3"])
    assert result.exit_code == 0, result.output
    # The first batch sent the message; the second found nothing and printed nothing.
    assert result.output == "Sent 1, retry later 0, failed 0.\nStopped.\n"
    assert naps == [3, 3]
    assert len(recorder.sent) == 1
