"""The admin pages: add, edit, turn off, rotate, test, delete; bad input; who gets in."""

from __future__ import annotations

import base64
import re

from sqlalchemy import func, select

from app.accounts.models import Role
from app.extensions import db
from app.webhooks import services
from app.webhooks.models import Webhook, WebhookAttempt, WebhookMessage

GOOD = {"url": "https://hooks.example.com/in", "events": ["insight.published", "action.overdue"]}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Webhook)) or 0


def _secret_on(page: str) -> str:
    match = re.search(r">(whsec_[^<]+)</textarea>", page)
    assert match, "no secret on the page"
    return match.group(1)


def _hook() -> Webhook:
    hook = Webhook(url=GOOD["url"], events="action.updated", secret=services.new_secret())
    db.session.add(hook)
    db.session.commit()
    return hook


def test_only_admins_get_in(client, login_as):
    hook = _hook()
    for role in (None, Role.ORGANISER, Role.FACILITATOR):
        client.form("/logout")
        person = login_as(*([role] if role else []))
        assert person.email in client.get("/account").get_data(as_text=True)
        for url in ("/admin/webhooks", f"/admin/webhooks/{hook.id}"):
            assert client.get(url).status_code == 403
        actions = ("rotate", "test", "delete")
        for url in ("/admin/webhooks", *(f"/admin/webhooks/{hook.id}/{a}" for a in actions)):
            assert client.form(url, GOOD).status_code == 403
    assert _count() == 1
    assert db.session.scalar(select(func.count()).select_from(WebhookMessage)) == 0


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/admin/webhooks")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(client, login_as, public_dns):
    login_as(Role.ADMIN)
    response = client.form("/admin/webhooks", GOOD)
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    secret = _secret_on(response.get_data(as_text=True))
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    [hook] = db.session.scalars(select(Webhook)).all()
    assert (hook.url, hook.event_list, hook.secret, hook.active) == (
        GOOD["url"], GOOD["events"], secret, True,
    )  # fmt: skip
    for url in ("/admin/webhooks", f"/admin/webhooks/{hook.id}"):
        page = client.get(url).get_data(as_text=True)
        assert GOOD["url"] in page and secret not in page


BAD_INPUT = [
    ({"url": ""}, "Enter the https address"),
    ({"url": "http://hooks.example.com/in"}, "must start with https://"),
    ({"url": "https://127.0.0.1/in"}, "loopback"),
    ({"url": "https://10.0.0.1/in"}, "private address"),
    ({"url": "https://169.254.169.254/"}, "metadata"),
    ({"url": "https://[::1]/in"}, "loopback"),
    ({"url": "https://loopback.example.com/in"}, "loopback"),
    ({"url": "https://hooks.example.com/" + "a" * 2000}, "too long"),
    ({"url": "https://hooks.example.com/\x00"}, "control characters"),
    ({"events": []}, "Pick at least one event"),
    ({"events": ["insight.published", "user.deleted"]}, "Pick events from the list"),
]


def test_bad_input_is_refused_with_a_message_and_nothing_saved(client, login_as, public_dns):
    login_as(Role.ADMIN)
    hook = _hook()
    before = (hook.url, hook.events)
    wrong = []
    for data, message in BAD_INPUT:
        for url in ("/admin/webhooks", f"/admin/webhooks/{hook.id}"):
            response = client.form(url, {**GOOD, **data})
            if response.status_code != 400 or message not in response.get_data(as_text=True):
                wrong.append(f"{url} {str(data)[:60]}: {response.status_code}")
    assert wrong == []
    db.session.refresh(hook)
    assert _count() == 1 and (hook.url, hook.events) == before


def test_without_the_csrf_token_nothing_changes(client, login_as, public_dns):
    login_as(Role.ADMIN)
    hook = _hook()
    assert client.post("/admin/webhooks", data=GOOD).status_code == 400
    assert client.post(f"/admin/webhooks/{hook.id}/delete").status_code == 400
    assert _count() == 1


def test_an_admin_edits_turns_off_rotates_tests_and_deletes(client, login_as, public_dns):
    login_as(Role.ADMIN)
    hook = _hook()
    old_secret = hook.secret

    response = client.form(
        f"/admin/webhooks/{hook.id}",
        {"url": "https://other.example.com/x", "events": ["action.created"]},
    )
    assert response.status_code == 302
    db.session.refresh(hook)
    assert (hook.url, hook.events, hook.active) == (
        "https://other.example.com/x",
        "action.created",
        False,
    )

    rotated = client.form(f"/admin/webhooks/{hook.id}/rotate")
    assert rotated.status_code == 200
    new_secret = _secret_on(rotated.get_data(as_text=True))
    db.session.refresh(hook)
    assert hook.secret == new_secret != old_secret

    assert client.form(f"/admin/webhooks/{hook.id}/test").status_code == 302
    [message] = db.session.scalars(select(WebhookMessage)).all()
    assert message.event == "webhook.test"

    assert client.form(f"/admin/webhooks/{hook.id}/delete").status_code == 302
    assert _count() == 0
    assert db.session.scalar(select(func.count()).select_from(WebhookMessage)) == 0


def _log(hook: Webhook, n: int) -> None:
    message = WebhookMessage(
        webhook_id=hook.id, msg_id=f"msg_{n}", key=f"k{n}", event="action.updated", payload="{}"
    )
    db.session.add(message)
    db.session.flush()
    db.session.add_all(
        WebhookAttempt(
            message_id=message.id,
            webhook_id=hook.id,
            number=i + 1,
            status_code=500 + i % 3,
            error="The receiver answered 500.",
            duration_ms=12,
        )
        for i in range(n)
    )
    db.session.commit()


def test_the_delivery_log_is_paged_newest_first_in_constant_queries(
    client, login_as, count_queries
):
    login_as(Role.ADMIN)
    hook = _hook()
    _log(hook, 5)
    url = f"/admin/webhooks/{hook.id}"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _log(hook, 25)  # now 30 attempts
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert len(few) == len(many)
    assert page.count("attempt ") == 20 and "Older" in page
    older = client.get(url + "?page=2").get_data(as_text=True)
    assert older.count("attempt ") == 10 and "Newer" in older
    assert client.get(url + "?page=abc").status_code == 200  # read as the first page
