"""`flask --app wsgi webhooks overdue|retry`: for cron (or an RQ scheduled job)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.webhooks import delivery, services
from app.webhooks.models import MessageStatus, WebhookMessage

webhooks_cli = AppGroup("webhooks", help="Webhook deliveries.")


@webhooks_cli.command("overdue")
def overdue() -> None:
    """Send action.overdue for late actions: once per action and due date, however often run."""
    count = services.overdue(db.session)
    db.session.commit()
    click.echo(f"{count} overdue events queued.")


@webhooks_cli.command("retry")
def retry() -> None:
    """Attempt every message whose next attempt is due (a restart loses in-process timers)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    due = db.session.scalars(
        select(WebhookMessage.id).where(
            WebhookMessage.status == MessageStatus.PENDING,
            WebhookMessage.next_attempt_at <= utcnow(),
        )
    ).all()
    db.session.rollback()
    for message_id in due:
        delivery.deliver(app, message_id)  # later retries: the next run of this command
    click.echo(f"{len(due)} deliveries attempted.")
