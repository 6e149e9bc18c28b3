"""What a person follows: subscriptions, saved searches, the defaults, and feed addresses."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.accounts.models import User
from app.db import DbSession, is_id
from app.errors import Conflict, DomainError, NotFound
from app.feeds import matching
from app.feeds.models import FeedState, Follow, Subscription
from app.feeds.services import changed, rules_of, state_of, subscriptions_of
from app.insights.index import KIND_CHANNELS
from app.insights.models import DocKind, LibraryDoc, facet_of_key
from app.insights.query import parse
from app.insights.search import Filters, read_filters
from app.programmes.models import KIND_LABELS, ActivityKind, Programme
from app.text import clean_text

#: Subscriptions per person, saved searches included.
MAX_SUBSCRIPTIONS = 50
LABELS = {
    Follow.DEPARTMENT: "Department",
    Follow.CHANNEL: "Channel",
    Follow.KIND: "Activity",
    Follow.TAG: "Tag",
    Follow.PROGRAMME: "Programme",
}


@dataclass
class Followed:
    subscription: Subscription
    label: str  #: what it follows, in words
    args: dict[str, Any]  #: a saved search's library arguments ({} for a facet)


def followed(session: DbSession, user: User) -> list[Followed]:
    """What the person follows, in the order they chose it."""
    subs = subscriptions_of(session, user)
    _, names = rules_of(session, subs, set())
    titles = {k: v[0] for k, v in names.items()}
    return [Followed(s, matching.describe(s, titles, named=False), search_args(s)) for s in subs]


def search_args(subscription: Subscription) -> dict[str, Any]:
    """A saved search's library arguments ({} for a facet)."""
    try:
        args = json.loads(subscription.search or "{}")
    except ValueError:
        return {}
    return args if isinstance(args, dict) else {}


def followed_label(session: DbSession, subscription: Subscription) -> str:
    """What one subscription follows, in words."""
    _, names = rules_of(session, [subscription], set())
    return matching.describe(subscription, {k: v[0] for k, v in names.items()}, named=False)


def _check_room(session: DbSession, user: User, kind: Follow) -> None:
    subs = subscriptions_of(session, user)
    if len(subs) >= MAX_SUBSCRIPTIONS:
        raise DomainError(f"You follow {MAX_SUBSCRIPTIONS} things already: remove one first.")
    searches = sum(1 for s in subs if s.kind == Follow.SEARCH)
    if kind == Follow.SEARCH and searches >= matching.MAX_SEARCHES:
        raise DomainError(f"You follow {matching.MAX_SEARCHES} searches already: remove one first.")


def _value(session: DbSession, kind: Follow, raw: Any) -> str:
    """The facet value to follow, as the library indexes it; a DomainError says what is wrong."""
    label = LABELS[kind]
    value = clean_text(raw, field=label, max_length=120, required=True)
    if kind in (Follow.CHANNEL, Follow.TAG):
        return value.lower()
    if kind == Follow.KIND:
        if value not in ActivityKind.__members__.values():
            raise DomainError("There is no such kind of activity.", field="value")
        return value
    if kind == Follow.PROGRAMME:
        in_library = (
            value.isdecimal()
            and len(value) < 10
            and session.scalar(
                select(LibraryDoc.id).where(LibraryDoc.programme_id == int(value)).limit(1)
            )
        )
        if not in_library:
            raise DomainError("That programme has nothing in the library.", field="value")
        return value
    known = session.scalar(select(func.count()).where(User.department == value))
    if not known:
        raise DomainError(f"No one works in a department called “{value}”.", field="value")
    return value


def subscribe(session: DbSession, user: User, kind: Any, value: Any) -> Subscription:
    """Follow a department, channel, activity kind, tag or programme."""
    if kind not in LABELS:
        raise DomainError("Follow a department, channel, activity, tag or programme.", field="kind")
    follow = Follow(kind)
    value = _value(session, follow, value)
    _check_room(session, user, follow)
    return _add(session, user, Subscription(user_id=user.id, kind=follow, value=value))


def follow_search(session: DbSession, user: User, args: Mapping[str, Any]) -> Subscription:
    """Follow a library search: its words, facets and dates, as the library reads them."""
    args = {k: v for k, v in args.items() if k != "page"}
    filters = read_filters(args)
    query = parse(filters.q)
    if query.empty and query.excluded:
        raise DomainError("Add a word to look for besides the ones to leave out.", field="q")
    if query.empty and not filters.picked and not (filters.date_from or filters.date_to):
        raise DomainError(
            "Search for words or pick a filter first: an empty search follows everything.",
            field="q",
        )
    _check_room(session, user, Follow.SEARCH)
    saved, digest = _saved_search(filters)
    return _add(
        session,
        user,
        Subscription(user_id=user.id, kind=Follow.SEARCH, value=digest, search=saved),
    )


