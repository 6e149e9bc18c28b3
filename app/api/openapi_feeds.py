"""For you's part of the OpenAPI document: my feed, marking read, subscriptions."""

from __future__ import annotations

from typing import Any

from app.api.openapi import DATETIME, TEXT, _id, _op, _ref
from app.feeds.models import Follow
from app.insights.models import FACETS

INT = {"type": "integer"}
BOOL = {"type": "boolean"}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    return out


SEARCH = _object(
    {
        "q": {**TEXT, "description": 'words, as in the library: "a phrase", -word, OR'},
        **{name: {**TEXT, "description": f"only insights with this {name}"} for name in FACETS},
        "from": {**TEXT, "format": "date"},
        "to": {**TEXT, "format": "date"},
    }
)
FEED_SCHEMAS: dict[str, Any] = {
    "FeedItem": _object(
        {
            "insight_id": INT,
            "statement": TEXT,
            "so_what": TEXT,
            "quote": {"type": ["string", "null"], "description": "a customer's words, redacted"},
            "programme_id": INT,
            "programme": TEXT,
            "published_at": DATETIME,
            "why": {
                "type": "array",
                "items": TEXT,
                "description": 'why it is in my feed ("You follow: Call centre")',
            },
            "unread": BOOL,
            "url": {**TEXT, "format": "uri"},
        }
    ),
    "LoopItem": _object(
        {
            "id": INT,
            "action_id": INT,
            "what": TEXT,
            "owner": TEXT,
            "due_on": {"type": ["string", "null"], "format": "date"},
            "status": TEXT,
            "note": {"type": ["string", "null"], "description": "its latest progress note"},
            "programme": TEXT,
            "insight_id": {"type": ["integer", "null"]},
            "insight": {"type": ["string", "null"], "description": "the insight it answers"},
            "told_at": {"type": "string", "format": "date-time"},
            "unread": BOOL,
        }
    ),
    "Feed": _object(
        {
            "loop": {
                "type": "array",
                "items": _ref("LoopItem"),
                "description": "what came of what I heard: done actions answering insights "
                "my notes were evidence for, newest first",
            },
            "items": {"type": "array", "items": _ref("FeedItem")},
            "total": INT,
            "unread": INT,
            "page": INT,
            "pages": INT,
        }
    ),
    "Subscription": _object(
        {
            "id": INT,
            "kind": {"enum": [str(f) for f in Follow]},
            "label": TEXT,
            "value": {**TEXT, "description": "the facet value followed (not for a search)"},
            "search": {**SEARCH, "description": "a saved search's library arguments"},
        }
    ),
    "SubscriptionInput": _object(
        {
            "kind": {"enum": [str(f) for f in Follow]},
            "value": {
                **TEXT,
                "maxLength": 120,
                "description": "department, channel, activity kind, tag or programme id",
            },
            "search": SEARCH,
        },
        ["kind"],
    ),
    "DefaultsInput": _object({"on": BOOL}, ["on"]),
    "DigestInput": _object({"frequency": {"enum": ["weekly", "daily", "off"]}}, ["frequency"]),
}


def feed_paths() -> dict[str, Any]:
    read = _object({"read": BOOL, "unread": INT})
    return {
        "/me/feed": {
            "get": _op(
                "Newly published insights matching what I follow, newest first (20 a page)",
                200,
                _ref("Feed"),
                errors=(400, 401),
                params=[{"name": "page", "in": "query", "schema": INT}],
            )
        },
        "/me/feed/read/{insight_id}": {
            "put": _op("Mark one insight as read", 200, read, params=[_id("insight_id")])
        },
        "/me/feed/loop/{news_id}/read": {
            "put": _op(
                "Mark one item of what came of what I heard as read",
                200,
                read,
                params=[_id("news_id")],
            )
        },
        "/me/feed/read-all": {
            "post": _op("Mark everything in my feed as read", 200, read, errors=(401,))
        },
        "/me/feed/defaults": {
            "put": _op(
                "Turn the defaults on or off (other channels, my department's tag)",
                200,
                _object({"defaults": BOOL}),
                body="DefaultsInput",
                errors=(400, 401),
            )
        },
        "/me/feed/digest": {
            "put": _op(
                "How often my digest email comes: weekly, daily or off",
                200,
                _object({"digest": {"enum": ["weekly", "daily", "off"]}}),
                body="DigestInput",
                errors=(400, 401),
            )
        },
        "/me/subscriptions": {
            "get": _op(
                "What I follow, whether the defaults are on, and how often my digest comes",
                200,
                _object(
                    {
                        "defaults": BOOL,
                        "digest": {"enum": ["weekly", "daily", "off"]},
                        "subscriptions": {"type": "array", "items": _ref("Subscription")},
                    }
                ),
                errors=(401,),
            ),
            "post": _op(
                "Follow a department, channel, activity kind, tag, programme or library search",
                201,
                _ref("Subscription"),
                body="SubscriptionInput",
                errors=(400, 401, 409),
            ),
        },
        "/me/subscriptions/{subscription_id}": {
            "delete": _op(
                "Stop following (a search's feed address stops working)",
                200,
                _object({"deleted": BOOL}),
                params=[_id("subscription_id")],
            )
        },
    }
