"""The OpenAPI 3.1 document for /api/v1 (a test checks it lists every route)."""

from __future__ import annotations

from typing import Any

from app.capture import schema
from app.capture.models import NoteType
from app.programmes.models import ActivityKind
from app.programmes.services import MAX_CAPACITY

ERROR = {"$ref": "#/components/responses/Error"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str) -> dict[str, Any]:
    return {"type": "object", "properties": {"items": {"type": "array", "items": _ref(name)}}}


def _op(
    summary: str,
    ok: int,
    schema: dict[str, Any] | None,
    *,
    body: str | None = None,
    errors: tuple[int, ...] = (401, 404),
    params: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {
            str(ok): {
                "description": "OK",
                "content": {"application/json": {"schema": schema or {}}},
            },
            **{str(code): ERROR for code in errors},
        },
    }
    if body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    if params:
        op["parameters"] = params
    return op


def _id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


TEXT = {"type": "string"}
DATETIME = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601; without an offset it is read in the programme's time zone.",
}


def _field_schema(spec: Any) -> dict[str, Any]:
    if isinstance(spec, schema.Text):
        return {"type": "string", "maxLength": spec.max}
    if isinstance(spec, schema.TextList):
        return {
            "type": "array",
            "maxItems": spec.max_items,
            "items": {"type": "string", "maxLength": spec.max},
        }
    if isinstance(spec, schema.Scale):
        return {"type": "integer", "minimum": spec.low, "maximum": spec.high}
    if isinstance(spec, schema.Choices):
        return {"type": "array", "items": {"enum": list(spec.options)}}
    if isinstance(spec, schema.Flag):
        return {"type": "boolean"}
    if isinstance(spec, schema.When):
        return {"type": "string", "format": "date-time"}
    if isinstance(spec, schema.Duration):
        return {
            "type": "integer",
            "minimum": 0,
            "maximum": spec.max,
            "description": "how long the call lasted, in seconds",
        }
    return {
        "type": "array",
        "maxItems": spec.max_items,
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["at"],
            "properties": {
                "at": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 86400,
                    "description": "seconds into the call",
                },
                "what": {"type": "string", "maxLength": 1000, "description": "what happened"},
                "words": {
                    "type": "string",
                    "maxLength": 1000,
                    "description": "the customer's own words, as said (a quote)",
                },
            },
        },
    }


def _note_fields(note_type: NoteType) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            name: _field_schema(spec) for name, spec in schema.FIELDS[note_type].items()
        },
    }


