"""Outgoing mail, sent only after the transaction that caused it commits.

With MAIL_SERVER set, messages go through SMTP; otherwise each is written to the instance
folder's `outbox/` as an .eml file and logged, so a new installation still sees its mail.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from pathlib import Path
from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.db import DbSession, utcnow

ONE_LINE_HEADERS = compat32.clone(max_line_length=998)


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


def as_email(message: Mail) -> Message:
    """The message as sent: plain text, or multipart/alternative when it has an HTML part."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    if not message.html:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = sender, message.to, message.subject
        for name, value in message.headers:
            msg[name] = value
        msg.set_content(message.body)
        return msg
    # Digests go by the thousand: the older MIME classes with base64 bodies make one in a
    # fifth of the time of EmailMessage's header objects and quoted-printable.
    # Long headers stay on one line (RFC 5322 allows 998): a folded List-Unsubscribe reads
    # back with a leading space, which some mail apps refuse.
    alternative = MIMEMultipart("alternative", policy=ONE_LINE_HEADERS)
    alternative["From"], alternative["To"] = sender, message.to
    subject = message.subject
    alternative["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
    for name, value in message.headers:
        alternative[name] = value
    alternative.attach(MIMEText(message.body, "plain", "utf-8"))
    alternative.attach(MIMEText(message.html, "html", "utf-8"))
    return alternative


def deliver(message: Mail) -> None:
    deliver_all([message])


def deliver_all(messages: list[Mail]) -> None:
    """Send the messages: over one SMTP connection when MAIL_SERVER is set (a digest run sends
    thousands), else to the outbox folder. A message that fails is logged; the others go."""
    if not current_app.config.get("MAIL_SERVER"):
        for message in messages:
            _write_to_outbox(as_email(message), message.body)
        return
    smtp: smtplib.SMTP | None = None
    try:
        for message in messages:
            try:
                smtp = smtp or _connect()
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
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def _write_to_outbox(msg: Message, text: str) -> None:
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{abs(hash(msg['To'])) % 10**8}.eml"
    path.write_bytes(bytes(msg))
    current_app.logger.info(
        "mail to %s: %s (saved to %s)\n%s", msg["To"], msg["Subject"], path, text
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
