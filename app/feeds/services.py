"""For you: a person's feed, what they follow, what they have read, and their feed addresses."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, bindparam, delete, select
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.actions.loop import mark_all_loop_read, unread_loop_count
from app.db import DbSession, raise_counter, utcnow
from app.debriefs.models import insight_evidence
from app.errors import DomainError
from app.feeds import matching
from app.feeds.models import FeedRead, FeedState, Follow, Subscription
from app.insights.fulltext import backend
from app.insights.models import LibraryDoc, LibraryState
from app.insights.services import library_doc
from app.kept import Kept, kept
from app.programmes.models import Programme

PAGE_SIZE = 20
#: A preview looks for its few items among this many of the newest insights first.
PREVIEW_WINDOW = 50
MAX_PAGE = 25
QUOTE = re.compile(r"“([^”]{3,})”")


@dataclass
class Item:
    doc: LibraryDoc
    reasons: list[str]
    unread: bool
    programme: str = ""
    timezone: str = "UTC"
    quote: str = ""

    # The library's copy of board text, which lost any contact details when it was saved.
    @property
    def statement(self) -> str:
        return self.doc.title

    @property
    def so_what(self) -> str:
        return self.doc.body or ""


@dataclass
class Feed:
    items: list[Item]  #: the page asked for
    total: int  #: insights in the feed, over all pages
    unread: int
    page: int
    pages: int


def state_of(session: DbSession, user: User) -> FeedState:
    """The person's feed settings, made on their first change."""
    state = session.get(FeedState, user.id)
    if state is None:
        state = FeedState(user_id=user.id, defaults_on=True, version=0)
        session.add(state)
    return state


def changed(session: DbSession, user: User) -> FeedState:
    """Raise the person's feed version, which what is kept of their feed is keyed by. Raised in
    the database, not read and written back: two changes at once must give two versions."""
    state = state_of(session, user)
    session.flush()  # the row is there
    version = raise_counter(session, FeedState.version, FeedState.user_id == user.id)
    set_committed_value(state, "version", version)
    return state


def programme_names(session: DbSession, ids: set[str]) -> dict[str, tuple[str, str]]:
    """Programme id (as text) -> (title, time zone), in one query."""
    wanted = sorted({int(i) for i in ids if i.isdecimal() and len(i) < 10})
    rows = session.execute(
        select(Programme.id, Programme.title, Programme.timezone).where(
            backend(session).among(Programme.id, wanted)
        )
    )
    return {str(pid): (title, tz) for pid, title, tz in rows}


def rules_of(
    session: DbSession, subscriptions: list[Subscription], extra_programmes: set[str]
) -> tuple[list[matching.Rule], dict[str, tuple[str, str]]]:
    """Rules of the subscriptions, and the names of their programmes and of extra_programmes."""
    ids = set(extra_programmes)
    for s in subscriptions:
        if s.kind == Follow.PROGRAMME:
            ids.add(s.value)
        elif s.kind == Follow.SEARCH and (p := _search_programme(s)):
            ids.add(p)
    names = programme_names(session, ids)
    titles = {k: v[0] for k, v in names.items()}
    return [r for s in subscriptions if (r := matching.rule(s, titles))], names


def _search_programme(subscription: Subscription) -> str | None:
    try:
        return json.loads(subscription.search or "{}").get("programme")  # type: ignore[no-any-return]
    except (ValueError, AttributeError):
        return None


def _matches(
    session: DbSession,
    user: User,
    subscriptions: list[Subscription],
    *,
    defaults: bool,
    limit: int | None = None,
) -> tuple[list[matching.Match], dict[str, tuple[str, str]]]:
    """The feed's insights, or only its first `limit`: looked for among the newest few
    documents first (a document matches or not on its own), then the whole window if needed."""
    for window in (PREVIEW_WINDOW, matching.WINDOW) if limit else (matching.WINDOW,):
        docs = matching.newest(session, window)
        rules, names = rules_of(session, subscriptions, {str(d.programme_id) for d in docs})
        found = matching.match(session, user, docs, rules, defaults=defaults, limit=limit)
        if limit is None or len(found) >= limit or len(docs) < window:
            break
    return found, names


