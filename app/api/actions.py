"""JSON endpoints for the action register: list actions, record progress on one."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for
from flask_login import current_user

from app.actions import services
from app.actions.models import ActionProgress
from app.api import bp
from app.api.views import json_body, text
from app.debriefs.shared_text import removed_from
from app.extensions import db


def progress_json(p: ActionProgress) -> dict[str, Any]:
    return {
        "status": str(p.status),
        "note": p.note,
        "author": p.author.name if p.author else None,
        "at": p.created_at.isoformat(),
    }


def action_json(row: services.Row) -> dict[str, Any]:
    a = row.action
    return {
        "id": a.id,
        "what": a.what,
        "owner": a.owner,
        "owner_id": a.owner_id,
        "due_on": a.due_on.isoformat() if a.due_on else None,
        "overdue": row.overdue,
        "status": str(a.status),
        "programme_id": a.debrief.programme_id,
        "programme": a.debrief.programme.title,
        "debrief_id": a.debrief_id,
        "debrief": a.debrief.title,
        "debrief_url": url_for("debriefs.show", debrief_id=a.debrief_id, _external=True),
        "insight_id": a.insight_id,
        "insight": a.insight.statement if a.insight else None,
        "may_update": row.may_update,
        "progress": [progress_json(p) for p in row.progress],
    }


@bp.get("/actions")
def list_actions() -> Response:
    """Every action I may read; filters mine, overdue, status, department, programme."""
    filters = services.clean_filters(request.args.to_dict())
    rows = services.register(db.session, current_user, filters)
    return jsonify(actions=[action_json(r) for r in rows])


@bp.post("/actions/<int:action_id>/progress")
def action_progress(action_id: int) -> tuple[Response, int]:
    """The owner (or the debrief's organisers) sets the status and adds a progress note."""
    action = services.get_action(db.session, action_id, user=current_user)
    data = json_body({"status", "note"})
    status = text(data, "status", max_length=20, default=str(action.status))
    note = text(data, "note", max_length=services.NOTE_LENGTH * 2)
    record = services.record_progress(
        db.session, action, status=status, note=note, user=current_user
    )
    db.session.commit()
    payload = {
        "id": action.id,
        "status": str(action.status),
        "progress": progress_json(record),
        "contacts_removed": [r.as_json() for r in removed_from(record)],
    }
    return jsonify(payload), 201