def follows_search(session: DbSession, user: User, filters: Filters) -> bool:
    """Whether the person follows this search already."""
    return _taken(session, user, Follow.SEARCH, _saved_search(filters)[1])


def _saved_search(filters: Filters) -> tuple[str, str]:
    """A search as saved (JSON of its arguments), and its digest: the same search, the same."""
    saved = json.dumps(filters.args(page=None), sort_keys=True, ensure_ascii=False)
    return saved, hashlib.sha256(saved.encode()).hexdigest()


def _add(session: DbSession, user: User, subscription: Subscription) -> Subscription:
    if _taken(session, user, subscription.kind, subscription.value):
        raise Conflict("You follow that already.")
    session.add(subscription)
    changed(session, user)
    return subscription


def _taken(session: DbSession, user: User, kind: str, value: str) -> bool:
    found = session.scalar(
        select(Subscription.id).where(
            Subscription.user_id == user.id, Subscription.kind == kind, Subscription.value == value
        )
    )
    return found is not None


def own_subscription(session: DbSession, user: User, subscription_id: Any) -> Subscription:
    """One of the person's subscriptions; someone else's is not found."""
    found = session.get(Subscription, subscription_id) if is_id(subscription_id) else None
    if found is None or found.user_id != user.id:
        raise NotFound("You do not follow that (or no longer).")
    return found


def unsubscribe(session: DbSession, user: User, subscription_id: Any) -> None:
    """Stop following something; a saved search's feed address stops working."""
    session.delete(own_subscription(session, user, subscription_id))
    changed(session, user)


def set_defaults(session: DbSession, user: User, on: bool) -> None:
    """Turn the defaults (other channels, my department's tag) on or off."""
    changed(session, user).defaults_on = on
    session.flush()


def renew_feed_token(
    session: DbSession, user: User, subscription: Subscription | None = None
) -> str:
    """A new secret Atom address for the person (or one saved search); the old one stops."""
    token = secrets.token_urlsafe(32)
    if subscription is not None:
        subscription.feed_token = token
    else:
        state_of(session, user).feed_token = token
    session.flush()
    return token


def revoke_feed_token(
    session: DbSession, user: User, subscription: Subscription | None = None
) -> None:
    if subscription is not None:
        subscription.feed_token = None
    else:
        state_of(session, user).feed_token = None
    session.flush()


def for_token(session: DbSession, token: str) -> tuple[User, Subscription | None]:
    """Whose feed a secret address is: the person's own, or one of their saved searches."""
    if not token:
        raise NotFound("This feed does not exist or was revoked.")
    state = session.scalar(select(FeedState).where(FeedState.feed_token == token))
    subscription = None
    if state is None:
        subscription = session.scalar(select(Subscription).where(Subscription.feed_token == token))
    owner_id = state.user_id if state else subscription.user_id if subscription else None
    user = session.get(User, owner_id) if owner_id else None
    if user is None or not user.active:
        raise NotFound("This feed does not exist or was revoked.")
    return user, subscription


@dataclass
class Choices:
    """What can be followed, for the subscriptions page's lists."""

    departments: list[str]
    channels: list[str]
    kinds: list[tuple[str, str]]
    tags: list[str]
    programmes: list[tuple[str, str]]


def choices(session: DbSession) -> Choices:
    """Departments people work in, and the channels, tags and programmes the library has."""
    found: dict[str, set[str]] = {"channel": set(KIND_CHANNELS.values()), "tag": set()}
    for keys in session.scalars(
        select(LibraryDoc.facet_keys).where(LibraryDoc.kind == DocKind.INSIGHT)
    ):
        for key in keys.split():
            facet, value = facet_of_key(key)
            if facet in found:
                found[facet].add(value)
    departments = session.scalars(
        select(User.department).where(User.department != "").distinct().order_by(User.department)
    )
    programmes = session.execute(
        select(Programme.id, Programme.title)
        .where(Programme.id.in_(select(LibraryDoc.programme_id)))
        .order_by(Programme.starts_on.desc(), Programme.id.desc())
    )
    return Choices(
        departments=list(departments),
        channels=sorted(found["channel"]),
        kinds=[(str(k), label) for k, label in KIND_LABELS.items()],
        tags=sorted(found["tag"]),
        programmes=[(str(pid), title) for pid, title in programmes],
    )


def own_channels(user: User, channels: list[str]) -> list[str]:
    """The channels that are the person's department's own: those named like it."""
    mine = matching.plain(user.department)
    return [c for c in channels if mine and matching.plain(c) == mine]
