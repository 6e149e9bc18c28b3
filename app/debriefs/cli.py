"""`flask --app wsgi reports worker`: large debrief PDFs and library vectors from RQ queues."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="Debrief PDFs.")


@reports_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Render the PDFs, make the library vectors, deliver webhooks and send the scheduled digests
    queued on REDIS_URL, one job at a time."""
    from redis import Redis
    from rq import Worker

    url = current_app.config.get("REPORT_QUEUE_URL")
    if not url:
        raise click.UsageError("Set REDIS_URL: without it, web processes render PDFs themselves.")
    # The scheduler runs webhook retries when their backoff delay is up.
    Worker(["reports", "library", "webhooks", "digests"], connection=Redis.from_url(url)).work(
        burst=burst, with_scheduler=True
    )
