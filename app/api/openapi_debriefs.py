"""The debrief part of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from app.api.openapi import DATETIME, ERROR, TEXT, _id, _op, _ref

INT = {"type": "integer"}
VERSION = {"type": "integer", "description": "the board version this change was made on"}
IDS = {"type": "array", "items": INT}
#: In the answer to a write: what was taken out of the text sent (the text is saved without it).
REMOVED = {
    "type": "array",
    "description": "answers to writes only: contact details removed from the text sent, "
    "which is saved without them (contact details are never shared)",
    "items": {
        "type": "object",
        "properties": {
            "field": TEXT,
            "kind": {"enum": ["email", "phone", "card", "iban"]},
            "message": TEXT,
        },
    },
}


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


DEBRIEF_SCHEMAS: dict[str, Any] = {
    "DebriefInput": _object(
        {
            "title": {"type": "string", "maxLength": 200},
            "starts_at": DATETIME,
            "location": {"type": "string", "maxLength": 300},
            "online_url": {"type": "string", "maxLength": 500},
            "activity_ids": {**IDS, "description": "slots covered; all when left out"},
            "kinds": {"type": "array", "items": TEXT, "description": "keeps slots of these kinds"},
            "also_invite": {
                "type": "array",
                "items": {"type": "string", "format": "email"},
                "description": "invited besides everyone who went out",
            },
        },
        ("title", "starts_at"),
    ),
    "Debrief": _object(
        {
            "id": INT,
            "programme_id": INT,
            "title": TEXT,
            "starts_at": DATETIME,
            "location": TEXT,
            "online_url": TEXT,
            "status": {"enum": ["open", "published"]},
            "version": INT,
            "activity_ids": IDS,
            "invitee_ids": IDS,
            "contacts_removed": REMOVED,
        }
    ),
    "Card": _object(
        {
            "note_id": INT,
            "type": {"enum": ["observation", "call_note"]},
            "kind": TEXT,
            "activity": TEXT,
            "author": TEXT,
            "author_id": INT,
            "task_id": {"type": ["integer", "null"]},
            "customer": TEXT,
            "quote": {"type": "string", "description": "contact details redacted"},
            "answer": TEXT,
            "tags": {"type": "array", "items": TEXT},
            "photo_id": {"type": ["integer", "null"]},
            "theme_id": {"type": ["integer", "null"]},
        }
    ),
    "Theme": _object(
        {
            "id": INT,
            "name": {"type": "string", "maxLength": 200},
            "description": {"type": "string", "maxLength": 2000},
            "changed_in": INT,
            "votes": INT,
            "my_votes": INT,
            "note_ids": IDS,
            "contacts_removed": REMOVED,
        }
    ),
    "Insight": _object(
        {
            "id": INT,
            "statement": {"type": "string", "maxLength": 500},
            "so_what": {"type": "string", "maxLength": 2000},
            "theme_id": {"type": ["integer", "null"]},
            "evidence": {**IDS, "description": "ids of cards on this board"},
            "changed_in": INT,
            "contacts_removed": REMOVED,
        }
    ),
    "Action": _object(
        {
            "id": INT,
            "what": {"type": "string", "maxLength": 500},
            "owner": {"type": "string", "maxLength": 200},
            "due_on": {"type": ["string", "null"], "format": "date"},
            "status": {"enum": ["open", "doing", "done"]},
            "insight_id": {
                "type": ["integer", "null"],
                "description": "the insight of this debrief it answers",
            },
            "changed_in": INT,
            "contacts_removed": REMOVED,
        }
    ),
    "ThemeInput": _object({"name": TEXT, "description": TEXT}, ("name",)),
    "ThemeEdit": _object({"name": TEXT, "description": TEXT, "version": VERSION}, ("version",)),
    "Merge": _object({"into": INT, "version": VERSION}, ("into", "version")),
    "Move": _object(
        {
            "note_ids": IDS,
            "to_theme": {"type": ["integer", "null"], "description": "null: unsorted"},
            "new_theme": {"type": "string", "description": "a new theme's name instead"},
            "version": VERSION,
        },
        ("note_ids", "version"),
    ),
    "InsightInput": _object(
        {
            "statement": TEXT,
            "so_what": TEXT,
            "theme_id": {"type": ["integer", "null"]},
            "evidence": IDS,
        },
        ("statement",),
    ),
    "InsightEdit": _object(
        {
            "statement": TEXT,
            "so_what": TEXT,
            "theme_id": {"type": ["integer", "null"]},
            "evidence": IDS,
            "version": VERSION,
        },
        ("version",),
    ),
    "ActionInput": _object(
        {
            "what": TEXT,
            "owner": TEXT,
            "due_on": {"type": "string", "format": "date"},
            "status": TEXT,
            "insight_id": {
                "type": ["integer", "null"],
                "description": "the insight of this debrief it answers",
            },
        },
        ("what", "owner"),
    ),
    "ActionEdit": _object(
        {
            "what": TEXT,
            "owner": TEXT,
            "due_on": {"type": "string", "format": "date"},
            "status": TEXT,
            "insight_id": {
                "type": ["integer", "null"],
                "description": "the insight of this debrief it answers",
            },
            "version": VERSION,
        },
        ("version",),
    ),
    "Board": {
        "allOf": [
            _ref("Debrief"),
            _object(
                {
                    "dots_left": INT,
                    "cards": {"type": "array", "items": _ref("Card")},
                    "themes": {"type": "array", "items": _ref("Theme")},
                    "insights": {"type": "array", "items": _ref("Insight")},
                    "actions": {"type": "array", "items": _ref("Action")},
                }
            ),
        ]
    },
}

WRITE_ERRORS = (400, 401, 403, 404, 409)


def debrief_paths() -> dict[str, Any]:
    pid, did = _id("programme_id"), _id("debrief_id")
    tid, iid, aid = _id("theme_id"), _id("insight_id"), _id("action_id")
    dots = _object({"dots_left": INT})
    return {
        "/programmes/{programme_id}/debriefs": {
            "post": _op(
                "Open a debrief (facilitators, organisers); invites everyone who went out",
                201,
                _ref("Debrief"),
                body="DebriefInput",
                errors=WRITE_ERRORS,
                params=[pid],
            )
        },
        "/debriefs/{debrief_id}": {
            "get": {
                **_op(
                    "The board, with its version as ETag (If-None-Match: 304)",
                    200,
                    _ref("Board"),
                    params=[did],
                ),
                "responses": {
                    "200": {
                        "description": "the board",
                        "content": {"application/json": {"schema": _ref("Board")}},
                    },
                    "304": {"description": "unchanged since the ETag sent"},
                    "401": ERROR,
                    "404": ERROR,
                },
            }
        },
        "/debriefs/{debrief_id}/themes": {
            "post": _op(
                "Add a theme",
                201,
                _ref("Theme"),
                body="ThemeInput",
                errors=WRITE_ERRORS,
                params=[did],
            )
        },
        "/debriefs/{debrief_id}/themes/{theme_id}": {
            "patch": _op(
                "Rename or describe a theme; 409 if changed since the version sent",
                200,
                _ref("Theme"),
                body="ThemeEdit",
                errors=WRITE_ERRORS,
                params=[did, tid],
            )
        },
        "/debriefs/{debrief_id}/themes/{theme_id}/merge": {
            "post": _op(
                "Merge this theme into another (cards, dots and insights move)",
                200,
                _ref("Theme"),
                body="Merge",
                errors=WRITE_ERRORS,
                params=[did, tid],
            )
        },
        "/debriefs/{debrief_id}/themes/{theme_id}/votes": {
            "post": _op("Place one of my dots", 201, dots, errors=WRITE_ERRORS, params=[did, tid]),
            "delete": _op(
                "Take back one of my dots", 200, dots, errors=WRITE_ERRORS, params=[did, tid]
            ),
        },
        "/debriefs/{debrief_id}/moves": {
            "post": _op(
                "Move cards to a theme, a new theme or unsorted; 409 if someone moved them since",
                200,
                _object(
                    {
                        "theme_id": {"type": ["integer", "null"]},
                        "version": INT,
                        "contacts_removed": REMOVED,
                    }
                ),
                body="Move",
                errors=WRITE_ERRORS,
                params=[did],
            )
        },
        "/debriefs/{debrief_id}/insights": {
            "post": _op(
                "Write an insight",
                201,
                _ref("Insight"),
                body="InsightInput",
                errors=WRITE_ERRORS,
                params=[did],
            )
        },
        "/debriefs/{debrief_id}/insights/{insight_id}": {
            "patch": _op(
                "Change an insight; 409 if changed since the version sent",
                200,
                _ref("Insight"),
                body="InsightEdit",
                errors=WRITE_ERRORS,
                params=[did, iid],
            )
        },
        "/debriefs/{debrief_id}/actions": {
            "post": _op(
                "Agree an action",
                201,
                _ref("Action"),
                body="ActionInput",
                errors=WRITE_ERRORS,
                params=[did],
            )
        },
        "/debriefs/{debrief_id}/actions/{action_id}": {
            "patch": _op(
                "Change an action; 409 if changed since the version sent",
                200,
                _ref("Action"),
                body="ActionEdit",
                errors=WRITE_ERRORS,
                params=[did, aid],
            )
        },
        "/debriefs/{debrief_id}/publish": {
            "post": _op(
                "Publish (facilitator, organisers): readers see it, its notes lock",
                200,
                _ref("Debrief"),
                errors=WRITE_ERRORS,
                params=[did],
            )
        },
        "/debriefs/{debrief_id}/pdf": {
            "get": {
                "summary": "The debrief as PDF; 202 while a large one is being made (Retry-After)",
                "parameters": [
                    did,
                    {"name": "paper", "in": "query", "schema": {"enum": ["a4", "letter"]}},
                ],
                "responses": {
                    "200": {
                        "description": "the PDF",
                        "content": {"application/pdf": {"schema": {"type": "string"}}},
                    },
                    "202": {
                        "description": "being made; ask again",
                        "content": {"application/json": {"schema": _object({"status": TEXT})}},
                    },
                    "400": ERROR,
                    "401": ERROR,
                    "404": ERROR,
                    "503": ERROR,
                },
            }
        },
    }
