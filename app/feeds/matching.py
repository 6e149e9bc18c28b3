"""Which of the library's newest insights a person's subscriptions (or the defaults) bring them.

A constant number of queries however many insights and subscriptions: the newest insights
are read in one query and every facet rule is checked in Python against their facet keys; the
words of all a person's saved searches are looked up in the library's own full-text index in
one combined query (a UNION ALL of one match per search, capped at MAX_SEARCHES).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, column, literal, select, table, text, union_all
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.db import DbSession
from app.debriefs.models import insight_evidence
from app.errors import DomainError
from app.feeds.models import Follow, Subscription
from app.insights.fulltext import backend
from app.insights.models import DocKind, LibraryDoc, facet_key, facet_of_key
from app.insights.query import Query, parse
from app.insights.search import FACET_LABELS, Filters, read_filters
from app.programmes.models import KIND_LABELS, ActivityKind

#: For you looks among this many of the newest insights in the library.
WINDOW = 500
#: Saved searches per person: each is one part of the combined full-text query.
MAX_SEARCHES = 10


def plain(value: str) -> str:
    """A department or channel name compared loosely: lower case, words without a plural s
    ("Stores" is the "store" channel, "Call centre" the "call centre" one)."""
    return " ".join(w.removesuffix("s") for w in re.findall(r"[^\W_]+", value.lower()))


def capitalised(value: str) -> str:
    return value[:1].upper() + value[1:]


@dataclass
class Match:
    doc: LibraryDoc
    reasons: list[str]


@dataclass
class Rule:
    """One subscription, ready to check against a document's facet keys."""

    subscription: Subscription
    reason: str
    keys: frozenset[str]  #: every one of them must be among the document's
    query: Query | None = None  #: a saved search's words, matched in the index
    date_from: date | None = None
    date_to: date | None = None
    hits: set[int] = field(default_factory=set)  #: documents its words matched

    def holds(self, doc: LibraryDoc, keys: set[str]) -> bool:
        if not self.keys <= keys:
            return False
        if self.date_from and doc.happened_on < self.date_from:
            return False
        if self.date_to and doc.happened_on > self.date_to:
            return False
        return self.query is None or doc.id in self.hits


def search_filters(subscription: Subscription) -> Filters:
    """A saved search's filters, read again as the library reads them."""
    try:
        args = json.loads(subscription.search or "{}")
    except ValueError:
        args = {}
    return read_filters(args if isinstance(args, dict) else {})


def describe_search(filters: Filters, programmes: dict[str, str]) -> str:
    """A saved search in words: “better value” · Channel: web."""
    parts = [f"“{filters.q}”"] if filters.q else []
    for name, value in filters.picked.items():
        shown = programmes.get(value, value) if name == "programme" else value
        if name == "kind" and value in ActivityKind.__members__.values():
            shown = KIND_LABELS[ActivityKind(value)]
        parts.append(f"{FACET_LABELS[name]}: {shown}")
    if filters.date_from or filters.date_to:
        parts.append(f"{filters.date_from or '…'} to {filters.date_to or '…'}")
    return " · ".join(parts)


def describe(subscription: Subscription, programmes: dict[str, str], *, named: bool = True) -> str:
    """What a subscription follows, as a person reads it (`named`: a search says it is one)."""
    value = subscription.value
    match subscription.kind:
        case Follow.CHANNEL:
            return capitalised(value)
        case Follow.DEPARTMENT:
            return f"{value} (department)"
        case Follow.KIND:
            kinds = ActivityKind.__members__.values()
            return KIND_LABELS[ActivityKind(value)] if value in kinds else value
        case Follow.TAG:
            return f"tag “{value}”"
        case Follow.PROGRAMME:
            return programmes.get(value, "a programme")
    try:
        words = describe_search(search_filters(subscription), programmes)
        return f"the search {words}" if named else words
    except DomainError:
        return "a saved search that no longer reads"


def rule(subscription: Subscription, programmes: dict[str, str]) -> Rule | None:
    """A subscription as a rule; None for a saved search that no longer reads."""
    reason = "You follow: " + describe(subscription, programmes)
    if subscription.kind != Follow.SEARCH:
        key = facet_key(str(subscription.kind), subscription.value)
        return Rule(subscription, reason, frozenset({key}))
    try:
        filters = search_filters(subscription)
    except DomainError:
        return None
    query = parse(filters.q)
    keys = frozenset(facet_key(name, value) for name, value in filters.picked.items())
    return Rule(
        subscription,
        reason,
        keys,
        query=None if query.empty else query,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )


