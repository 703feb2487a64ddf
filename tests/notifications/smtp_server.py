"""A real SMTP server for the tests, run by :mod:`aiosmtpd` on a free local port.

It keeps what it receives in ``messages``; ``replies`` overrides the answer to a command
(``{"MAIL": "451 4.3.0 Try again later"}``) and ``drop_after_data`` hangs up instead of
answering the end of a message, as a server that crashes after accepting it would.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage


class _Handler:
    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802 (aiosmtpd hook)
        if reply := self.owner.replies.get("MAIL"):
            return reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if reply := self.owner.replies.get("RCPT"):
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if reply := self.owner.replies.get("DATA"):
            return reply
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.owner.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        if self.owner.drop_after_data:
            server.transport.abort()
        return "250 OK queued"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.replies: dict[str, str] = {}
        self.drop_after_data = False
        self.port = _free_port()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
