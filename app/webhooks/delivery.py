"""Delivering a message: sign it, post it once, log the attempt, and schedule the next one.

Retries back off: after a failed attempt the next comes 5 s, 30 s, 2 min, 15 min, then 1 h
later (six attempts in all, over about 1 h 18 min); then the message has failed. The schedule
is the WEBHOOK_RETRY_SCHEDULE setting, so tests need not wait. Deliveries run on the RQ queue
"webhooks" when REDIS_URL is set (the worker runs with its scheduler for the delays), else on a
background thread of the web process; `flask --app wsgi webhooks retry` sends whatever is due
(after a restart lost a thread's timers).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app

from app.config import is_development
from app.db import DbSession, utcnow
from app.extensions import db, write_intent
from app.webhooks.models import MessageStatus, WebhookAttempt, WebhookMessage
from app.webhooks.transport import Refused, check_url, post

SCHEDULE = (5, 30, 120, 900, 3600)  #: seconds before each retry
_thread = ThreadPoolExecutor(max_workers=2, thread_name_prefix="webhook")
log = logging.getLogger(__name__)


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """The Standard Webhooks signature: v1, base64 HMAC-SHA256 of "id.timestamp.body"."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def allow_local(app: Flask | None = None) -> bool:
    """Plain http to this machine: only when asked for, and only in development or tests."""
    app = app or current_app
    asked = bool(app.config.get("WEBHOOKS_ALLOW_HTTP_LOCAL"))
    return asked and (app.debug or app.testing or is_development())


def schedule(app: Flask | None = None) -> tuple[int, ...]:
    return tuple((app or current_app).config.get("WEBHOOK_RETRY_SCHEDULE", SCHEDULE))


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int
    retry: bool = True  #: a refused address is not tried again


@dataclass(frozen=True)
class Outgoing:
    url: str
    secret: str
    msg_id: str
    payload: str


def send(out: Outgoing, *, local: bool) -> Outcome:
    """One signed POST; no database work, so no transaction is open meanwhile."""
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ListeningPost-Webhooks/1",
        "webhook-id": out.msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(out.secret, out.msg_id, timestamp, out.payload),
    }
    started = time.monotonic()

    def took() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        target = check_url(out.url, allow_local=local)  # again: DNS may have changed
        answer = post(target, out.payload.encode(), headers)
    except Refused as err:
        return Outcome(None, err.message[:300], took(), retry=False)
    except TimeoutError:
        return Outcome(None, "No answer within 5 seconds.", took())
    except (OSError, http.client.HTTPException) as err:
        return Outcome(None, f"Could not connect: {err or type(err).__name__}"[:300], took())
    if 200 <= answer.status < 300:
        return Outcome(answer.status, "", took())
    if 300 <= answer.status < 400:
        where = answer.location[:200] or "elsewhere"
        return Outcome(answer.status, f"Redirect to {where} not followed.", took())
    return Outcome(answer.status, f"The receiver answered {answer.status}.", took())


def record(session: DbSession, message: WebhookMessage, outcome: Outcome) -> int | None:
    """Log the attempt; returns the seconds until the next one, or None when it is over."""
    now = utcnow()
    message.attempts += 1
    session.add(
        WebhookAttempt(
            message_id=message.id,
            webhook_id=message.webhook_id,
            number=message.attempts,
            at=now,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            error=outcome.error,
        )
    )
    delays = schedule()
    if not outcome.error:
        message.status, message.next_attempt_at = MessageStatus.DELIVERED, None
    elif not outcome.retry or message.attempts > len(delays):
        message.status, message.next_attempt_at = MessageStatus.FAILED, None
    else:
        delay = delays[message.attempts - 1]
        message.next_attempt_at = now + timedelta(seconds=delay)
        session.flush()
        return delay
    session.flush()
    return None


def deliver(app: Flask, message_id: int) -> int | None:
    """Attempt one message now; the seconds until its next attempt, or None."""
    token = write_intent.set(False)  # read, post with no transaction open, then write briefly
    try:
        message = db.session.get(WebhookMessage, message_id)
        if message is None or message.status != MessageStatus.PENDING:
            return None
        hook = message.webhook
        out = Outgoing(hook.url, hook.secret, message.msg_id, message.payload)
        active = hook.active
        db.session.rollback()
        if not active:
            outcome = Outcome(None, "Not sent: the webhook is turned off.", 0, retry=False)
        else:
            outcome = send(out, local=allow_local(app))
        write_intent.set(True)
        message = db.session.get(WebhookMessage, message_id)
        if message is None or message.status != MessageStatus.PENDING:  # deleted, or done
            return None
        delay = record(db.session, message, outcome)
        db.session.commit()
        return delay
    finally:
        write_intent.reset(token)


def start(message_ids: list[int], delay: float = 0) -> None:
    """Deliver in the background (after the commit that made the messages)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not message_ids or not app.config.get("WEBHOOKS_BACKGROUND", True):
        return
    queue_url = app.config.get("REPORT_QUEUE_URL")
    if queue_url:
        from redis import Redis
        from rq import Queue

        queue = Queue("webhooks", connection=Redis.from_url(queue_url))
        for message_id in message_ids:
            if delay:
                queue.enqueue_in(timedelta(seconds=delay), deliver_job, message_id)
            else:
                queue.enqueue(deliver_job, message_id, job_timeout=60)
    elif delay:
        timer = threading.Timer(delay, _thread.submit, (_deliver_in, app, message_ids))
        timer.daemon = True
        timer.start()
    else:
        _thread.submit(_deliver_in, app, message_ids)


def _deliver_in(app: Flask, message_ids: list[int]) -> None:
    with app.app_context():
        for message_id in message_ids:
            try:
                delay = deliver(app, message_id)
                if delay is not None:
                    start([message_id], delay)
            except Exception:
                log.exception("delivering webhook message %s failed", message_id)
                db.session.rollback()
        db.session.remove()


def deliver_job(message_id: int) -> None:
    """What the RQ worker runs: an app of its own, its connections closed when done."""
    from app import create_app

    app = create_app()
    try:
        _deliver_in(app, [message_id])
    finally:
        with app.app_context():
            db.engine.dispose()
