"""Webhooks: keeping them (admins only), and turning what happens into messages for them."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.db import DbSession, after_commit, is_id, utcnow
from app.debriefs.models import Action, ActionStatus, Debrief, DebriefStatus, Insight
from app.errors import DomainError, NotAllowed, NotFound
from app.mail import external_url
from app.webhooks import delivery
from app.webhooks.models import EVENTS, TEST_EVENT, Webhook, WebhookAttempt, WebhookMessage
from app.webhooks.transport import check_url

LOG_PAGE = 20


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and the base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise NotAllowed("Only admins manage webhooks.")


def _clean_events(events: object) -> str:
    if not isinstance(events, list) or not events:
        raise DomainError("Pick at least one event to send.", field="events")
    if any(e not in EVENTS for e in events):
        raise DomainError("Pick events from the list.", field="events")
    return " ".join(e for e in EVENTS if e in events)


def _clean_url(url: object) -> str:
    check_url(url, allow_local=delivery.allow_local())
    return str(url).strip()


def create_webhook(session: DbSession, *, url: object, events: object, by: User) -> Webhook:
    """Add a webhook with a fresh secret (shown once to the admin who adds it)."""
    require_admin(by)
    webhook = Webhook(url=_clean_url(url), events=_clean_events(events), secret=new_secret())
    session.add(webhook)
    session.flush()
    return webhook


def update_webhook(
    session: DbSession, webhook: Webhook, *, url: object, events: object, active: bool, by: User
) -> None:
    """Change where it posts, which events, or turn it off (its secret stays)."""
    require_admin(by)
    webhook.url, webhook.events = _clean_url(url), _clean_events(events)
    webhook.active = bool(active)
    session.flush()


def rotate_secret(session: DbSession, webhook: Webhook, *, by: User) -> str:
    """A new secret; the old one stops signing at once."""
    require_admin(by)
    webhook.secret = new_secret()
    session.flush()
    return webhook.secret


def delete_webhook(session: DbSession, webhook: Webhook, *, by: User) -> None:
    """Remove it with its messages and log."""
    require_admin(by)
    session.delete(webhook)
    session.flush()


def get_webhook(session: DbSession, webhook_id: int, *, user: User) -> Webhook:
    require_admin(user)
    webhook = session.get(Webhook, webhook_id) if is_id(webhook_id) else None
    if webhook is None:
        raise NotFound("There is no such webhook.")
    return webhook


def list_webhooks(session: DbSession) -> list[Webhook]:
    return list(session.scalars(select(Webhook).order_by(Webhook.id)))


def delivery_log(
    session: DbSession, webhook: Webhook, page: int = 1
) -> tuple[list[WebhookAttempt], bool]:
    """One page of attempts, newest first, and whether there is an older page."""
    rows = list(
        session.scalars(
            select(WebhookAttempt)
            .options(selectinload(WebhookAttempt.message))
            .where(WebhookAttempt.webhook_id == webhook.id)
            .order_by(WebhookAttempt.at.desc(), WebhookAttempt.id.desc())
            .offset((page - 1) * LOG_PAGE)
            .limit(LOG_PAGE + 1)
        )
    )
    return rows[:LOG_PAGE], len(rows) > LOG_PAGE


def fire(
    session: DbSession,
    event: str,
    data: dict[str, Any],
    *,
    key: str | None = None,
    only: Webhook | None = None,
    among: list[Webhook] | None = None,
) -> list[WebhookMessage]:
    """A message for each active webhook that takes the event, sent after the commit.

    With a key, a webhook that already has a message with that key gets no second one.
    `among`: the active webhooks, when the caller fires many events at once.
    """
    if only:
        hooks = [only]
    else:
        active = among if among is not None else _active(session)
        hooks = [h for h in active if event in h.event_list]
    if key and hooks:
        done = set(
            session.scalars(
                select(WebhookMessage.webhook_id).where(
                    WebhookMessage.key == key,
                    WebhookMessage.webhook_id.in_([h.id for h in hooks]),
                )
            )
        )
        hooks = [h for h in hooks if h.id not in done]
    now = utcnow()
    body = json.dumps(
        {"type": event, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    messages = []
    for hook in hooks:
        msg_id = "msg_" + secrets.token_urlsafe(18)
        messages.append(
            WebhookMessage(
                webhook_id=hook.id,
                msg_id=msg_id,
                key=key or msg_id,
                event=event,
                payload=body,
                next_attempt_at=now,
            )
        )
    if messages:
        session.add_all(messages)
        session.flush()
        ids = [m.id for m in messages]
        after_commit(session, lambda: delivery.start(ids))
    return messages


def _active(session: DbSession) -> list[Webhook]:
    return list(session.scalars(select(Webhook).where(Webhook.active)))


def send_test(session: DbSession, webhook: Webhook, *, by: User) -> WebhookMessage:
    """A "webhook.test" message to this webhook only (even if it is turned off)."""
    require_admin(by)
    [message] = fire(
        session,
        TEST_EVENT,
        {"webhook_id": webhook.id, "message": "A test event from Listening Post."},
        only=webhook,
    )
    return message


def _debrief_data(debrief: Debrief) -> dict[str, Any]:
    return {
        "id": debrief.id,
        "title": debrief.title,
        "programme": debrief.programme.title,
        "url": external_url("debriefs.show", debrief_id=debrief.id),
    }


def insight_data(insight: Insight) -> dict[str, Any]:
    """What the library shows of an insight (its text was redacted when it was saved)."""
    return {
        "id": insight.id,
        "statement": insight.statement,
        "so_what": insight.so_what,
        "debrief": _debrief_data(insight.debrief),
        "url": external_url("insights.show", insight_id=insight.id),
    }


def action_data(action: Action) -> dict[str, Any]:
    return {
        "id": action.id,
        "what": action.what,
        "owner": action.owner,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "status": str(action.status),
        "debrief": _debrief_data(action.debrief),
        "url": external_url("actions.register"),
    }


def debrief_published(session: DbSession, debrief: Debrief) -> None:
    """Its insights are in the library now, and its actions are seen by everyone."""
    hooks = _active(session)
    if not hooks:
        return
    for insight in debrief.insights:
        data = insight_data(insight)
        fire(session, "insight.published", data, key=f"insight:{insight.id}", among=hooks)
    for action in debrief.actions:
        data = action_data(action)
        fire(session, "action.created", data, key=f"action:{action.id}", among=hooks)


def action_changed(session: DbSession, action: Action) -> None:
    """An action of a published debrief changed (an open board's are not shared yet)."""
    if action.debrief.status == DebriefStatus.PUBLISHED:
        fire(session, "action.updated", action_data(action))


def overdue(session: DbSession, today: date | None = None) -> int:
    """action.overdue, once per action per due date, for published debriefs' late actions."""
    today = today or utcnow().date()
    actions = session.scalars(
        select(Action)
        .join(Action.debrief)
        .options(selectinload(Action.debrief).selectinload(Debrief.programme))
        .where(
            Debrief.status == DebriefStatus.PUBLISHED,
            Action.due_on < today,
            Action.status != ActionStatus.DONE,
        )
        .order_by(Action.id)
    ).all()
    hooks, sent = _active(session), 0
    for action in actions:
        key = f"overdue:{action.id}:{action.due_on}"
        sent += len(fire(session, "action.overdue", action_data(action), key=key, among=hooks))
    return sent
