"""Outgoing mail, sent only after the transaction that caused it commits.

With MAIL_SERVER set, messages go through SMTP; otherwise each is written to the instance
folder's `outbox/` as an .eml file and logged, so a new installation still sees its mail.
"""

from __future__ import annotations

import base64
import smtplib
from contextlib import suppress
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.db import DbSession, utcnow


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str  #: the plain-text part, always there
    html: str = ""  #: an HTML alternative to the body, if any (already escaped)
    headers: tuple[tuple[str, str], ...] = ()  #: extra headers, e.g. List-Unsubscribe


def queue_mail(
    session: DbSession,
    *,
    to: str,
    subject: str,
    body: str,
    html: str = "",
    headers: tuple[tuple[str, str], ...] = (),
) -> None:
    """Send this message once the current transaction commits (never if it rolls back)."""
    session.info.setdefault("outbox", []).append(Mail(to, subject, body, html, headers))


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for a message; outside a request it uses BASE_URL."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def as_email(message: Mail) -> EmailMessage:
    """A plain-text message, as sent."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"], msg["Subject"] = message.to, message.subject
    for name, value in message.headers:
        msg[name] = value
    msg.set_content(message.body)
    return msg


#: Never found in base64 text, nor in the part headers, so no need to look for it each time.
BOUNDARY = "=_listening-post-alternative_="


def alternative_bytes(message: Mail) -> bytes:
    """A multipart/alternative message (plain text, then HTML), as the bytes sent.

    Digests go by the thousand, and the email package's header objects, folding and boundary
    search took most of a run's time; these bytes are plain RFC 5322 and 2045-2046, with
    base64 parts and headers of our own making (refused if not one line of ASCII).
    """
    subject = message.subject
    headers = [
        ("From", current_app.config["MAIL_DEFAULT_SENDER"]),
        ("To", message.to),
        ("Subject", subject if subject.isascii() else Header(subject, "utf-8").encode()),
        *message.headers,
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{BOUNDARY}"'),
    ]
    lines = []
    for name, value in headers:
        if not value.isascii() or "\r" in value or "\n" in value or len(value) > 900:
            raise ValueError(f"{name} must be one line of ASCII")
        lines.append(f"{name}: {value}\r\n")
    lines.append("\r\n")
    for kind, text in (("plain", message.body), ("html", message.html)):
        lines.append(
            f'--{BOUNDARY}\r\nContent-Type: text/{kind}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
        )
        lines.append(base64.encodebytes(text.encode()).decode().replace("\n", "\r\n"))
    lines.append(f"--{BOUNDARY}--\r\n")
    return "".join(lines).encode("ascii")


def deliver(message: Mail) -> None:
    deliver_all([message])


def deliver_all(messages: list[Mail]) -> None:
    """Send the messages: over one SMTP connection when MAIL_SERVER is set (a digest run sends
    thousands), else to the outbox folder. A message that fails is logged; the others go."""
    if not current_app.config.get("MAIL_SERVER"):
        for message in messages:
            data = alternative_bytes(message) if message.html else bytes(as_email(message))
            _write_to_outbox(message, data)
        return
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    smtp: smtplib.SMTP | None = None
    try:
        for message in messages:
            try:
                smtp = smtp or _connect()
                if message.html:
                    smtp.sendmail(sender, [message.to], alternative_bytes(message))
                else:
                    smtp.send_message(as_email(message))
            except smtplib.SMTPRecipientsRefused:
                current_app.logger.exception("mail to %s was refused", message.to)
            except (OSError, smtplib.SMTPException):
                # The change is committed; a mail failure must not turn it into an error page.
                current_app.logger.exception("could not send mail to %s", message.to)
                _close(smtp)
                smtp = None  # a new connection for the next one
    finally:
        _close(smtp)


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
    smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10)
    if cfg["MAIL_USE_TLS"]:
        smtp.starttls()
    if cfg["MAIL_USERNAME"]:
        smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
    return smtp


def _close(smtp: smtplib.SMTP | None) -> None:
    """QUIT and close, as leaving `with smtplib.SMTP(...)` does; a dead connection is fine."""
    if smtp is not None:
        with suppress(OSError, smtplib.SMTPException):
            smtp.__exit__(None, None, None)


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def _write_to_outbox(message: Mail, data: bytes) -> None:
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{abs(hash(message.to)) % 10**8}.eml"
    path.write_bytes(data)
    current_app.logger.info(
        "mail to %s: %s (saved to %s)\n%s", message.to, message.subject, path, message.body
    )


@event.listens_for(Session, "after_commit")
def _send_queued(session: DbSession) -> None:
    messages = session.info.pop("outbox", [])
    if not messages:
        return
    try:
        deliver_all(messages)
    except OSError:  # the outbox folder could not be written
        current_app.logger.exception("could not write %d messages to the outbox", len(messages))


@event.listens_for(Session, "after_rollback")
def _drop_queued(session: DbSession) -> None:
    session.info.pop("outbox", None)
