"""Choosing the frequency (page and API, hostile values), the one-click unsubscribe link (RFC 8058,
forged, altered, another person's, replayed), delivery over real SMTP, and the RQ schedule."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage

import pytest
from itsdangerous import URLSafeSerializer
from redis import Redis
from redis.exceptions import ConnectionError as RedisDown
from rq import SimpleWorker

from app.digests import cli, send
from app.digests.services import frequency_of, set_frequency, unsubscribe_token
from app.extensions import db
from tests.conftest import TEST_REDIS_URL, database_url
from tests.digests.test_send import mails
from tests.factories import make_user

BAD = [None, "", "hourly", "Weekly", " daily", "off\x00", 3, True, ["daily"], {"a": 1}]


@pytest.mark.parametrize("value", BAD)
def test_a_bad_frequency_is_a_400_that_changes_nothing(client, login_as, value):
    user = login_as()
    set_frequency(db.session, user, "daily")
    answer = client.api("PUT", "/api/v1/me/feed/digest", json={"frequency": value})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"] == "Choose weekly, daily or off."
    if isinstance(value, str | None):
        page = client.form("/account/digest", {} if value is None else {"frequency": value})
        assert page.status_code == 400
        assert 'id="frequency-error">Choose weekly, daily or off.' in page.get_data(as_text=True)
    assert frequency_of(db.session, user) == "daily"


def test_frequency_on_the_account_page_and_in_the_api(client, login_as):
    user = login_as()
    page = client.get("/account").get_data(as_text=True)
    assert 'value="weekly" checked' in page  # the default
    assert client.form("/account/digest", {"frequency": "off"}).status_code == 302
    assert frequency_of(db.session, user) == "off"
    assert "No more digests by email." in client.get("/account").get_data(as_text=True)
    answer = client.api("PUT", "/api/v1/me/feed/digest", json={"frequency": "daily"})
    assert answer.get_json() == {"digest": "daily"}
    assert client.get("/api/v1/me/subscriptions").get_json()["digest"] == "daily"
    extra = client.api("PUT", "/api/v1/me/feed/digest", json={"frequency": "off", "x": 1})
    assert extra.status_code == 400 and frequency_of(db.session, user) == "daily"


def test_the_link_asks_first_then_one_click_turns_digests_off_without_signing_in(client):
    user = make_user(name="Ursula Unsub")
    url = f"/digests/unsubscribe/{unsubscribe_token(user.id, 0)}"
    page = client.get(url)
    assert page.status_code == 200 and "Stop digest emails?" in page.get_data(as_text=True)
    assert frequency_of(db.session, user) == "weekly"  # a mail scanner's GET changes nothing
    # RFC 8058: the mail app POSTs this body, with no cookie and no CSRF token.
    done = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "No more digests" in done.get_data(as_text=True)
    assert frequency_of(db.session, user) == "off"
    assert client.post(url).status_code == 200  # twice is harmless


def _refused(client, token: str, user, status: int) -> None:  # type: ignore[no-untyped-def]
    for answer in (
        client.get(f"/digests/unsubscribe/{token}"),
        client.post(f"/digests/unsubscribe/{token}"),
    ):
        assert answer.status_code == status
        assert "unsubscribe link is not valid" in answer.get_data(as_text=True) or status == 400
    assert frequency_of(db.session, user) == "weekly"


def test_a_forged_altered_or_misused_token_turns_nothing_off(app, client):
    me, other = make_user(), make_user()
    db.session.commit()
    token = unsubscribe_token(me.id, 0)
    _, signature = token.split(".")
    theirs = unsubscribe_token(other.id, 0).split(".")[0]
    key = app.config["SECRET_KEY"]
    for forged in (
        f"{theirs}.{signature}",  # my signature on their id
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # altered
        URLSafeSerializer(key, salt="another purpose").dumps([other.id, 0]),  # same key, other use
        URLSafeSerializer("guessed key", salt="listening-post.digest-unsubscribe").dumps(
            [other.id, 0]
        ),
        "nonsense",
        "x" * 500,
    ):
        _refused(client, forged, other, 404)
    assert frequency_of(db.session, me) == "weekly"


def test_after_turning_digests_back_on_an_old_link_no_longer_works(client):
    user = make_user()
    old = unsubscribe_token(user.id, 0)
    assert client.post(f"/digests/unsubscribe/{old}").status_code == 200
    set_frequency(db.session, user, "weekly")  # back on: a new epoch
    db.session.commit()
    answer = client.post(f"/digests/unsubscribe/{old}")
    assert answer.status_code == 400
    assert "before you turned digests back on" in answer.get_data(as_text=True)
    assert frequency_of(db.session, user) == "weekly"
    assert client.post(f"/digests/unsubscribe/{unsubscribe_token(user.id, 1)}").status_code == 200


def test_real_smtp_delivery_with_rfc_8058_headers(app, client, reader, library, monkeypatch):
    from aiosmtpd.controller import Controller

    received: list[EmailMessage] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            received.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[arg-type]
            )
            return "250 OK"

    with socket.socket() as probe:  # a free port (the controller cannot take port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(Handler(), hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
        monkeypatch.setitem(app.config, "BASE_URL", "https://lp.example.com")
        outcome = send.send_due(db.session)
    finally:
        smtp.stop()
    assert len(received) == outcome.sent and mails() == {}  # none to the outbox
    msg = next(m for m in received if m["To"] == reader.email)
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = msg["List-Unsubscribe"]
    assert link.startswith("<https://lp.example.com/digests/unsubscribe/") and link.endswith(">")
    html = msg.get_body(("html",))
    assert html is not None and link[1:-1] in html.get_content()
    # The link in the header works as a one-click POST.
    assert client.post(link[1:-1].removeprefix("https://lp.example.com")).status_code == 200
    assert frequency_of(db.session, reader) == "off"


def test_the_rq_schedule_runs_the_digests_in_a_worker(app, reader, library, monkeypatch):
    connection = Redis.from_url(TEST_REDIS_URL)
    try:
        connection.ping()
    except RedisDown:
        pytest.skip("no Redis on 127.0.0.1:6379")
    connection.flushdb()
    monkeypatch.setenv("DATABASE_URL", database_url())  # the job's app opens the same database
    try:
        cron = cli.scheduler(TEST_REDIS_URL)
        [job] = cron.get_jobs()
        assert (job.cron, job.queue_name) == ("0 7 * * *", "digests")
        db.session.commit()
        job.enqueue(connection)  # what the scheduler does at 07:00
        SimpleWorker(["digests"], connection=connection).work(burst=True)
        assert reader.email in mails()
    finally:
        connection.flushdb()
        connection.close()