def subscriptions_of(session: DbSession, user: User) -> list[Subscription]:
    return list(
        session.scalars(
            select(Subscription).where(Subscription.user_id == user.id).order_by(Subscription.id)
        )
    )


def _unread(
    session: DbSession, user: User, state: FeedState | None, found: list[matching.Match]
) -> set[int]:
    """The insight ids among the matches that the person has not read."""
    since = (state.read_before if state else None) or user.created_at
    fresh = [m.doc.insight_id for m in found if m.doc.published_at > since and m.doc.insight_id]
    if not fresh:
        return set()
    read = session.scalars(
        select(FeedRead.insight_id).where(
            FeedRead.user_id == user.id, backend(session).among(FeedRead.insight_id, fresh)
        )
    )
    return set(fresh) - set(read)


def _quotes(session: DbSession, insight_ids: list[int]) -> dict[int, str]:
    """One customer quote per insight, from its evidence as the library holds it (redacted)."""
    rows = session.execute(
        select(insight_evidence.c.insight_id, LibraryDoc.body)
        .join(LibraryDoc, LibraryDoc.note_id == insight_evidence.c.note_id)
        .where(backend(session).among(insight_evidence.c.insight_id, insight_ids))
        .order_by(insight_evidence.c.note_id)
    )
    quotes: dict[int, str] = {}
    for insight_id, body in rows:
        if insight_id not in quotes and (found := QUOTE.search(body or "")):
            quotes[insight_id] = found.group(1)
    return quotes


def _settings(
    session: DbSession, user: User, only: Subscription | None
) -> tuple[FeedState | None, list[Subscription], bool]:
    """The person's feed settings, what the feed follows, and whether the defaults are on."""
    state = session.get(FeedState, user.id)
    subscriptions = [only] if only else subscriptions_of(session, user)
    return state, subscriptions, only is None and (state is None or state.defaults_on)


def _items(
    session: DbSession,
    shown: list[matching.Match],
    names: dict[str, tuple[str, str]],
    unread: set[int],
) -> list[Item]:
    quotes = _quotes(session, [m.doc.insight_id or 0 for m in shown])
    items = []
    for m in shown:
        title, tz = names.get(str(m.doc.programme_id), ("", "UTC"))
        insight_id = m.doc.insight_id or 0
        quote = quotes.get(insight_id, "")
        items.append(Item(m.doc, m.reasons, insight_id in unread, title, tz, quote))
    return items