SCHEMAS: dict[str, Any] = {
    "User": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "email": TEXT,
            "name": TEXT,
            "department": TEXT,
            "clock": {
                "enum": ["", "24", "12"],
                "description": "The clock this person reads times in; empty: their browser's.",
            },
            "roles": {
                "type": "array",
                "items": {"enum": ["employee", "organiser", "facilitator", "admin"]},
            },
        },
    },
    "ProgrammeInput": {
        "type": "object",
        "required": [
            "title",
            "starts_on",
            "ends_on",
            "timezone",
            "signup_opens_at",
            "signup_closes_at",
        ],
        "additionalProperties": False,
        "properties": {
            "title": {"type": "string", "maxLength": 200},
            "purpose": {"type": "string", "maxLength": 4000},
            "customer_question": {"type": "string", "maxLength": 500},
            "starts_on": {"type": "string", "format": "date"},
            "ends_on": {"type": "string", "format": "date"},
            "timezone": {"type": "string", "description": "IANA name, e.g. Europe/Paris"},
            "signup_opens_at": DATETIME,
            "signup_closes_at": DATETIME,
        },
    },
    "Programme": {
        "allOf": [
            _ref("ProgrammeInput"),
            {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "status": {"enum": ["draft", "published", "in_field", "debriefed", "archived"]},
                },
            },
        ]
    },
    "ActivityInput": {
        "type": "object",
        "required": ["kind", "title", "starts_at", "ends_at", "capacity"],
        "additionalProperties": False,
        "properties": {
            "kind": {"enum": [k.value for k in ActivityKind]},
            "title": {"type": "string", "maxLength": 200},
            "location": {"type": "string", "maxLength": 300},
            "online_url": {"type": "string", "format": "uri", "maxLength": 500},
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "capacity": {"type": "integer", "minimum": 1, "maximum": MAX_CAPACITY},
            "host": {"type": "string", "maxLength": 200},
            "what_to_bring": {"type": "string", "maxLength": 1000},
            "notes": {"type": "string", "maxLength": 4000},
        },
    },
    "Activity": {
        "allOf": [
            _ref("ActivityInput"),
            {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "programme_id": {"type": "integer"},
                    "seats_taken": {"type": "integer"},
                    "cancelled": {"type": "boolean"},
                },
            },
        ]
    },
    "Signup": {
        "type": "object",
        "required": ["id", "status"],
        "properties": {
            "id": {"type": "integer"},
            "activity_id": {"type": "integer"},
            "status": {"enum": ["confirmed", "waitlisted", "cancelled"]},
            "checked_in_at": {"type": ["string", "null"], "format": "date-time"},
            "activity": _ref("Activity"),
            "phase": {"enum": ["upcoming", "now", "past"], "description": "Of the slot, now"},
        },
    },
    "TaskInput": {
        "type": "object",
        "additionalProperties": False,
        "required": ["question", "scope"],
        "properties": {
            "question": {"type": "string", "maxLength": 500},
            "context": {"type": "string", "maxLength": 4000},
            "prompts": {"type": "array", "items": {"type": "string"}},
            "scope": {
                "enum": ["slot", "kind", "people"],
                "description": "slot: activity_id; kind: kind; people: emails",
            },
            "activity_id": {"type": "integer"},
            "kind": {"enum": [k.value for k in ActivityKind]},
            "emails": {
                "type": "array",
                "items": {"type": "string", "format": "email"},
                "maxItems": 500,
            },
        },
    },
    "Task": {
        "allOf": [
            _ref("TaskInput"),
            {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "programme_id": {"type": "integer"},
                    "retired": {"type": "boolean"},
                },
            },
        ]
    },
    "BriefingSession": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "location": TEXT,
            "online_url": TEXT,
            "capacity": {"type": "integer"},
            "seats_taken": {"type": "integer"},
        },
    },
    "Briefing": {
        "type": "object",
        "properties": {
            "programme_id": {"type": "integer"},
            "pack_markdown": TEXT,
            "pack_html": {"type": "string", "description": "sanitised HTML of the pack"},
            "required": {"type": "boolean"},
            "session_required": {
                "type": "boolean",
                "description": "false: acknowledging the pack is enough, even with sessions",
            },
            "sessions": {"type": "array", "items": _ref("BriefingSession")},
            "status": {
                "type": "object",
                "properties": {
                    "acknowledged_at": {"type": ["string", "null"], "format": "date-time"},
                    "booked_session_id": {"type": ["integer", "null"]},
                    "attended": {"type": "boolean"},
                    "done": {"type": "boolean"},
                    "missing": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
    "ObservationFields": _note_fields(NoteType.OBSERVATION),
    "CallNoteFields": _note_fields(NoteType.CALL_NOTE),
    "SyncItem": {
        "type": "object",
        "required": ["client_id", "type", "activity_id", "fields", "updated_at"],
        "properties": {
            "client_id": {"type": "string", "format": "uuid"},
            "type": {"enum": ["observation", "call_note"]},
            "activity_id": {"type": "integer"},
            "task_id": {"type": "integer"},
            "fields": {"oneOf": [_ref("ObservationFields"), _ref("CallNoteFields")]},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "SyncResult": {
        "type": "object",
        "properties": {
            "client_id": TEXT,
            "status": {"enum": ["created", "updated", "unchanged", "rejected"]},
            "id": {"type": ["integer", "null"]},
            "version": {"type": ["integer", "null"]},
            "errors": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "Note": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "client_id": TEXT,
            "type": {"enum": ["observation", "call_note"]},
            "activity_id": {"type": "integer"},
            "task_id": {"type": ["integer", "null"]},
            "version": {"type": "integer"},
            "fields": {"type": "object"},
            "contacts_found": {
                "type": "array",
                "items": {"enum": ["email", "phone", "card", "iban"]},
            },
            "updated_at": {"type": "string", "format": "date-time"},
            "locked": {"type": "boolean"},
            "photos": {"type": "array", "items": _ref("Photo")},
        },
    },
    "Photo": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "client_id": TEXT,
            "note_id": {"type": "integer"},
            "width": {"type": "integer"},
            "height": {"type": "integer"},
            "shows_person": {"type": "boolean"},
            "url": TEXT,
            "thumb_url": TEXT,
            "status": {"enum": ["created", "unchanged"], "description": "on upload only"},
        },
    },
    "PhotoUpload": {
        "type": "object",
        "required": ["client_id", "note_client_id", "file"],
        "properties": {
            "client_id": {"type": "string", "format": "uuid", "description": "made on the phone"},
            "note_client_id": {"type": "string", "description": "the note's client id"},
            "shows_person": {"enum": ["true", "false"], "description": "someone is recognisable"},
            "consent": {"enum": ["true", "false"], "description": "needed when shows_person"},
            "file": {
                "type": "string",
                "contentMediaType": "image/*",
                "description": "JPEG, PNG, WebP or HEIC; at most 15 MB and 50 megapixels; "
                "re-encoded without EXIF or GPS; at most 5 per note",
            },
        },
    },
    "NoteEdit": {
        "type": "object",
        "required": ["fields", "version"],
        "properties": {
            "fields": {"type": "object"},
            "version": {"type": "integer", "description": "the version the edit is based on"},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": TEXT, "message": TEXT},
            }
        },
    },
}

FILTERS = [
    {"name": n, "in": "query", "required": False, "schema": {"type": "string"}, "description": d}
    for n, d in (
        ("kind", "activity kind"),
        ("day", "local day, YYYY-MM-DD"),
        ("place", "words in the place or title"),
    )
]


def openapi_document() -> dict[str, Any]:
    from app.api.openapi_actions import ACTION_SCHEMAS, action_paths
    from app.api.openapi_debriefs import DEBRIEF_SCHEMAS, debrief_paths
    from app.api.openapi_feeds import FEED_SCHEMAS, feed_paths
    from app.api.openapi_library import LIBRARY_SCHEMAS, library_paths

    pid, aid, sid = _id("programme_id"), _id("activity_id"), _id("signup_id")
    tid, bid, nid = _id("task_id"), _id("briefing_id"), _id("note_id")
    status_op = {
        action: {
            "post": _op(
                f"{action.capitalize()} a programme (organisers)",
                200,
                _ref("Programme"),
                errors=(401, 403, 404, 409),
                params=[pid],
            )
        }
        for action in ("publish", "close", "archive")
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Listening Post API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {
            "schemas": SCHEMAS | DEBRIEF_SCHEMAS | LIBRARY_SCHEMAS | FEED_SCHEMAS | ACTION_SCHEMAS,
            "responses": {
                "Error": {
                    "description": "Refused; the message says why.",
                    "content": {"application/json": {"schema": _ref("Error")}},
                },
            },
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`flask --app wsgi tokens create --email E`",
                },
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "lp_session",
                    "description": "Browser session; writes need the X-CSRFToken header.",
                },
            },
        },
        "paths": debrief_paths()
        | library_paths()
        | feed_paths()
        | action_paths()
        | {
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1"}},
                }
            },
            "/csrf-token": {
                "get": _op(
                    "A CSRF token for the next write with the browser session",
                    200,
                    {"type": "object", "properties": {"token": TEXT}},
                    errors=(401,),
                )
            },
            "/me": {"get": _op("The signed-in person", 200, _ref("User"), errors=(401,))},
            "/me/schedule": {
                "get": _op("My sign-ups in time order", 200, _list_of("Signup"), errors=(401,))
            },
            "/programmes": {
                "get": _op("Programmes I can see", 200, _list_of("Programme"), errors=(401,)),
                "post": _op(
                    "Create a draft programme (organisers)",
                    201,
                    _ref("Programme"),
                    body="ProgrammeInput",
                    errors=(400, 401, 403),
                ),
            },
            "/programmes/{programme_id}": {
                "get": _op("One programme", 200, _ref("Programme"), params=[pid]),
                "patch": _op(
                    "Change some fields (organisers)",
                    200,
                    _ref("Programme"),
                    body="ProgrammeInput",
                    errors=(400, 401, 403, 404, 409),
                    params=[pid],
                ),
            },
            **{f"/programmes/{{programme_id}}/{a}": op for a, op in status_op.items()},
            "/programmes/{programme_id}/activities": {
                "get": _op(
                    "Slots of a programme", 200, _list_of("Activity"), params=[pid, *FILTERS]
                ),
                "post": _op(
                    "Add a slot (organisers)",
                    201,
                    _ref("Activity"),
                    body="ActivityInput",
                    errors=(400, 401, 403, 404, 409),
                    params=[pid],
                ),
            },
            "/activities/{activity_id}": {
                "get": _op("One slot", 200, _ref("Activity"), params=[aid])
            },
            "/activities/{activity_id}/signups": {
                "post": _op(
                    "Sign me up: confirmed, or waitlisted when full; 409 says why not "
                    "(overlap, closed, already signed up)",
                    201,
                    _ref("Signup"),
                    errors=(401, 404, 409),
                    params=[aid],
                ),
            },
            "/me/tasks": {
                "get": _op(
                    "Tasks meant for me (by slot, kind or name)",
                    200,
                    _list_of("Task"),
                    errors=(401,),
                )
            },
            "/programmes/{programme_id}/briefing": {
                "get": _op(
                    "The briefing pack, sessions and my status", 200, _ref("Briefing"), params=[pid]
                ),
            },
            "/programmes/{programme_id}/briefing/acknowledge": {
                "post": _op(
                    "I have read the pack and the rules of observation",
                    200,
                    {"type": "object"},
                    params=[pid],
                ),
            },
            "/briefing-sessions/{briefing_id}/signups": {
                "post": _op(
                    "Book me on a briefing session; 409 when full or already booked",
                    201,
                    {"type": "object"},
                    errors=(401, 404, 409),
                    params=[bid],
                ),
            },
            "/programmes/{programme_id}/tasks": {
                "get": _op(
                    "All tasks of a programme (organisers)",
                    200,
                    _list_of("Task"),
                    errors=(401, 403, 404),
                    params=[pid],
                ),
                "post": _op(
                    "Write a task (organisers)",
                    201,
                    _ref("Task"),
                    body="TaskInput",
                    errors=(400, 401, 403, 404),
                    params=[pid],
                ),
            },
            "/programmes/{programme_id}/tasks/{task_id}": {
                "get": _op("One task (organisers)", 200, _ref("Task"), params=[pid, tid]),
                "patch": _op(
                    "Change a task (organisers)",
                    200,
                    _ref("Task"),
                    body="TaskInput",
                    errors=(400, 401, 404, 409),
                    params=[pid, tid],
                ),
                "delete": _op("Retire a task (organisers)", 200, _ref("Task"), params=[pid, tid]),
            },
            "/sync": {
                "post": {
                    "summary": "Upload notes from a phone; resending never duplicates, bad items "
                    "are rejected one by one",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["items"],
                                    "properties": {
                                        "items": {
                                            "type": "array",
                                            "maxItems": 100,
                                            "items": _ref("SyncItem"),
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "one result per item",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "results": {
                                                "type": "array",
                                                "items": _ref("SyncResult"),
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        "400": ERROR,
                        "401": ERROR,
                    },
                },
            },
            "/me/notes": {"get": _op("My notes", 200, _list_of("Note"), errors=(401,))},
            "/notes/{note_id}": {
                "get": _op("One note (author and organisers)", 200, _ref("Note"), params=[nid]),
                "patch": _op(
                    "Edit a note, naming the version it is based on; 409 if stale",
                    200,
                    _ref("Note"),
                    body="NoteEdit",
                    errors=(400, 401, 403, 404, 409),
                    params=[nid],
                ),
                "delete": {
                    "summary": "Delete a note (author)",
                    "parameters": [nid],
                    "responses": {
                        "204": {"description": "deleted"},
                        "401": ERROR,
                        "403": ERROR,
                        "404": ERROR,
                        "409": ERROR,
                    },
                },
            },
            "/photos": {
                "post": {
                    "summary": "Attach a photo to one of my notes; resending the same client id "
                    "stores it once",
                    "requestBody": {
                        "required": True,
                        "content": {"multipart/form-data": {"schema": _ref("PhotoUpload")}},
                    },
                    "responses": {
                        "201": {
                            "description": "stored",
                            "content": {"application/json": {"schema": _ref("Photo")}},
                        },
                        "200": {
                            "description": "already stored",
                            "content": {"application/json": {"schema": _ref("Photo")}},
                        },
                        **{str(code): ERROR for code in (400, 401, 403, 404, 409, 413)},
                    },
                }
            },
            "/photos/{photo_id}": {
                "get": {
                    "summary": "The photo as JPEG (people who may see its note)",
                    "parameters": [
                        _id("photo_id"),
                        {"name": "size", "in": "query", "schema": {"enum": ["full", "thumb"]}},
                    ],
                    "responses": {
                        "200": {
                            "description": "JPEG",
                            "content": {"image/jpeg": {"schema": {"type": "string"}}},
                        },
                        "400": ERROR,
                        "401": ERROR,
                        "404": ERROR,
                    },
                },
                "delete": {
                    "summary": "Remove a photo from my note",
                    "parameters": [_id("photo_id")],
                    "responses": {
                        "204": {"description": "removed"},
                        **{str(code): ERROR for code in (401, 403, 404, 409)},
                    },
                },
            },
            "/activities/{activity_id}/checkin": {
                "post": _op(
                    "Check me in, from 30 minutes before the start to the end; optional body "
                    '{"code": "…"} with the host\'s code. 409 outside those times or without '
                    "a confirmed place",
                    200,
                    _ref("Signup"),
                    errors=(400, 401, 404, 409),
                    params=[aid],
                ),
            },
            "/signups/{signup_id}": {
                "delete": _op(
                    "Cancel a sign-up; the first waiting person is promoted. 409 once the slot "
                    "has started or I have checked in",
                    200,
                    _ref("Signup"),
                    errors=(401, 404, 409),
                    params=[sid],
                ),
            },
        },
    }
