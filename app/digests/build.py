"""Digests worked out for a batch of people at a time, in a constant number of queries a batch.

A digest is a list of sections, each computed for the whole batch by one `Section` (see
app/digests/sections.py): the insights For you brought since the last digest, the actions the
person owns that are due. A new section is one more class in `SECTIONS` and two small
templates (`digests/_<name>.html` and `.txt`); a person whose sections are all empty gets no
digest. What does not change from one batch to the next (the new insights of the library,
which of them each way of following brings) is kept in `Run` for the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import case, func, select

from app.accounts.models import User
from app.db import DbSession
from app.digests.models import DigestSent, Frequency
from app.feeds.models import FeedState, Subscription
from app.insights.models import DocKind, LibraryDoc

#: A digest looks back at most this far, however long ago the last one was.
LOOKBACK = timedelta(days=31)
#: The library's newest insights a run looks among (For you looks among 500).
MAX_DOCS = 2000
PERIODS = {Frequency.WEEKLY: timedelta(days=7), Frequency.DAILY: timedelta(days=1)}


def period_key(frequency: Frequency, now: datetime) -> str:
    """The period a digest is for: an ISO week ("2026-W49") or a day ("2026-12-03"), in UTC."""
    if frequency == Frequency.DAILY:
        return now.date().isoformat()
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Doc:
    """A new insight of the library, as plain values: they outlive each batch's commit."""

    id: int
    insight_id: int
    programme_id: int
    title: str  #: the statement, as the library holds it (contact details removed)
    body: str  #: the "so what"
    published_at: datetime
    happened_on: date
    keys: frozenset[str]


@dataclass
class Person:
    """Someone whose digest is due, with what their digest depends on."""

    user: User
    frequency: Frequency
    period: str
    since: datetime  #: insights published after this are new to them
    epoch: int  #: of their unsubscribe links
    defaults_on: bool
    subscriptions: list[Subscription] = field(default_factory=list)


@dataclass
class Part:
    """What one section holds for one person: the items shown, and how many there are."""

    items: list[Any]
    total: int


@dataclass
class Digest:
    person: Person
    parts: dict[str, Part]  #: by section name, in the order of SECTIONS

    @property
    def empty(self) -> bool:
        return not any(p.total for p in self.parts.values())


@dataclass
class Run:
    """One `digests send`: the moment it stands at, and what all its batches share."""

    now: datetime
    docs: list[Doc] = field(default_factory=list)  #: newest first
    cache: dict[str, Any] = field(default_factory=dict)  #: sections keep their own here

    @property
    def today(self) -> date:
        return self.now.date()


class Section(Protocol):
    name: str  #: its templates are digests/_<name>.html and .txt

    def compute(self, session: DbSession, run: Run, people: list[Person]) -> dict[int, Part]:
        """What the section holds for each person of the batch (by user id); a constant
        number of queries however many people and items."""
        ...


def new_docs(session: DbSession, now: datetime) -> list[Doc]:
    """The insights published in the last LOOKBACK, newest first (one query a run)."""
    rows = session.execute(
        select(
            LibraryDoc.id,
            LibraryDoc.insight_id,
            LibraryDoc.programme_id,
            LibraryDoc.title,
            LibraryDoc.body,
            LibraryDoc.published_at,
            LibraryDoc.happened_on,
            LibraryDoc.facet_keys,
        )
        .where(
            LibraryDoc.kind == DocKind.INSIGHT,
            LibraryDoc.published_at > now - LOOKBACK,
            LibraryDoc.published_at <= now,  # the next digest starts from `now`
        )
        .order_by(LibraryDoc.published_at.desc(), LibraryDoc.id.desc())
        .limit(MAX_DOCS)
    )
    return [
        Doc(i, insight or 0, p, t, b or "", at, on, frozenset((keys or "").split()))
        for i, insight, p, t, b, at, on, keys in rows
    ]


def due_people(session: DbSession, run: Run, *, after: int, limit: int) -> list[Person]:
    """The next `limit` people (by id, after `after`) whose digest is due: active, signed up,
    digests not off, and none recorded for their current period. Two queries."""
    frequency = func.coalesce(FeedState.digest, Frequency.WEEKLY.value)
    period = case(
        (frequency == Frequency.DAILY.value, period_key(Frequency.DAILY, run.now)),
        else_=period_key(Frequency.WEEKLY, run.now),
    )
    sent = select(DigestSent.id).where(DigestSent.user_id == User.id, DigestSent.period == period)
    last = select(func.max(DigestSent.until)).where(DigestSent.user_id == User.id)
    rows = session.execute(
        select(
            User,
            frequency,
            func.coalesce(FeedState.defaults_on, True),
            func.coalesce(FeedState.digest_epoch, 0),
            last.scalar_subquery(),
        )
        .outerjoin(FeedState, FeedState.user_id == User.id)
        .where(
            User.id > after,
            User.active.is_(True),
            User.password_hash.is_not(None),  # invited, not joined yet: nothing to say
            frequency.in_([f.value for f in PERIODS]),  # not off (nor anything unknown)
            ~sent.exists(),
        )
        .order_by(User.id)
        .limit(limit)
    ).all()
    people = []
    for user, freq, defaults_on, epoch, last_until in rows:
        freq = Frequency(freq)
        since = last_until or max(user.created_at, run.now - PERIODS[freq])
        since = max(since, run.now - LOOKBACK)
        people.append(
            Person(user, freq, period_key(freq, run.now), since, epoch, bool(defaults_on))
        )
    if people:
        by_id = {p.user.id: p for p in people}
        for s in session.scalars(
            select(Subscription)
            .where(Subscription.user_id.in_(list(by_id)))
            .order_by(Subscription.id)
        ):
            by_id[s.user_id].subscriptions.append(s)
    return people


def build(
    session: DbSession, run: Run, people: list[Person], sections: list[Section]
) -> list[Digest]:
    """The digests of a batch of people; those with nothing to say are left out."""
    parts = {s.name: s.compute(session, run, people) for s in sections}
    digests = []
    for person in people:
        empty = Part([], 0)
        digest = Digest(
            person, {name: got.get(person.user.id, empty) for name, got in parts.items()}
        )
        if not digest.empty:
            digests.append(digest)
    return digests
