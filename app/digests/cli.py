"""`flask --app wsgi digests send`, and `digests schedule`: the same run, daily, through RQ."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db

digests_cli = AppGroup("digests", help="Digests by email.")
#: When the RQ schedule runs the digests: every day at 07:00 UTC (weekly ones go on the
#: first run of the week that has something to say).
CRON = "0 7 * * *"
QUEUE = "digests"


@digests_cli.command("send")
def send() -> None:
    """Email every person whose digest is due; running it again sends nothing twice."""
    from app.digests.send import send_due

    outcome = send_due(db.session)
    click.echo(
        f"Digests sent: {outcome.sent}; nothing new for {outcome.empty}; "
        f"already sent by another run: {outcome.taken}."
    )


def send_job() -> None:
    """What the RQ worker runs: an app of its own, its connections closed when done."""
    from app import create_app
    from app.digests.send import send_due

    app = create_app()
    with app.app_context():
        try:
            outcome = send_due(db.session)
            app.logger.info("digests sent: %s", outcome)
        finally:
            db.session.remove()
            db.engine.dispose()


def scheduler(url: str):  # type: ignore[no-untyped-def]
    """RQ's own cron scheduler (RQ 2.5+), with the digest run registered on it."""
    from redis import Redis
    from rq.cron import CronScheduler

    cron = CronScheduler(connection=Redis.from_url(url), name="listening-post-digests")
    cron.register(send_job, QUEUE, cron=CRON, job_timeout=3600)
    return cron


@digests_cli.command("schedule")
def schedule() -> None:
    """Enqueue the digest run every day on REDIS_URL; `reports worker` runs it."""
    url = current_app.config.get("REPORT_QUEUE_URL")
    if not url:
        raise click.UsageError("Set REDIS_URL, or run `flask --app wsgi digests send` from cron.")
    scheduler(url).start()
