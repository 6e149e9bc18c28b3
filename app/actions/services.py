"""The action register: listing every action a person may read, and its owner's progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.sql.elements import ColumnElement

from app.accounts.models import User
from app.actions.loop import close_loop
from app.actions.models import ActionProgress
from app.db import DbSession, is_id, utcnow
from app.debriefs.models import (
    Action,
    ActionStatus,
    Debrief,
)
from app.debriefs.services import bump, can_lead, can_view, readable_sql
from app.debriefs.shared_text import shared_text
from app.errors import DomainError, NotAllowed, NotFound
from app.programmes.models import Programme
from app.webhooks.services import action_changed

NOTE_LENGTH = 500
STATUSES = [str(s) for s in ActionStatus]


@dataclass
class Filters:
    """The register's filters, as they come from a URL; `clean_filters` checks them."""

    mine: bool = False
    overdue: bool = False
    status: str = ""
    department: str = ""
    programme_id: int | None = None


@dataclass
class Row:
    action: Action
    progress: list[ActionProgress] = field(default_factory=list)
    may_update: bool = False

    @property
    def overdue(self) -> bool:
        a = self.action
        return a.due_on is not None and a.due_on < today() and a.status != ActionStatus.DONE


def today() -> date:
    return utcnow().date()


def clean_filters(args: dict[str, str]) -> Filters:
    """Filters from query arguments; an unknown status or programme is a clear 400."""
    status = args.get("status", "")
    if status and status not in STATUSES:
        raise DomainError("Pick a status: open, doing or done.", field="status")
    programme = args.get("programme", "")
    programme_id = None
    if programme:
        if not programme.isdecimal() or not is_id(int(programme)):
            raise DomainError("Pick a programme from the list.", field="programme")
        programme_id = int(programme)
    department = args.get("department", "").strip()[:120]
    return Filters(
        mine=args.get("mine") in ("1", "on", "true"),
        overdue=args.get("overdue") in ("1", "on", "true"),
        status=status,
        department=department,
        programme_id=programme_id,
    )


def readable_by(user: User) -> ColumnElement[bool]:
    """The rule of `debriefs.services.can_view` as SQL, for this person."""
    return Debrief.id.is_not(None) if user.is_admin else readable_sql(user.id)


def register(session: DbSession, user: User, filters: Filters) -> list[Row]:
    """Every action the person may read, soonest due first, with its progress notes."""
    query = (
        select(Action)
        .join(Action.debrief)
        .join(Debrief.programme)
        .options(
            contains_eager(Action.debrief)
            .contains_eager(Debrief.programme)
            .selectinload(Programme.organisers),
            selectinload(Action.owner_person),
            selectinload(Action.insight),
        )
        .where(readable_by(user))
    )
    if filters.mine:
        query = query.where(Action.owner_id == user.id)
    if filters.overdue:
        query = query.where(Action.due_on < today(), Action.status != ActionStatus.DONE)
    if filters.status:
        query = query.where(Action.status == filters.status)
    if filters.programme_id:
        query = query.where(Debrief.programme_id == filters.programme_id)
    if filters.department:
        query = query.where(
            Action.owner_id.in_(select(User.id).where(User.department == filters.department))
        )
    query = query.order_by(Action.due_on.is_(None), Action.due_on, Action.id)
    actions = list(session.scalars(query).unique())
    notes: dict[int, list[ActionProgress]] = {a.id: [] for a in actions}
    if actions:
        for p in session.scalars(
            select(ActionProgress)
            .options(selectinload(ActionProgress.author))
            .where(ActionProgress.action_id.in_(notes))
            .order_by(ActionProgress.created_at.desc(), ActionProgress.id.desc())
        ):
            notes[p.action_id].append(p)
    return [Row(a, notes[a.id], may_update(a, user)) for a in actions]


def choices(session: DbSession) -> tuple[list[tuple[int, str]], list[str]]:
    """Programmes that have actions, and the departments of people who own actions."""
    programmes = session.execute(
        select(Programme.id, Programme.title)
        .where(Programme.id.in_(select(Debrief.programme_id).join(Debrief.actions)))
        .order_by(Programme.title)
    ).all()
    departments = session.scalars(
        select(User.department)
        .where(User.id.in_(select(Action.owner_id)), User.department != "")
        .distinct()
        .order_by(User.department)
    ).all()
    return [(p.id, p.title) for p in programmes], list(departments)


def may_update(action: Action, user: User) -> bool:
    return action.owner_id == user.id or can_lead(action.debrief, user)


def get_action(session: DbSession, action_id: int, *, user: User) -> Action:
    action = session.get(Action, action_id) if is_id(action_id) else None
    if action is None or not can_view(action.debrief, user):
        raise NotFound("There is no such action.")
    return action


def person_named(session: DbSession, owner: str) -> User | None:
    """The one person whose email or name is exactly the typed owner, if there is one."""
    text = owner.strip()
    if not text:
        return None
    found = session.scalars(
        select(User).where(or_(User.email == text.lower(), User.name == text)).limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


def link_owner(session: DbSession, action: Action) -> None:
    """Link an action to the person its typed owner names; a team stays text only."""
    with session.no_autoflush:  # called before the board adds a new action to the session
        person = person_named(session, action.owner)
    action.owner_id = person.id if person else None


def record_progress(
    session: DbSession, action: Action, *, status: object, note: object, user: User
) -> ActionProgress:
    """Its owner (or the debrief's organisers and facilitator) sets the status, with a note."""
    if not may_update(action, user):
        raise NotAllowed("Only the action's owner and the debrief's organisers can update it.")
    if not isinstance(status, str) or status not in STATUSES:
        raise DomainError("The status is open, doing or done.", field="status")
    progress = ActionProgress(author_id=user.id, status=ActionStatus(status))
    progress.note = shared_text(
        progress,
        note,
        name="note",
        field="Progress note",
        where="progress note",
        max_length=NOTE_LENGTH,
    )
    if not progress.note and status == action.status:
        raise DomainError("Change the status or write a note.", field="note")
    progress.action_id = action.id
    was_done = action.status == ActionStatus.DONE
    action.status = ActionStatus(status)
    # The board and its PDF show the status: a new board version lets them catch up.
    action.changed_in = bump(session, action.debrief)
    session.add(progress)
    session.flush()
    action_changed(session, action)  # webhooks, sent once this commits
    if not was_done:
        close_loop(session, action)  # after the note, so the news carries it
    return progress
