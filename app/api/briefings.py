"""JSON endpoints for briefings and tasks."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_login import current_user

from app.api import bp
from app.api.views import integer, json_body, optional_text, text, text_list
from app.briefings import services, tasks
from app.briefings.markdown import render_markdown
from app.briefings.models import BriefingSession, Task
from app.briefings.tasks import TaskInput
from app.extensions import db
from app.programmes.services import get_programme, require_manager

TASK_FIELDS = {"question", "context", "prompts", "scope", "activity_id", "kind", "emails"}


def session_json(b: BriefingSession) -> dict[str, Any]:
    return {
        "id": b.id,
        "starts_at": b.starts_at.isoformat(),
        "ends_at": b.ends_at.isoformat(),
        "location": b.location,
        "online_url": b.online_url,
        "capacity": b.capacity,
        "seats_taken": b.seats_taken,
    }


def task_json(t: Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "programme_id": t.programme_id,
        "question": t.question,
        "context": t.context,
        "prompts": t.prompt_list,
        "scope": str(t.scope),
        "activity_id": t.activity_id,
        "kind": t.kind,
        "emails": [u.email for u in t.assignees],
        "retired": t.retired_at is not None,
    }


def _task_input(data: dict[str, Any]) -> TaskInput:
    # Prompts come as one per line, or as a list of lines (as task_json gives them back).
    prompts = (
        "\n".join(text_list(data, "prompts", max_items=100))
        if isinstance(data.get("prompts"), list)
        else text(data, "prompts", max_length=4000)
    )
    return TaskInput(
        question=text(data, "question", max_length=500),
        context=text(data, "context", max_length=4000),
        prompts=prompts,
        scope=text(data, "scope", max_length=20),
        activity_id=integer(data, "activity_id"),
        kind=optional_text(data, "kind", max_length=40),
        emails=text_list(data, "emails", max_items=500, max_length=254),
    )


@bp.get("/me/tasks")
def my_tasks():  # type: ignore[no-untyped-def]
    return jsonify(items=[task_json(t) for t in tasks.my_tasks(db.session, current_user)])


@bp.get("/programmes/<int:programme_id>/briefing")
def get_briefing(programme_id: int):  # type: ignore[no-untyped-def]
    programme = get_programme(db.session, programme_id, user=current_user)
    pack = services.get_pack(db.session, programme)
    status = services.briefing_status(db.session, programme, current_user)
    return jsonify(
        programme_id=programme.id,
        pack_markdown=pack.body,
        pack_html=str(render_markdown(pack.body)),
        required=pack.required,
        session_required=pack.session_required,
        sessions=[session_json(b) for b in services.sessions_of(db.session, programme)],
        status={
            "acknowledged_at": status.acknowledged_at.isoformat()
            if status.acknowledged_at
            else None,
            "booked_session_id": status.booking.briefing_id if status.booking else None,
            "attended": status.attended,
            "done": status.done,
            "missing": status.missing(programme.timezone),
        },
    )


@bp.post("/programmes/<int:programme_id>/briefing/acknowledge")
def acknowledge_briefing(programme_id: int):  # type: ignore[no-untyped-def]
    programme = get_programme(db.session, programme_id, user=current_user)
    ack = services.acknowledge(db.session, programme, user=current_user)
    db.session.commit()
    return jsonify(acknowledged_at=ack.acknowledged_at.isoformat())


@bp.post("/briefing-sessions/<int:briefing_id>/signups")
def join_briefing(briefing_id: int):  # type: ignore[no-untyped-def]
    briefing, programme = services.get_session(db.session, briefing_id, user=current_user)
    booking = services.join_session(db.session, briefing, programme, user=current_user)
    db.session.commit()
    return jsonify(id=booking.id, briefing_session_id=briefing.id), 201


@bp.get("/programmes/<int:programme_id>/tasks")
def list_tasks(programme_id: int):  # type: ignore[no-untyped-def]
    programme = get_programme(db.session, programme_id, user=current_user)
    items = tasks.programme_tasks(db.session, programme, by=current_user)
    return jsonify(items=[task_json(t) for t in items])


@bp.post("/programmes/<int:programme_id>/tasks")
def create_task(programme_id: int):  # type: ignore[no-untyped-def]
    programme = get_programme(db.session, programme_id, user=current_user)
    require_manager(programme, current_user)
    task = tasks.create_task(
        db.session, programme, _task_input(json_body(TASK_FIELDS)), by=current_user
    )
    db.session.commit()
    return jsonify(task_json(task)), 201


@bp.get("/programmes/<int:programme_id>/tasks/<int:task_id>")
def get_task(programme_id: int, task_id: int):  # type: ignore[no-untyped-def]
    programme = get_programme(db.session, programme_id, user=current_user)
    return jsonify(task_json(tasks.get_task(db.session, task_id, programme, by=current_user)))


@bp.patch("/programmes/<int:programme_id>/tasks/<int:task_id>")
def update_task(programme_id: int, task_id: int):  # type: ignore[no-untyped-def]
    programme = get_programme(db.session, programme_id, user=current_user)
    task = tasks.get_task(db.session, task_id, programme, by=current_user)
    current = task_json(task)
    data = {**{k: current[k] for k in TASK_FIELDS}, **json_body(TASK_FIELDS)}
    tasks.update_task(db.session, task, programme, _task_input(data), by=current_user)
    db.session.commit()
    return jsonify(task_json(task))


@bp.delete("/programmes/<int:programme_id>/tasks/<int:task_id>")
def retire_task(programme_id: int, task_id: int):  # type: ignore[no-untyped-def]
    programme = get_programme(db.session, programme_id, user=current_user)
    task = tasks.get_task(db.session, task_id, programme, by=current_user)
    tasks.retire_task(db.session, task, programme, by=current_user)
    db.session.commit()
    return jsonify(task_json(task))
