"""Deliveries to a real receiver on 127.0.0.1: signed, logged, retried with backoff, never
following a redirect; and the events that insights and actions raise."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from app.actions.services import record_progress
from app.db import utcnow
from app.extensions import db
from app.webhooks import services
from app.webhooks.delivery import deliver
from app.webhooks.models import MessageStatus, WebhookAttempt, WebhookMessage
from tests.webhooks.conftest import organiser_of, published_debrief


def _messages(event: str | None = None) -> list[WebhookMessage]:
    query = select(WebhookMessage).order_by(WebhookMessage.id)
    if event:
        query = query.where(WebhookMessage.event == event)
    return list(db.session.scalars(query))


def _attempts() -> list[WebhookAttempt]:
    return list(db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)))


def test_a_test_event_arrives_signed_per_standard_webhooks(app, local, receiver, admin):
    hook = services.create_webhook(
        db.session, url=receiver.url, events=["action.updated"], by=admin
    )
    message = services.send_test(db.session, hook, by=admin)
    db.session.commit()

    assert deliver(app, message.id) is None

    [got] = receiver.got
    assert got.path == "/hooks/in"
    assert got.headers["webhook-id"] == message.msg_id
    payload = Verifier(hook.secret).verify(got.body, got.headers)
    assert payload["type"] == "webhook.test"
    assert payload["data"]["webhook_id"] == hook.id
    # A signature made with another secret is refused by the same verifier.
    with pytest.raises(WebhookVerificationError):
        Verifier(services.new_secret()).verify(got.body, got.headers)
    db.session.expire_all()
    [attempt] = _attempts()
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, "")
    assert db.session.get(WebhookMessage, message.id).status == MessageStatus.DELIVERED


def test_a_redirect_is_a_failed_delivery_and_is_not_followed(app, local, receiver, admin):
    receiver.status, receiver.location = 302, "http://127.0.0.1:9/elsewhere"
    hook = services.create_webhook(
        db.session, url=receiver.url, events=["action.updated"], by=admin
    )
    message = services.send_test(db.session, hook, by=admin)
    db.session.commit()

    assert deliver(app, message.id) == 5  # tried again later, like any failure
    assert [g.path for g in receiver.got] == ["/hooks/in"]
    [attempt] = _attempts()
    assert attempt.status_code == 302
    assert "Redirect to http://127.0.0.1:9/elsewhere not followed" in attempt.error


def test_failures_back_off_on_the_schedule_then_give_up(app, local, receiver, admin):
    receiver.status = 500
    hook = services.create_webhook(
        db.session, url=receiver.url, events=["action.updated"], by=admin
    )
    message = services.send_test(db.session, hook, by=admin)
    db.session.commit()

    delays = [deliver(app, message.id) for _ in range(4)]

    assert delays == [5, 30, None, None]  # the 4th call finds nothing pending
    assert len(receiver.got) == 3
    assert len({g.headers["webhook-id"] for g in receiver.got}) == 1  # the same id each retry
    db.session.expire_all()
    attempts = _attempts()
    assert [(a.number, a.status_code) for a in attempts] == [(1, 500), (2, 500), (3, 500)]
    assert all(a.error == "The receiver answered 500." for a in attempts)
    message = db.session.get_one(WebhookMessage, message.id)
    assert (message.status, message.next_attempt_at) == (MessageStatus.FAILED, None)


def test_an_address_gone_private_is_refused_at_send_time(app, local, receiver, admin, monkeypatch):
    hook = services.create_webhook(
        db.session, url=receiver.url, events=["action.updated"], by=admin
    )
    message = services.send_test(db.session, hook, by=admin)
    db.session.commit()
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_HTTP_LOCAL", False)

    assert deliver(app, message.id) is None  # not retried: the address is the problem

    assert receiver.got == []
    [attempt] = _attempts()
    assert attempt.status_code is None
    assert "https://" in attempt.error


def test_a_turned_off_webhook_logs_instead_of_sending(app, local, receiver, admin):
    hook = services.create_webhook(
        db.session, url=receiver.url, events=["action.updated"], by=admin
    )
    message = services.send_test(db.session, hook, by=admin)
    hook.active = False
    db.session.commit()

    assert deliver(app, message.id) is None
    assert receiver.got == []
    assert _attempts()[0].error == "Not sent: the webhook is turned off."


def test_publishing_sends_insights_and_actions_with_links_and_no_contacts(
    app, local, receiver, admin
):
    everything = list(services.EVENTS)
    hook = services.create_webhook(db.session, url=receiver.url, events=everything, by=admin)
    only_insights = services.create_webhook(
        db.session, url=receiver.url, events=["insight.published"], by=admin
    )
    debrief = published_debrief(statement="Prices hidden, ask ann@example.com")
    db.session.commit()

    [insight_msg, also] = _messages("insight.published")
    assert {insight_msg.webhook_id, also.webhook_id} == {hook.id, only_insights.id}
    [created] = _messages("action.created")
    assert created.webhook_id == hook.id
    body = json.loads(insight_msg.payload)
    assert body["type"] == "insight.published"
    data = body["data"]
    assert "ann@example.com" not in insight_msg.payload
    assert data["url"] == f"http://localhost/library/insights/{debrief.insights[0].id}"
    assert data["debrief"]["url"] == f"http://localhost/debriefs/{debrief.id}"
    assert json.loads(created.payload)["data"]["what"] == "Add shelf labels"

    assert deliver(app, insight_msg.id) is None
    assert json.loads(receiver.got[0].body)["data"]["statement"] == data["statement"]


def test_progress_on_a_published_action_sends_action_updated(app, local, receiver, admin):
    services.create_webhook(db.session, url=receiver.url, events=["action.updated"], by=admin)
    debrief = published_debrief()
    action = debrief.actions[0]
    record_progress(
        db.session, action, status="doing", note="Labels ordered", user=organiser_of(debrief)
    )
    db.session.commit()

    [updated] = _messages("action.updated")
    assert json.loads(updated.payload)["data"]["status"] == "doing"


def test_an_open_boards_actions_are_not_sent(app, local, receiver, admin):
    from app.debriefs import board
    from tests.webhooks.conftest import open_debrief

    services.create_webhook(db.session, url=receiver.url, events=list(services.EVENTS), by=admin)
    debrief = open_debrief()
    action = board.save_action(
        db.session, debrief, {"what": "Secret plan", "owner": "Team"}, user=organiser_of(debrief)
    )
    record_progress(db.session, action, status="doing", note="", user=organiser_of(debrief))
    db.session.commit()
    assert _messages() == []


def test_overdue_is_sent_once_per_action_and_due_date(app, local, receiver, admin):
    services.create_webhook(db.session, url=receiver.url, events=["action.overdue"], by=admin)
    yesterday = (utcnow() - timedelta(days=1)).date()
    debrief = published_debrief(due=yesterday.isoformat())
    db.session.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["webhooks", "overdue"])
    second = runner.invoke(args=["webhooks", "overdue"])

    assert "1 overdue events queued" in first.output
    assert "0 overdue events queued" in second.output
    action = debrief.actions[0]
    action.due_on = yesterday - timedelta(days=1)  # a new due date, late again: once more
    db.session.commit()
    assert "1 overdue" in runner.invoke(args=["webhooks", "overdue"]).output
    assert len(_messages("action.overdue")) == 2


def test_the_background_sends_only_after_the_commit(app, local, receiver, admin, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_BACKGROUND", True)
    hook = services.create_webhook(
        db.session, url=receiver.url, events=["action.updated"], by=admin
    )
    db.session.commit()
    services.send_test(db.session, hook, by=admin)
    db.session.rollback()  # nothing committed: nothing sent
    services.send_test(db.session, hook, by=admin)
    db.session.commit()

    assert receiver.arrived.wait(5)
    assert len(receiver.got) == 1
    for _ in range(100):  # let the thread log its attempt before the test's tables are wiped
        time.sleep(0.05)
        found = _attempts()
        db.session.rollback()  # no lock held while the thread writes
        if found:
            break
    assert found[0].status_code == 200


def test_the_retry_command_sends_what_is_due(app, local, receiver, admin):
    hook = services.create_webhook(
        db.session, url=receiver.url, events=["action.updated"], by=admin
    )
    due = services.send_test(db.session, hook, by=admin)
    later = services.send_test(db.session, hook, by=admin)
    later.next_attempt_at = utcnow() + timedelta(minutes=15)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["webhooks", "retry"])

    assert "1 deliveries attempted" in result.output
    assert [g.headers["webhook-id"] for g in receiver.got] == [due.msg_id]
