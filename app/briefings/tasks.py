"""Tasks: the question each person goes out to answer."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, exists, or_, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.accounts.services import user_by_email
from app.briefings.models import Task, TaskScope, task_assignees
from app.db import DbSession, is_id, utcnow
from app.errors import Conflict, DomainError, NotFound
from app.programmes.models import Activity, ActivityKind, Programme
from app.programmes.services import can_manage, require_manager
from app.signups.models import Signup, SignupStatus
from app.text import clean_text

ACTIVE = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
MAX_ASSIGNEES = 500


@dataclass
class TaskInput:
    question: str
    scope: str
    context: str = ""
    prompts: str = ""
    activity_id: int | None = None
    kind: str | None = None
    emails: list[str] = field(default_factory=list)  #: for scope "people"


def _apply(session: DbSession, task: Task, programme: Programme, data: TaskInput) -> None:
    """Check everything first, then assign: no half-changed task is ever flushed."""
    try:
        scope = TaskScope(data.scope)
    except ValueError as err:
        raise DomainError(
            "Choose who the task is for: a slot, a kind of activity, or people.", field="scope"
        ) from err
    question = clean_text(data.question, field="Question", max_length=500, required=True)
    context = clean_text(data.context, field="Context", max_length=4000)
    prompts = clean_text(data.prompts, field="Prompts", max_length=4000)
    activity_id = kind = None
    people: list[User] = []
    if scope == TaskScope.SLOT:
        activity = session.get(Activity, data.activity_id) if is_id(data.activity_id) else None
        if activity is None or activity.programme_id != programme.id:
            raise DomainError("Pick a slot of this programme.", field="activity_id")
        activity_id = activity.id
    elif scope == TaskScope.KIND:
        try:
            kind = ActivityKind(data.kind or "").value
        except ValueError as err:
            raise DomainError("Pick a kind of activity.", field="kind") from err
    else:
        people = _people(session, data.emails)
    task.question, task.context, task.prompts, task.scope = question, context, prompts, scope
    task.activity_id, task.kind, task.assignees = activity_id, kind, people


def _people(session: DbSession, emails: list[str]) -> list[User]:
    wanted = {e.strip().lower() for e in emails if isinstance(e, str) and e.strip()}
    if not wanted:
        raise DomainError("Name at least one person by email.", field="emails")
    if len(wanted) > MAX_ASSIGNEES:
        raise DomainError(f"At most {MAX_ASSIGNEES} people per task.", field="emails")
    people = [user_by_email(session, e) for e in sorted(wanted)]
    unknown = [e for e, p in zip(sorted(wanted), people, strict=True) if p is None]
    if unknown:
        raise DomainError(f"No account for {', '.join(unknown[:5])}.", field="emails")
    return [p for p in people if p is not None]


def create_task(session: DbSession, programme: Programme, data: TaskInput, *, by: User) -> Task:
    """Write a task for a slot, a kind of activity across the programme, or named people."""
    require_manager(programme, by)
    task = Task(programme_id=programme.id)
    _apply(session, task, programme, data)
    session.add(task)
    session.flush()
    return task


def update_task(
    session: DbSession, task: Task, programme: Programme, data: TaskInput, *, by: User
) -> None:
    require_manager(programme, by)
    if task.retired_at is not None:
        raise Conflict("This task is retired; write a new one instead.")
    _apply(session, task, programme, data)
    session.flush()


def retire_task(session: DbSession, task: Task, programme: Programme, *, by: User) -> None:
    """Take a task out of people's view; it stays in the programme's list."""
    require_manager(programme, by)
    task.retired_at = task.retired_at or utcnow()
    session.flush()


def get_task(session: DbSession, task_id: int, programme: Programme, *, by: User) -> Task:
    task = session.get(Task, task_id)
    if task is None or task.programme_id != programme.id or not can_manage(programme, by):
        raise NotFound("There is no such task.")
    return task


def programme_tasks(session: DbSession, programme: Programme, *, by: User) -> list[Task]:
    require_manager(programme, by)
    return list(
        session.scalars(
            select(Task)
            .options(selectinload(Task.assignees), selectinload(Task.activity))
            .where(Task.programme_id == programme.id)
            .order_by(Task.retired_at.is_not(None), Task.created_at)
        )
    )


def _meant_for(user_id: Any) -> ColumnElement[bool]:
    """SQL condition: an active task that applies to this person through a slot, kind or name."""
    on_slot = exists().where(
        Signup.activity_id == Task.activity_id, Signup.user_id == user_id, Signup.status.in_(ACTIVE)
    )
    on_kind = exists().where(
        Signup.activity_id == Activity.id,
        Signup.user_id == user_id,
        Signup.status.in_(ACTIVE),
        Activity.programme_id == Task.programme_id,
        Activity.kind == Task.kind,
        Activity.cancelled_at.is_(None),
    )
    named = exists().where(task_assignees.c.task_id == Task.id, task_assignees.c.user_id == user_id)
    return and_(
        Task.retired_at.is_(None),
        or_(
            and_(Task.scope == TaskScope.SLOT, on_slot),
            and_(Task.scope == TaskScope.KIND, on_kind),
            and_(Task.scope == TaskScope.PEOPLE, named),
        ),
    )


@functools.cache
def _my_tasks_query(in_programme: bool) -> Select[tuple[Task]]:
    """Built once per process: a note's form and the home screen ask on every view, and
    building this statement cost more than running it."""
    query = select(Task).options(selectinload(Task.activity))
    query = query.where(_meant_for(bindparam("user_id", type_=Integer)))
    if in_programme:
        query = query.where(Task.programme_id == bindparam("programme_id", type_=Integer))
    return query.order_by(Task.programme_id, Task.created_at)


def my_tasks(session: DbSession, user: User, *, programme: Programme | None = None) -> list[Task]:
    """Every active task meant for this person (one query), optionally in one programme."""
    params = {"user_id": user.id} | ({"programme_id": programme.id} if programme else {})
    return list(session.scalars(_my_tasks_query(programme is not None), params))


def tasks_for_slot(tasks: list[Task], activity: Activity) -> list[Task]:
    """Of a person's tasks, those that belong with this slot."""
    return [
        t
        for t in tasks
        if t.programme_id == activity.programme_id
        and (
            t.scope == TaskScope.PEOPLE
            or (t.scope == TaskScope.SLOT and t.activity_id == activity.id)
            or (t.scope == TaskScope.KIND and t.kind == activity.kind)
        )
    ]
