"""`digests send`: what a digest holds (the person's For you, their actions due), once per period
however often and however concurrently it runs, no empty ones, a constant number of queries."""

from __future__ import annotations

import email
import email.policy
import threading
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.db import utcnow
from app.debriefs import board
from app.debriefs.services import publish
from app.digests import send
from app.digests.models import DigestSent
from app.digests.services import set_frequency
from app.extensions import db
from app.feeds import services as feeds
from app.feeds import subscriptions
from app.insights.models import LibraryDoc
from app.insights.services import withdraw
from tests.conftest import TMP
from tests.factories import make_user

OUTBOX = TMP / "instance" / "outbox"
PRICES = "Customers cannot compare prices per kilo"
STAIRS = "Older shoppers struggle with stairs"
VALUE = "People could not tell which pack was better value"


def mails() -> dict[str, EmailMessage]:
    """The digests in the outbox, by recipient."""
    found: dict[str, EmailMessage] = {}
    for path in sorted(Path(OUTBOX).glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        if msg["Subject"].startswith("Listening Post:"):
            assert msg["To"] not in found, f"two digests to {msg['To']}"
            found[msg["To"]] = msg
    return found


def parts(msg: EmailMessage) -> tuple[str, str]:
    text, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def sent_to(user) -> str:  # type: ignore[no-untyped-def]
    text, _ = parts(mails()[user.email])
    return text


def test_the_digest_holds_the_persons_for_you_in_both_parts(reader, library):
    outcome = send.send_due(db.session)
    msg = mails()[reader.email]
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == "Listening Post: 3 new insights"
    text, html = parts(msg)
    feed = [i.statement for i in feeds.feed(db.session, reader).items]
    assert feed == [VALUE, STAIRS, PRICES]
    for part in (text, html):  # newest first, as in For you
        assert [part.index(s) for s in feed] == sorted(part.index(s) for s in feed)
    assert "So what: Show unit prices on every shelf label" in text
    assert "Which one works out cheaper per kilo?" in text  # one customer quote
    assert "gran@example.org" not in text + html  # contact details stay out
    assert "Heard in another channel: web" in text
    assert f"http://localhost/library/insights/{library.value.id}" in text + html
    assert outcome.sent == len(mails())


def test_running_twice_sends_nothing_twice(reader, library):
    first = send.send_due(db.session)
    assert first.sent >= 1 and reader.email in mails()
    count = len(list(OUTBOX.glob("*.eml")))
    second = send.send_due(db.session)
    assert second.sent == 0
    assert len(list(OUTBOX.glob("*.eml"))) == count
    rows = db.session.scalar(select(func.count()).where(DigestSent.user_id == reader.id))
    assert rows == 1


def test_two_runs_at_once_send_each_digest_once(app, reader, library):
    db.session.commit()
    outcomes = []

    def run() -> None:
        with app.app_context():
            outcomes.append(send.send_due(db.session, batch=2))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = db.session.scalar(select(func.count()).select_from(DigestSent))
    assert sum(o.sent for o in outcomes) == total == len(mails())  # mails() refuses two to one
    assert reader.email in mails()


def test_only_what_the_persons_feed_holds_and_the_library_shows(reader, library):
    stores = make_user(department="Stores")  # the store insights are their own channel
    stores.created_at = utcnow() - timedelta(days=1)
    subscriptions.set_defaults(db.session, reader, False)
    subscriptions.subscribe(db.session, reader, "tag", "access")
    withdraw(
        db.session,
        "insight",
        library.value.id,
        reason="Names a customer",
        by=library.field.organiser,
    )
    unpublished = library.field.open_debrief()
    board.save_insight(
        db.session, unpublished, {"statement": "Not published yet"}, user=library.field.facilitator
    )
    db.session.commit()
    send.send_due(db.session)
    text = sent_to(reader)
    assert STAIRS in text and "You follow: tag “access”" in text
    assert PRICES not in text and VALUE not in text and "Not published" not in text
    assert stores.email not in mails()  # the web insight, their only one, was withdrawn


def test_nobody_gets_an_empty_digest_and_the_next_starts_where_the_last_ended(reader, library):
    newcomer = make_user(department="Finance")  # joined after everything was published
    off = make_user(department="Finance")
    off.created_at = reader.created_at
    set_frequency(db.session, off, "off")
    db.session.commit()
    send.send_due(db.session)
    assert newcomer.email not in mails() and off.email not in mails()
    assert db.session.scalar(select(DigestSent).where(DigestSent.user_id == newcomer.id)) is None
    # Daily from now on: tomorrow's digest has only what was published after this one.
    set_frequency(db.session, reader, "daily")
    db.session.commit()
    for path in OUTBOX.glob("*.eml"):
        path.unlink()
    db.session.execute(update(DigestSent).values(period="2000-01-01"))  # as if sent earlier
    send.send_due(db.session)
    assert reader.email not in mails()


def test_actions_due_or_overdue_come_to_their_owner(reader, library):
    owner = make_user(name="Otto Owner")  # not among the debrief's people
    debrief = library.field.open_debrief()
    by = library.field.facilitator
    today = date.today()
    for what, due, status in [
        ("Overdue one", today - timedelta(days=3), "doing"),
        ("Due this week", today + timedelta(days=6), "open"),
        ("Due next month", today + timedelta(days=30), "open"),
        ("Done already", today - timedelta(days=1), "done"),
    ]:
        board.save_action(
            db.session,
            debrief,
            {"what": what, "owner": owner.name, "due_on": due.isoformat(), "status": status},
            user=by,
        )
    board.save_action(
        db.session,
        debrief,
        {"what": "Team job", "owner": "Logistics", "due_on": "2020-01-01"},
        user=by,
    )
    db.session.commit()
    send.send_due(db.session)
    # The debrief is still open and its owner is not among its people: not theirs to see yet.
    assert owner.email not in mails()
    for path in OUTBOX.glob("*.eml"):
        path.unlink()
    publish(db.session, debrief, by=library.field.organiser)
    db.session.execute(update(DigestSent).values(period="2000-01-01"))
    db.session.commit()
    send.send_due(db.session)
    msg = mails()[owner.email]
    text, html = parts(msg)
    assert "2 actions due" in msg["Subject"]
    assert "OVERDUE · Due" in text and "Overdue one" in text and "Due this week" in text
    assert "Due next month" not in text and "Done already" not in text and "Team job" not in text
    assert "Overdue</strong>" in html
    assert "Team job" not in "".join(parts(m)[0] for m in mails().values())


def test_everything_in_the_html_part_is_escaped(reader, library):
    db.session.execute(
        update(LibraryDoc)
        .where(LibraryDoc.insight_id == library.value.id)
        .values(title="<script>alert(1)</script> & <b>bold</b>")
    )
    db.session.commit()
    send.send_due(db.session)
    text, html = parts(mails()[reader.email])
    assert (
        "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in html
    )
    assert "<script>alert(1)</script> & <b>bold</b>" in text  # plain text is plain


@pytest.mark.parametrize(("people", "insights"), [(2, 0), (6, 4)])
def test_queries_do_not_grow_with_people_or_insights(
    reader, library, count_queries, people, insights
):
    """2 or 6 more people (a saved search each), 3 or 7 new insights: the same queries."""
    if insights:
        debrief = library.field.open_debrief()
        for n in range(insights):
            board.save_insight(
                db.session, debrief, {"statement": f"More {n}"}, user=library.field.facilitator
            )
        publish(db.session, debrief, by=library.field.organiser)
    for n in range(people):
        person = make_user(department=f"Dept {n % 2}")
        person.created_at = reader.created_at
        subscriptions.follow_search(db.session, person, {"q": "prices" if n % 2 else "stairs"})
    db.session.commit()
    with count_queries() as statements:
        outcome = send.send_due(db.session)
    assert outcome.sent >= people
    # The new insights; per batch: people (and their roles), subscriptions, the searches'
    # words, quotes, programmes, actions, what came of what they heard, the claim; and finding
    # no one left.
    queries = [s for s in statements if not s.startswith("BEGIN")]  # SQLite's own
    assert len(queries) == 11, "\n".join(queries)
