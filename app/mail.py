"""Outgoing mail, sent only after the transaction that caused it commits.

With MAIL_SERVER set, messages go through SMTP; otherwise each is written to the instance
folder's `outbox/` as an .eml file and logged, so a new installation still sees its mail.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
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
    body: str


def queue_mail(session: DbSession, *, to: str, subject: str, body: str) -> None:
    """Send this message once the current transaction commits (never if it rolls back)."""
    session.info.setdefault("outbox", []).append(Mail(to, subject, body))


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for a message; outside a request it uses BASE_URL."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def deliver(message: Mail) -> None:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = message.to
    msg["Subject"] = message.subject
    msg.set_content(message.body)
    if current_app.config.get("MAIL_SERVER"):
        _send_smtp(msg)
    else:
        _write_to_outbox(msg)


def _send_smtp(msg: EmailMessage) -> None:
    cfg = current_app.config
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(msg)


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def _write_to_outbox(msg: EmailMessage) -> None:
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{abs(hash(msg['To'])) % 10**8}.eml"
    path.write_bytes(bytes(msg))
    current_app.logger.info(
        "mail to %s: %s (saved to %s)\n%s", msg["To"], msg["Subject"], path, msg.get_content()
    )


@event.listens_for(Session, "after_commit")
def _send_queued(session: DbSession) -> None:
    for message in session.info.pop("outbox", []):
        try:
            deliver(message)
        except (OSError, smtplib.SMTPException):
            # The change is committed; a mail failure must not turn it into an error page.
            current_app.logger.exception("could not send mail to %s", message.to)


@event.listens_for(Session, "after_rollback")
def _drop_queued(session: DbSession) -> None:
    session.info.pop("outbox", None)
