"""JSON endpoints for debriefs: the board with its version (ETag), its writes, publish, PDF."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, jsonify, make_response, request
from flask_login import current_user

from app.api import bp
from app.api.views import json_body, text
from app.debriefs import board as ops
from app.debriefs import reports, services
from app.debriefs.models import Action, Debrief, Insight, Theme
from app.debriefs.shared_text import removed_from
from app.debriefs.views import current_report
from app.errors import DomainError, json_error
from app.extensions import db
from app.programmes.services import get_programme
from app.timefmt import parse_iso_datetime


def debrief_json(debrief: Debrief) -> dict[str, Any]:
    return {
        "id": debrief.id,
        "programme_id": debrief.programme_id,
        "title": debrief.title,
        "starts_at": debrief.starts_at.isoformat(),
        "location": debrief.location,
        "online_url": debrief.online_url,
        "status": str(debrief.status),
        "version": debrief.version,
        "activity_ids": [a.id for a in debrief.activities],
        "invitee_ids": [p.id for p in debrief.invitees],
    }


def theme_json(theme: Theme, board: ops.Board | None = None) -> dict[str, Any]:
    data = {
        "id": theme.id,
        "name": theme.name,
        "description": theme.description,
        "changed_in": theme.changed_in,
    }
    if board is not None:
        data |= {
            "votes": board.votes[theme.id],
            "my_votes": board.my_votes[theme.id],
            "note_ids": [c.note_id for c in board.cards_in(theme.id)],
        }
    return data


def insight_json(insight: Insight) -> dict[str, Any]:
    return {
        "id": insight.id,
        "statement": insight.statement,
        "so_what": insight.so_what,
        "theme_id": insight.theme_id,
        "evidence": [n.id for n in insight.evidence],
        "changed_in": insight.changed_in,
    }


def action_json(action: Action) -> dict[str, Any]:
    return {
        "id": action.id,
        "what": action.what,
        "owner": action.owner,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "status": str(action.status),
        "insight_id": action.insight_id,
        "changed_in": action.changed_in,
    }


def _debrief(debrief_id: int) -> Debrief:
    return services.get_debrief(db.session, debrief_id, user=current_user)


def _saved(
    payload: dict[str, Any], status: int = 200, *, typed: Any = None
) -> tuple[Response, int]:
    """Commit; a write of typed text also says which contact details were taken out of it."""
    db.session.commit()
    if typed is not None:
        payload["contacts_removed"] = [r.as_json() for r in removed_from(typed)]
    return jsonify(payload), status


@bp.post("/programmes/<int:programme_id>/debriefs")
def create_debrief(programme_id: int):  # type: ignore[no-untyped-def]
    programme = get_programme(db.session, programme_id, user=current_user)
    services.require_can_open(programme, current_user)
    data = json_body(
        {"title", "starts_at", "location", "online_url", "activity_ids", "kinds", "also_invite"}
    )
    for name in ("activity_ids", "kinds", "also_invite"):
        if data.get(name) is not None and not isinstance(data[name], list):
            raise DomainError(f"{name} must be a list.", field=name)
    debrief = services.create_debrief(
        db.session,
        programme,
        services.DebriefInput(
            title=text(data, "title", max_length=200),
            starts_at=parse_iso_datetime(
                data.get("starts_at"), programme.timezone, field="starts_at"
            ),
            location=text(data, "location", max_length=300),
            online_url=text(data, "online_url", max_length=500),
            activity_ids=data.get("activity_ids"),
            kinds=data.get("kinds"),
            also_invite=data.get("also_invite"),
        ),
        by=current_user,
    )
    return _saved(debrief_json(debrief), 201, typed=debrief)


@bp.get("/debriefs/<int:debrief_id>")
def get_debrief(debrief_id: int):  # type: ignore[no-untyped-def]
    """The whole board; answers 304 to If-None-Match while the version is unchanged."""
    debrief = _debrief(debrief_id)
    etag = f"board-{debrief.id}-{debrief.version}"
    if etag in request.if_none_match:
        response = make_response("", 304)
    else:
        board = ops.load_board(db.session, debrief, user=current_user)
        response = jsonify(
            debrief_json(debrief)
            | {
                "dots_left": board.dots_left,
                "cards": [asdict(c) for c in board.cards],
                "themes": [theme_json(t, board) for t in board.themes],
                "insights": [insight_json(i) for i in debrief.insights],
                "actions": [action_json(a) for a in debrief.actions],
            }
        )
    response.set_etag(etag)
    return response


@bp.post("/debriefs/<int:debrief_id>/themes")
def create_theme(debrief_id: int):  # type: ignore[no-untyped-def]
    data = json_body({"name", "description"})
    theme = ops.create_theme(
        db.session,
        _debrief(debrief_id),
        data.get("name"),
        data.get("description"),
        user=current_user,
    )
    return _saved(theme_json(theme), 201, typed=theme)


@bp.patch("/debriefs/<int:debrief_id>/themes/<int:theme_id>")
def update_theme(debrief_id: int, theme_id: int):  # type: ignore[no-untyped-def]
    data = json_body({"name", "description", "version"})
    changes = {k: v for k, v in data.items() if k != "version"}
    theme = ops.update_theme(
        db.session,
        _debrief(debrief_id),
        theme_id,
        changes,
        seen=data.get("version"),
        user=current_user,
    )
    return _saved(theme_json(theme), typed=theme)


@bp.post("/debriefs/<int:debrief_id>/themes/<int:theme_id>/merge")
def merge_themes(debrief_id: int, theme_id: int):  # type: ignore[no-untyped-def]
    data = json_body({"into", "version"})
    into = ops.merge_themes(
        db.session,
        _debrief(debrief_id),
        theme_id,
        data.get("into"),
        seen=data.get("version"),
        user=current_user,
    )
    return _saved(theme_json(into))


@bp.post("/debriefs/<int:debrief_id>/moves")
def move_cards(debrief_id: int):  # type: ignore[no-untyped-def]
    data = json_body({"note_ids", "to_theme", "new_theme", "version"})
    debrief = _debrief(debrief_id)
    target = ops.move_cards(
        db.session,
        debrief,
        data.get("note_ids"),
        to_theme=data.get("to_theme"),
        new_theme=data.get("new_theme"),
        seen=data.get("version"),
        user=current_user,
    )
    return _saved(
        {"theme_id": target.id if target else None, "version": debrief.version}, typed=target
    )


@bp.post("/debriefs/<int:debrief_id>/themes/<int:theme_id>/votes")
def add_vote(debrief_id: int, theme_id: int):  # type: ignore[no-untyped-def]
    left = ops.vote(db.session, _debrief(debrief_id), theme_id, add=True, user=current_user)
    return _saved({"dots_left": left}, 201)


@bp.delete("/debriefs/<int:debrief_id>/themes/<int:theme_id>/votes")
def remove_vote(debrief_id: int, theme_id: int):  # type: ignore[no-untyped-def]
    left = ops.vote(db.session, _debrief(debrief_id), theme_id, add=False, user=current_user)
    return _saved({"dots_left": left})


INSIGHT_FIELDS = {"statement", "so_what", "theme_id", "evidence"}


@bp.post("/debriefs/<int:debrief_id>/insights")
def create_insight(debrief_id: int):  # type: ignore[no-untyped-def]
    data = json_body(INSIGHT_FIELDS)
    insight = ops.save_insight(db.session, _debrief(debrief_id), data, user=current_user)
    return _saved(insight_json(insight), 201, typed=insight)


@bp.patch("/debriefs/<int:debrief_id>/insights/<int:insight_id>")
def update_insight(debrief_id: int, insight_id: int):  # type: ignore[no-untyped-def]
    data = json_body(INSIGHT_FIELDS | {"version"})
    seen = data.pop("version", None)
    insight = ops.save_insight(
        db.session, _debrief(debrief_id), data, insight_id=insight_id, seen=seen, user=current_user
    )
    return _saved(insight_json(insight), typed=insight)


ACTION_FIELDS = {"what", "owner", "due_on", "status", "insight_id"}


@bp.post("/debriefs/<int:debrief_id>/actions")
def create_action(debrief_id: int):  # type: ignore[no-untyped-def]
    data = json_body(ACTION_FIELDS)
    action = ops.save_action(db.session, _debrief(debrief_id), data, user=current_user)
    return _saved(action_json(action), 201, typed=action)


@bp.patch("/debriefs/<int:debrief_id>/actions/<int:action_id>")
def update_action(debrief_id: int, action_id: int):  # type: ignore[no-untyped-def]
    data = json_body(ACTION_FIELDS | {"version"})
    seen = data.pop("version", None)
    action = ops.save_action(
        db.session, _debrief(debrief_id), data, action_id=action_id, seen=seen, user=current_user
    )
    return _saved(action_json(action), typed=action)


@bp.post("/debriefs/<int:debrief_id>/publish")
def publish_debrief(debrief_id: int):  # type: ignore[no-untyped-def]
    debrief = _debrief(debrief_id)
    services.publish(db.session, debrief, by=current_user)
    return _saved(debrief_json(debrief))


@bp.get("/debriefs/<int:debrief_id>/pdf")
def debrief_pdf(debrief_id: int):  # type: ignore[no-untyped-def]
    """The PDF, or 202 while a large one is made in the background (ask again shortly)."""
    debrief = _debrief(debrief_id)
    report = current_report(debrief)
    if report.status == "done":
        return reports.pdf_response(db.session, report, debrief)
    if report.status == "failed":  # the next request tries again
        return json_error("unavailable", report.error, 503)
    response = jsonify(status=str(report.status))
    response.status_code = 202
    response.headers["Retry-After"] = "3"
    return response
