"""Sending digests: each batch's digests are claimed in the database, then mailed once committed.

A digest is at most once per person and period: the claim is an INSERT … ON CONFLICT DO NOTHING
on the unique (person, period) pair, and only the digests whose row this run inserted are
mailed. Two runs at the same moment both try; the database lets one in. The mail leaves after
the commit (app.mail), so a run that fails before committing sends nothing, and one that dies
between its commit and the mail leaves those people without that digest rather than with two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy.dialects import postgresql, sqlite

from app.db import DbSession, utcnow
from app.digests.build import Digest, Run, build, due_people, new_docs
from app.digests.models import DigestSent
from app.digests.sections import SECTIONS, Section
from app.digests.services import unsubscribe_token
from app.mail import queue_mail

#: People worked out together: a constant number of queries for each batch.
BATCH = 500


@dataclass
class Outcome:
    sent: int = 0
    empty: int = 0  #: due, but nothing to tell them: no mail, and no record
    taken: int = 0  #: claimed by another run at the same moment


def claim(session: DbSession, run: Run, digests: list[Digest]) -> set[int]:
    """Record the digests as sent; the people whose record this call inserted (one query)."""
    if not digests:
        return set()
    rows = [
        {
            "user_id": d.person.user.id,
            "period": d.person.period,
            "since": d.person.since,
            "until": run.now,
            "insights": d.parts["insights"].total if "insights" in d.parts else 0,
            "actions": d.parts["actions"].total if "actions" in d.parts else 0,
            "sent_at": run.now,
        }
        for d in digests
    ]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(DigestSent)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["user_id", "period"])
        .returning(DigestSent.user_id)
    )
    return set(session.scalars(statement))


def subject(digest: Digest) -> str:
    insights = digest.parts["insights"].total if "insights" in digest.parts else 0
    actions = digest.parts["actions"].total if "actions" in digest.parts else 0
    done = digest.parts["loop"].total if "loop" in digest.parts else 0
    said = [f"{done} action{'s' if done != 1 else ''} done on what you heard"] if done else []
    if insights:
        said.append(f"{insights} new insight{'s' if insights != 1 else ''}")
    if actions:
        said.append(f"{actions} action{'s' if actions != 1 else ''} due")
    return "Listening Post: " + (" and ".join(said) or "your digest")


class Links:
    """The digest's links, each made once a run: ten thousand digests make a lot of them."""

    def __init__(self) -> None:
        self.for_you = url_for("feeds.for_you", _external=True)
        self.account = url_for("accounts.account", _external=True) + "#digest"
        self.actions = url_for("actions.register", mine=1, _external=True)
        self._insights: dict[int, str] = {}

    def insight(self, insight_id: int) -> str:
        if insight_id not in self._insights:
            url = url_for("insights.show", insight_id=insight_id, _external=True)
            self._insights[insight_id] = url
        return self._insights[insight_id]


def compose(digest: Digest, run: Run) -> dict[str, Any]:
    """The message: plain text and HTML from the same context, and the RFC 8058 headers."""
    person = digest.person
    unsubscribe = url_for(
        "digests.unsubscribe",
        unsubscribe_token=unsubscribe_token(person.user.id, person.epoch),
        _external=True,
    )
    env = current_app.jinja_env
    links = run.cache.get("links") or run.cache.setdefault("links", Links())
    context = {"digest": digest, "unsubscribe": unsubscribe, "links": links}
    return {
        "to": person.user.email,
        "subject": subject(digest),
        "body": env.get_template("digests/email.txt").render(context),
        "html": env.get_template("digests/email.html").render(context),
        "headers": (
            ("List-Unsubscribe", f"<{unsubscribe}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ),
    }


def send_batch(
    session: DbSession, run: Run, *, after: int, batch: int = BATCH, sections: list[Section] | None
) -> tuple[int | None, Outcome]:
    """Work out, claim and queue the digests of the next batch of due people (after this user
    id). Returns the last id looked at (None when no one is left) and what happened; the
    caller commits, which sends the mail."""
    people = due_people(session, run, after=after, limit=batch)
    if not people:
        return None, Outcome()
    digests = build(session, run, people, sections if sections is not None else SECTIONS)
    claimed = claim(session, run, digests)
    for digest in digests:
        if digest.person.user.id in claimed:
            queue_mail(session, **compose(digest, run))
    outcome = Outcome(len(claimed), len(people) - len(digests), len(digests) - len(claimed))
    return people[-1].user.id, outcome


def send_due(
    session: DbSession, *, batch: int = BATCH, sections: list[Section] | None = None
) -> Outcome:
    """Every due digest, a batch at a time, each batch committed (and so mailed) on its own:
    a run over many thousands of people holds no long lock and loses no work on a failure."""
    run = Run(utcnow())
    run.docs = new_docs(session, run.now)
    total = Outcome()
    after: int | None = 0
    base = current_app.config.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    # Links in mail sent from the command line start at BASE_URL.
    links = current_app.test_request_context(base_url=base) if not has_request_context() else None
    if links is not None:
        links.push()
    try:
        while after is not None:
            after, outcome = send_batch(session, run, after=after, batch=batch, sections=sections)
            session.commit()
            total.sent += outcome.sent
            total.empty += outcome.empty
            total.taken += outcome.taken
    finally:
        if links is not None:
            links.pop()
    return total