def default_reasons(user: User, keys: set[str]) -> list[str]:
    """Why the defaults bring a document: heard in a channel other than the person's
    department's own, or tagged with their department."""
    mine = plain(user.department)
    reasons = []
    facets = [facet_of_key(k) for k in sorted(keys)]
    others = sorted(v for f, v in facets if f == "channel" and plain(v) != mine)
    if others:
        reasons.append(f"Heard in another channel: {others[0]}")
    if mine and any(f == "tag" and plain(v) == mine for f, v in facets):
        reasons.append(f"Tagged with your department: {user.department}")
    return reasons


def newest(session: DbSession, window: int = WINDOW) -> Sequence[LibraryDoc]:
    """The newest insights in the library, newest first: all a feed looks among."""
    return session.scalars(
        select(LibraryDoc)
        .where(LibraryDoc.kind == DocKind.INSIGHT)
        .order_by(LibraryDoc.published_at.desc(), LibraryDoc.id.desc())
        .limit(window)
    ).all()


def _found(session: DbSession, query: Query, n: int) -> Select[Any, Any]:
    """Documents with the query's words, from library_docs (the n-th search of a union)."""
    be = backend(session)
    if be.dialect != "sqlite":  # named FROM, so that joins added later start from it
        return be.matching(query).select_from(LibraryDoc)
    # Our own MATCH clause: the library's names its parameter :fts, which a union of
    # several searches would repeat.
    fts = table("library_fts", column("rowid"))
    return (
        select(LibraryDoc.id.label("doc_id"), literal(0.0).label("score"))
        .select_from(fts.join(LibraryDoc, LibraryDoc.id == fts.c.rowid))
        .where(text(f"library_fts MATCH :fts_{n}").bindparams(**{f"fts_{n}": query.fts5()}))
    )


def word_hits(session: DbSession, rules: list[Rule], doc_ids: list[int]) -> None:
    """Fill each saved search's `hits`: the insights among doc_ids whose own words match, or
    one of whose evidence notes' words do (as the library shows a note under its insight).
    One query for all the searches."""
    worded = [r for r in rules if r.query is not None]
    if not worded or not doc_ids:
        return
    be = backend(session)
    # On SQLite, +0 keeps the id list a filter: as an index lookup it would run the whole
    # MATCH once per id.
    insight_id = LibraryDoc.id + 0 if be.dialect == "sqlite" else LibraryDoc.id
    owner = aliased(LibraryDoc)
    parts: list[Select[Any, Any]] = []
    for n, r in enumerate(worded):
        assert r.query is not None
        found, tag = _found(session, r.query, n), literal(n).label("n")
        parts.append(
            found.with_only_columns(tag, LibraryDoc.id.label("doc_id")).where(
                LibraryDoc.kind == DocKind.INSIGHT, be.among(insight_id, doc_ids)
            )
        )
        parts.append(
            found.with_only_columns(tag, owner.id.label("doc_id"))
            .join(insight_evidence, insight_evidence.c.note_id == LibraryDoc.note_id)
            .join(owner, owner.insight_id == insight_evidence.c.insight_id)
            .where(LibraryDoc.kind == DocKind.NOTE, be.among(owner.id, doc_ids))
        )
    for n, doc_id in session.execute(union_all(*parts)):
        worded[n].hits.add(doc_id)


def match(
    session: DbSession,
    user: User,
    docs: Sequence[LibraryDoc],
    rules: list[Rule],
    *,
    defaults: bool,
    limit: int | None = None,
) -> list[Match]:
    """The documents the rules (and the defaults, if on) bring, each with why, in order; only
    the first `limit` of them if given."""
    word_hits(session, rules, [d.id for d in docs])
    out: list[Match] = []
    for doc in docs:
        if limit is not None and len(out) >= limit:
            break
        keys = set(doc.facet_keys.split())
        reasons = [r.reason for r in rules if r.holds(doc, keys)]
        if defaults:
            reasons += default_reasons(user, keys)
        if reasons:
            out.append(Match(doc, reasons))
    return out
