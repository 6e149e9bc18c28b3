"""The insight library's part of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from app.api.openapi import DATETIME, TEXT, _id, _op, _ref
from app.insights.models import FACETS

INT = {"type": "integer"}
NULLABLE_TEXT = {"type": ["string", "null"]}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema or TEXT, "description": description}


HIT = {
    "kind": {"enum": ["insight", "theme", "note"]},
    "id": INT,
    "title": TEXT,
    "body": TEXT,
    "snippet_html": {
        "type": ["string", "null"],
        "description": "escaped text with the matching words in <mark>",
    },
    "programme_id": INT,
    "programme": TEXT,
    "debrief_id": INT,
    "happened_on": {"type": "string", "format": "date"},
    "published_at": DATETIME,
}
LIBRARY_SCHEMAS: dict[str, Any] = {
    "LibraryHit": _object(HIT),
    "LibraryResult": _object(
        {
            "query": {"type": "object"},
            "total": {**INT, "description": "results, an insight with its evidence counted once"},
            "documents": {
                **INT,
                "description": "insights, themes and notes that matched, up to 1,000",
            },
            "more": {
                "type": "boolean",
                "description": "more than 1,000 matched: documents and the facet counts are "
                "of the best 1,000",
            },
            "page": INT,
            "pages": INT,
            "meaning_used": {"type": "boolean"},
            "some_words": {"type": "boolean", "description": "nothing had every word"},
            "results": {
                "type": "array",
                "items": _object(
                    {**HIT, "evidence": {"type": "array", "items": _ref("LibraryHit")}}
                ),
            },
            "facets": {
                "type": "object",
                "additionalProperties": {
                    "type": "array",
                    "items": _object({"value": TEXT, "label": TEXT, "count": INT}),
                },
            },
        }
    ),
    "SimilarInsight": _object(
        {
            "insight_id": INT,
            "statement": TEXT,
            "so_what": TEXT,
            "programme": TEXT,
            "published_at": DATETIME,
            "similarity": {"type": "number"},
            "notes": INT,
            "link": {"enum": ["confirms", "contradicts", None]},
        }
    ),
    "LibraryInsight": _object(
        {
            "id": INT,
            "statement": TEXT,
            "so_what": TEXT,
            "theme": TEXT,
            "debrief_id": INT,
            "debrief": TEXT,
            "programme_id": INT,
            "programme": TEXT,
            "published_at": DATETIME,
            "evidence": {"type": "array", "items": {"type": "object"}},
            "actions": {"type": "array", "items": {"type": "object"}},
            "linked": {"type": "array", "items": _ref("SimilarInsight")},
            "heard_before": {"type": "array", "items": _ref("SimilarInsight")},
            "programmes_backing": INT,
            "notes_backing": INT,
            "starred": {"type": "boolean"},
        }
    ),
    "LinkInput": _object({"kind": {"enum": ["confirms", "contradicts", "", None]}}),
    "WithdrawalInput": {
        **_object({"kind": {"enum": ["insight", "theme", "note"]}, "item_id": INT, "reason": TEXT}),
        "required": ["kind", "item_id", "reason"],
    },
}
SEARCH_PARAMS = [
    _query("q", 'words; "a phrase", -word to leave out, OR between alternatives'),
    *[_query(name, f"only results with this {name}") for name in FACETS],
    _query("from", "first day (YYYY-MM-DD)"),
    _query("to", "last day (YYYY-MM-DD)"),
    _query("page", "page of 20 results", INT),
]
INSIGHTS = {
    "type": "object",
    "properties": {"insights": {"type": "array", "items": _ref("SimilarInsight")}},
}


def library_paths() -> dict[str, Any]:
    iid, did = _id("insight_id"), _id("debrief_id")
    star = _object({"starred": {"type": "boolean"}})
    return {
        "/library": {
            "get": _op(
                "Search the library; no words lists the newest insights",
                200,
                _ref("LibraryResult"),
                errors=(400, 401),
                params=SEARCH_PARAMS,
            )
        },
        "/library/insights/{insight_id}": {
            "get": _op(
                "An insight with evidence, actions, heard before",
                200,
                _ref("LibraryInsight"),
                params=[iid],
            )
        },
        "/library/insights/{insight_id}/star": {
            "put": _op("Star an insight", 200, star, params=[iid]),
            "delete": _op("Take the star away", 200, star, params=[iid]),
        },
        "/library/starred": {"get": _op("My starred insights", 200, INSIGHTS, errors=(401,))},
        "/library/similar": {
            "get": _op(
                "Heard before: the 5 insights of other programmes most like the text",
                200,
                INSIGHTS,
                errors=(400, 401, 404),
                params=[
                    _query("text", "the statement being written (at most 2,000 characters)"),
                    _query("debrief_id", "leave out this debrief's programme", INT),
                ],
            )
        },
        "/debriefs/{debrief_id}/insights/{insight_id}/links/{other_id}": {
            "put": _op(
                "Say this insight confirms or contradicts one in the library (empty: unlink)",
                200,
                _object({"kind": NULLABLE_TEXT}),
                body="LinkInput",
                errors=(400, 401, 403, 404, 409),
                params=[did, iid, _id("other_id")],
            )
        },
        "/library/withdrawals": {
            "post": _op(
                "Withdraw an item from the library, with a reason (its programme's organisers)",
                201,
                _object({"id": INT, "kind": TEXT, "item_id": INT}),
                body="WithdrawalInput",
                errors=(400, 401, 403, 404, 409),
            )
        },
    }