def feed(
    session: DbSession,
    user: User,
    *,
    page: Any = 1,
    page_size: int = PAGE_SIZE,
    only: Subscription | None = None,
    key: tuple[Any, ...] | None = None,
) -> Feed:
    """A page of the person's feed, newest first, each insight with why it is there; or of
    one of their saved searches (`only`). A constant number of queries; one when kept, none
    when `key` is given (feed_counts' key, read in this request)."""
    page = _page(page)

    def made() -> Feed:
        state, subscriptions, defaults = _settings(session, user, only)
        found, names = _matches(session, user, subscriptions, defaults=defaults)
        unread = _unread(session, user, state, found)
        shown = found[(page - 1) * page_size : page * page_size]
        pages = max(1, -(-len(found) // page_size))
        items = [_detached(i) for i in _items(session, shown, names, unread)]
        return Feed(items, len(found), len(unread), page, pages)

    if only is not None:
        return made()
    key = key or _kept_key(session, user)[0]
    return dataclasses.replace(kept(session, _feeds, (*key, page, page_size), made))


def preview(session: DbSession, user: User, size: int, counts: Counts) -> Feed:
    """The first page of `size` of the person's feed, the same as feed() gives, with the
    counts kept for the badge (`feed_counts`): only the items shown are worked out, and kept
    like feed()'s pages."""

    def made() -> list[Item]:
        state, subscriptions, defaults = _settings(session, user, None)
        shown, names = _matches(session, user, subscriptions, defaults=defaults, limit=size)
        unread = _unread(session, user, state, shown)
        return [_detached(i) for i in _items(session, shown, names, unread)]

    items = kept(session, _previews, (*counts.key, size), made)
    pages = max(1, -(-counts.total // size))
    return Feed(items, counts.total, counts.unread, 1, pages)


@functools.cache
def _kept_key_query() -> Select[Any, Any]:
    """What the kept counts and pages depend on, and the unread loop news, in one statement.
    Built once: on every page (the badge), building it cost more than running it."""
    user_id = bindparam("user_id", type_=Integer)
    return select(
        select(LibraryState.generation).where(LibraryState.id == 1).scalar_subquery(),
        select(FeedState.version).where(FeedState.user_id == user_id).scalar_subquery(),
        unread_loop_count(user_id),  # what came of what they heard, counted in the same query
    )


def _kept_key(session: DbSession, user: User) -> tuple[tuple[Any, ...], int]:
    """Everything the person's feed depends on: the person and their department, the library's
    generation (a publish, a withdrawal, any document leaving and a programme renamed move it:
    programme names are in the items and their reasons) and their feed's version (reading,
    following, the defaults); and, beside it, their unread loop news. One query."""
    *found, loop_unread = session.execute(_kept_key_query(), {"user_id": user.id}).one()
    return (user.id, user.department, user.created_at, *found), int(loop_unread or 0)


def _detached(item: Item) -> Item:
    """The item with its document copied out of the database session: it is kept between
    requests."""
    return dataclasses.replace(item, doc=item.doc.detached(), reasons=list(item.reasons))


def _page(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or not raw.isdecimal() or not 1 <= int(raw) <= MAX_PAGE:
        raise DomainError(f"The page must be a number from 1 to {MAX_PAGE}.", field="page")
    return int(raw)


@dataclass(frozen=True)
class Counts:
    unread: int  #: insights in the feed, and loop news, the person has not read
    total: int  #: insights in the feed
    key: tuple[Any, ...] = ()  #: what they were kept by, for the pages of this request


# Counts, pages of feeds and the home screen's items by _kept_key: the badge on every page
# then costs one query. The key holds everything they depend on, so what was kept before
# another process's change is never served.
_counts = Kept(4096)
_feeds = Kept(1024)
_previews = Kept(4096)


def feed_counts(session: DbSession, user: User) -> Counts:
    """How many insights the person's feed holds, and how many things in it (insights and what
    came of what they heard) they have not read; one query when kept."""
    key, loop_unread = _kept_key(session, user)

    def made() -> Counts:
        whole = feed(session, user, page_size=1, key=key)
        return Counts(whole.unread, whole.total, key)

    counts = kept(session, _counts, key, made)
    return dataclasses.replace(counts, unread=counts.unread + loop_unread)


def unread_count(session: DbSession, user: User) -> int:
    """How many things in the person's feed they have not read; one query when kept."""
    return feed_counts(session, user).unread


def mark_read(session: DbSession, user: User, insight_id: Any) -> None:
    """Mark one insight of the library as read; twice changes nothing."""
    doc = library_doc(session, insight_id)
    if session.get(FeedRead, (user.id, doc.insight_id)) is None:
        session.add(FeedRead(user_id=user.id, insight_id=doc.insight_id))
    changed(session, user)


def mark_all_read(session: DbSession, user: User) -> None:
    """Everything published until now is read."""
    state = changed(session, user)
    state.read_before = utcnow()
    session.execute(delete(FeedRead).where(FeedRead.user_id == user.id))
    mark_all_loop_read(session, user)
    session.flush()
