"""A tiny SMTP server for the tests: enough of RFC 5321 for :mod:`smtplib` to deliver to it.

It keeps what it receives in ``messages``; ``replies`` overrides the answer to a command
(``{"MAIL": "451 4.3.0 Try again later"}``) and ``drop_after_data`` hangs up instead of
answering the end of a message, as a server that crashes after accepting it would.
"""
from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage


class _Session(socketserver.StreamRequestHandler):
    server: SmtpServer

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        self.reply("220 test.example ESMTP ready")
        mail_from, recipients = "", []
        while line := self.rfile.readline():
            verb, _, argument = line.decode("utf-8", "replace").strip().partition(" ")
            verb = verb.upper()
            override = self.server.replies.get(verb)
            if override:
                self.reply(override)
            elif verb in ("EHLO", "HELO"):
                self.reply("250 test.example")
            elif verb == "MAIL":
                mail_from, recipients = argument.partition(":")[2].strip("<> "), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(argument.partition(":")[2].strip("<> "))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                message = message_from_bytes(self._read_data(), policy=policy.default)
                self.server.messages.append(Received(mail_from, recipients, message))
                if self.server.drop_after_data:
                    return
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.messages: list[Received] = []
        self.replies: dict[str, str] = {}
        self.drop_after_data = False
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> SmtpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()
