"""The action register's part of the OpenAPI document: listing actions, recording progress."""

from __future__ import annotations

from typing import Any

from app.api.openapi import DATETIME, TEXT, _id, _op, _ref
from app.debriefs.models import ActionStatus

INT = {"type": "integer"}
BOOL = {"type": "boolean"}
STATUS = {"enum": [str(s) for s in ActionStatus]}
NULLABLE_TEXT = {"type": ["string", "null"]}

ACTION_SCHEMAS: dict[str, Any] = {
    "ActionProgress": {
        "type": "object",
        "properties": {
            "status": STATUS,
            "note": {**TEXT, "description": "contact details removed"},
            "author": NULLABLE_TEXT,
            "at": DATETIME,
        },
    },
    "RegisterAction": {
        "type": "object",
        "properties": {
            "id": INT,
            "what": TEXT,
            "owner": {**TEXT, "description": "as typed on the board: a person or a team"},
            "owner_id": {
                "type": ["integer", "null"],
                "description": "the person, when the owner names exactly one by name",
            },
            "due_on": {"type": ["string", "null"], "format": "date"},
            "overdue": BOOL,
            "status": STATUS,
            "programme_id": INT,
            "programme": TEXT,
            "debrief_id": INT,
            "debrief": TEXT,
            "debrief_url": {**TEXT, "format": "uri"},
            "insight_id": {"type": ["integer", "null"], "description": "the insight it answers"},
            "insight": {**NULLABLE_TEXT, "description": "that insight's statement"},
            "may_update": {**BOOL, "description": "I own it or lead its debrief"},
            "progress": {"type": "array", "items": _ref("ActionProgress")},
        },
    },
    "ProgressInput": {
        "type": "object",
        "properties": {
            "status": {**STATUS, "description": "unchanged when left out"},
            "note": {**TEXT, "maxLength": 500},
        },
    },
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


def action_paths() -> dict[str, Any]:
    return {
        "/actions": {
            "get": _op(
                "Every debrief action I may read, soonest due first",
                200,
                {
                    "type": "object",
                    "properties": {"actions": {"type": "array", "items": _ref("RegisterAction")}},
                },
                errors=(400, 401),
                params=[
                    _query("mine", TEXT, "1: only actions I own"),
                    _query("overdue", TEXT, "1: only actions past their due date, not done"),
                    _query("status", STATUS, "only actions with this status"),
                    _query("department", TEXT, "only actions whose owner is in it"),
                    _query("programme", INT, "only actions of this programme's debriefs"),
                ],
            )
        },
        "/actions/{action_id}/progress": {
            "post": _op(
                "Set an action's status and add a progress note (its owner, its organisers)",
                201,
                {
                    "type": "object",
                    "properties": {
                        "id": INT,
                        "status": STATUS,
                        "progress": _ref("ActionProgress"),
                        "contacts_removed": {"type": "array", "items": {"type": "object"}},
                    },
                },
                body="ProgressInput",
                errors=(400, 401, 403, 404),
                params=[_id("action_id")],
            )
        },
    }
