"""JSON endpoints for For you: my feed, marking read, and what I follow."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for
from flask_login import current_user

from app.actions import loop
from app.actions.loop import LoopItem
from app.api import bp
from app.api.views import json_body
from app.digests.services import frequency_of, set_frequency
from app.errors import DomainError
from app.extensions import db
from app.feeds import services, subscriptions
from app.feeds.models import FeedState, Follow
from app.feeds.services import Item
from app.feeds.subscriptions import Followed, search_args
from app.insights.models import FACETS

#: What a saved search may hold: the library's own query arguments.
SEARCH_ARGS = {"q", "from", "to", *FACETS}


def item_json(item: Item) -> dict[str, Any]:
    doc = item.doc
    return {
        "insight_id": doc.insight_id,
        "statement": item.statement,
        "so_what": item.so_what,
        "quote": item.quote or None,
        "programme_id": doc.programme_id,
        "programme": item.programme,
        "published_at": doc.published_at.isoformat(),
        "why": item.reasons,
        "unread": item.unread,
        "url": url_for("insights.show", insight_id=doc.insight_id, _external=True),
    }


def followed_json(f: Followed) -> dict[str, Any]:
    s = f.subscription
    out: dict[str, Any] = {"id": s.id, "kind": str(s.kind), "label": f.label}
    if s.kind == Follow.SEARCH:
        out["search"] = f.args
    else:
        out["value"] = s.value
    return out


def loop_json(n: LoopItem) -> dict[str, Any]:
    return {
        "id": n.id,
        "action_id": n.action_id,
        "what": n.what,
        "owner": n.owner,
        "due_on": n.due_on.isoformat() if n.due_on else None,
        "status": n.status,
        "note": n.note or None,
        "programme": n.programme,
        "insight_id": n.insight_id,
        "insight": n.insight or None,
        "told_at": n.told_at.isoformat(),
        "unread": not n.read,
    }


@bp.get("/me/feed")
def feed():  # type: ignore[no-untyped-def]
    """My feed, newest first, 20 a page; `page` from 1; and what came of what I heard."""
    found = services.feed(db.session, current_user, page=request.args.get("page", "1"))
    news = loop.loop_news(db.session, [current_user.id], limit=loop.SHOWN).get(current_user.id, [])
    return jsonify(
        loop=[loop_json(n) for n in news],
        items=[item_json(i) for i in found.items],
        total=found.total,
        unread=found.unread,
        page=found.page,
        pages=found.pages,
    )


@bp.put("/me/feed/read/<int:insight_id>")
def feed_read(insight_id: int) -> tuple[Response, int]:
    services.mark_read(db.session, current_user, insight_id)
    db.session.commit()
    return jsonify(read=True, unread=services.unread_count(db.session, current_user)), 200


@bp.put("/me/feed/loop/<int:news_id>/read")
def feed_loop_read(news_id: int) -> tuple[Response, int]:
    loop.mark_loop_read(db.session, current_user, news_id)
    db.session.commit()
    return jsonify(read=True, unread=services.unread_count(db.session, current_user)), 200


@bp.post("/me/feed/read-all")
def feed_read_all() -> tuple[Response, int]:
    services.mark_all_read(db.session, current_user)
    db.session.commit()
    return jsonify(read=True, unread=0), 200


@bp.get("/me/subscriptions")
def feed_subscriptions():  # type: ignore[no-untyped-def]
    state = db.session.get(FeedState, current_user.id)
    return jsonify(
        defaults=state is None or state.defaults_on,
        digest=frequency_of(db.session, current_user),
        subscriptions=[followed_json(f) for f in subscriptions.followed(db.session, current_user)],
    )


@bp.post("/me/subscriptions")
def feed_subscribe() -> tuple[Response, int]:
    """Follow a facet ({"kind": "channel", "value": "store"}) or a library search
    ({"kind": "search", "search": {"q": "better value", "channel": "web"}})."""
    data = json_body({"kind", "value", "search"})
    if data.get("kind") == Follow.SEARCH:
        search = data.get("search")
        if not isinstance(search, dict) or not all(isinstance(v, str) for v in search.values()):
            raise DomainError("search must be an object of library query arguments (text).")
        unknown = sorted(set(search) - SEARCH_ARGS)
        if unknown:
            raise DomainError(f"Unknown search arguments: {', '.join(unknown)[:200]}.")
        made = subscriptions.follow_search(db.session, current_user, search)
    else:
        made = subscriptions.subscribe(
            db.session, current_user, data.get("kind"), data.get("value")
        )
    db.session.commit()
    label = subscriptions.followed_label(db.session, made)
    return jsonify(followed_json(Followed(made, label, search_args(made)))), 201


@bp.delete("/me/subscriptions/<int:subscription_id>")
def feed_unsubscribe(subscription_id: int) -> tuple[Response, int]:
    subscriptions.unsubscribe(db.session, current_user, subscription_id)
    db.session.commit()
    return jsonify(deleted=True), 200


@bp.put("/me/feed/defaults")
def feed_defaults() -> tuple[Response, int]:
    """Turn the defaults on or off: {"on": true}."""
    data = json_body({"on"})
    if not isinstance(data.get("on"), bool):
        raise DomainError("on must be true or false.", field="on")
    subscriptions.set_defaults(db.session, current_user, data["on"])
    db.session.commit()
    return jsonify(defaults=data["on"]), 200


@bp.put("/me/feed/digest")
def feed_digest() -> tuple[Response, int]:
    """How often my digest email comes: {"frequency": "weekly" | "daily" | "off"}."""
    data = json_body({"frequency"})
    chosen = set_frequency(db.session, current_user, data.get("frequency"))
    db.session.commit()
    return jsonify(digest=chosen), 200
