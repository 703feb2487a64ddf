from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest

from portal.extensions import db
from portal.notifications.models import Notification
from portal.notifications.senders import OutgoingMessage, Sender
from tests.notifications.smtp_server import SmtpServer

NOW = datetime(2026, 7, 1, 2, 0)  # naive UTC: 09:00 in Hà Nội
CODE = "000.00.19.H26-260701-0001"


class RecordingSender(Sender):
    """A channel that delivers into a list (thread-safe, for several workers at once)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.sent: list[OutgoingMessage] = []
        self.delay = delay
        self._lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> None:
        if self.delay:
            threading.Event().wait(self.delay)
        with self._lock:
            self.sent.append(message)


@pytest.fixture()
def recorder() -> RecordingSender:
    return RecordingSender()


@pytest.fixture()
def outbox(ctx) -> Callable[..., Notification]:
    """Write a committed (within the test's transaction) outbox row."""

    def add(channel: str = "email", recipient: str = "cong.dan@example.vn", template: str = "dossier_accepted",
            **fields: object) -> Notification:
        row = Notification(
            channel=channel, recipient=recipient, template=template, locale=fields.pop("locale", "vi"),
            context=fields.pop("context", {"code": CODE, "procedure": "Đăng ký thường trú"}),
            next_attempt_at=fields.pop("next_attempt_at", NOW), **fields,
        )
        db.session.add(row)
        db.session.commit()
        return row

    return add


@pytest.fixture()
def smtp_server(app, monkeypatch) -> Iterator[SmtpServer]:
    """A real SMTP server on a free local port; the app sends its email there."""
    with SmtpServer() as server:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
        yield server


@pytest.fixture()
def closed_port() -> int:
    """A local port nobody listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
