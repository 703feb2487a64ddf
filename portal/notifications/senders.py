"""How a message leaves the portal: one sender per channel, chosen by configuration.

1. :class:`Sender` is all delivery knows: ``send(message)`` returns once the message has been
   handed over, and raises :class:`DeliveryFailed` when it certainly has not been (``retry``
   says whether a later attempt may succeed). Any other exception means the outcome is unknown.
2. :class:`SmtpSender` hands email to the mail server at ``MAIL_SERVER``:``MAIL_PORT``.
3. :class:`LogSmsSender` is the mock SMS gateway: it appends each SMS to a file as a JSON line.
4. :class:`FailingSender` never delivers, so outages can be tested and demonstrated.
5. :func:`build_senders` picks them from ``MAIL_SENDER`` (``smtp`` | ``failing``) and
   ``SMS_SENDER`` (``log`` | ``failing``).
"""
from __future__ import annotations

import json
import os
import smtplib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app

from portal.timeutil import utcnow


class DeliveryFailed(Exception):
    """The message was not handed over; ``retry`` when a later attempt may succeed."""

    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__(reason)
        self.retry = retry


@dataclass(frozen=True)
class OutgoingMessage:
    notification_id: int
    recipient: str
    subject: str
    body: str


class Sender(ABC):
    @abstractmethod
    def send(self, message: OutgoingMessage) -> None:
        """Hand ``message`` over; raises :class:`DeliveryFailed` if it certainly was not."""


class SmtpSender(Sender):
    """Email through an SMTP server, one connection per message, each bounded by ``timeout``.

    Only what certainly sent nothing is retried: the server could not be reached or greeted us
    with an error, or answered a command with a 4xx code. A 5xx answer is final. A connection
    lost in the middle of the conversation may have delivered the message, so it is left to the
    caller as an unknown outcome.
    """

    def __init__(self, host: str, port: int, from_address: str, timeout: float = 10.0) -> None:
        self.host = host
        self.port = port
        self.from_address = from_address
        self.timeout = timeout

    def send(self, message: OutgoingMessage) -> None:
        email = self._email(message)
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except OSError as exc:
            raise DeliveryFailed(f"cannot reach the mail server {self.host}:{self.port}: {exc}") from exc
        try:
            smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryFailed(
                f"the mail server refused {message.recipient}: {codes}", retry=all(400 <= c < 500 for c in codes)
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryFailed(
                f"the mail server answered {exc.smtp_code}: {exc.smtp_error!r}", retry=400 <= exc.smtp_code < 500
            ) from exc
        finally:
            try:
                smtp.quit()
            except OSError:  # the message's fate is already decided; only the goodbye failed
                smtp.close()

    def _email(self, message: OutgoingMessage) -> EmailMessage:
        email = EmailMessage()
        email["Subject"] = message.subject
        email["From"] = self.from_address
        email["To"] = message.recipient
        email["Date"] = formatdate(usegmt=True)
        # Stable per notification, so a mailbox can recognise the same message.
        domain = self.from_address.rpartition("@")[2] or "localhost"
        email["Message-ID"] = f"<notification-{message.notification_id}@{domain}>"
        email.set_content(message.body)
        return email


class LogSmsSender(Sender):
    """The mock SMS gateway: each SMS becomes one JSON line in ``path``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def send(self, message: OutgoingMessage) -> None:
        line = json.dumps(
            {"at": utcnow().isoformat(), "to": message.recipient, "text": message.body}, ensure_ascii=False
        )
        try:
            with open(self.path, "a", encoding="utf-8") as log:
                log.write(line + "\n")
        except OSError as exc:
            raise DeliveryFailed(f"cannot write the SMS log {self.path}: {exc}") from exc


class FailingSender(Sender):
    """A channel that is always out of service."""

    def __init__(self, reason: str = "the service is out of order") -> None:
        self.reason = reason

    def send(self, message: OutgoingMessage) -> None:
        raise DeliveryFailed(self.reason)


def build_senders() -> dict[str, Sender]:
    """The current application's sender for each channel."""
    config = current_app.config
    mail = config.get("MAIL_SENDER", "smtp")
    sms = config.get("SMS_SENDER", "log")
    if mail not in ("smtp", "failing"):
        raise ValueError(f"MAIL_SENDER must be 'smtp' or 'failing', not {mail!r}")
    if sms not in ("log", "failing"):
        raise ValueError(f"SMS_SENDER must be 'log' or 'failing', not {sms!r}")
    email_sender: Sender = (
        SmtpSender(
            config.get("MAIL_SERVER", "127.0.0.1"),
            int(config.get("MAIL_PORT", 1025)),
            config.get("MAIL_FROM", "no-reply@dichvucong.example"),
            timeout=float(config.get("MAIL_TIMEOUT", 10.0)),
        )
        if mail == "smtp"
        else FailingSender("the mail server is out of service (MAIL_SENDER=failing)")
    )
    sms_sender: Sender = (
        LogSmsSender(config.get("SMS_LOG_PATH") or os.path.join(current_app.instance_path, "sms.log"))
        if sms == "log"
        else FailingSender("the SMS gateway is out of service (SMS_SENDER=failing)")
    )
    return {"email": email_sender, "sms": sms_sender}
