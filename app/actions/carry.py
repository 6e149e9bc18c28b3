"""Carry forward: a programme follows on from an earlier one, shows the actions its
predecessors left open, and carries some into its briefing ("What we promised last time")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, literal, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

from app.accounts.models import User
from app.actions.loop import insert_new
from app.actions.models import CarriedAction
from app.actions.services import get_action, readable_by
from app.db import DbSession, is_id, utcnow
from app.debriefs.models import Action, ActionStatus, Debrief
from app.errors import DomainError, NotFound
from app.programmes.models import Programme
from app.programmes.services import can_manage, require_manager, require_not_archived

#: How far back the programme page looks for open actions: this many programmes.
CHAIN_DEPTH = 5
#: A longer chain is refused when it is set, so walking one always ends.
CHAIN_LIMIT = 100


@dataclass
class Earlier:
    """Open actions of a programme's predecessors, and which of them it carries."""

    programmes: list[Programme]
    actions: list[Action]
    carried: set[int]


def chain_ids(session: DbSession, programme_id: int, depth: int = CHAIN_DEPTH) -> list[int]:
    """The programmes this one follows on from, nearest first: one recursive query."""
    chain = (
        select(Programme.follows_id.label("id"), literal(1).label("depth"))
        .where(Programme.id == programme_id, Programme.follows_id.is_not(None))
        .cte("chain", recursive=True)
    )
    earlier = aliased(Programme)
    chain = chain.union_all(
        select(earlier.follows_id, chain.c.depth + 1).where(
            earlier.id == chain.c.id, earlier.follows_id.is_not(None), chain.c.depth < depth
        )
    )
    return list(session.scalars(select(chain.c.id).order_by(chain.c.depth)))


def follow_choices(session: DbSession, programme: Programme | None, user: User) -> list[Programme]:
    """Programmes this one may follow on from: those the person organises (but itself), and
    the one it follows now, so that saving the form keeps it."""
    found = session.scalars(
        select(Programme)
        .options(selectinload(Programme.organisers))
        .order_by(Programme.starts_on.desc())
    )
    current = programme.follows_id if programme else None
    return [
        p
        for p in found
        if (can_manage(p, user) or p.id == current) and (programme is None or p.id != programme.id)
    ]


def set_follows(session: DbSession, programme: Programme, follows: Any, *, by: User) -> None:
    """Say which earlier programme this one follows on from (None: none); no cycles."""
    require_manager(programme, by)
    if follows in (None, ""):
        programme.follows_id = None
        session.flush()
        return
    if isinstance(follows, str) and follows.isdecimal() and len(follows) < 12:
        follows = int(follows)
    if is_id(follows) and follows == programme.follows_id:
        return  # unchanged: a co-organiser of this one only may keep what another chose
    earlier = session.get(Programme, follows) if is_id(follows) else None
    if earlier is None or not can_manage(earlier, by):
        raise DomainError("Pick a programme you organise.", field="follows_id")
    if earlier.id == programme.id or programme.id in chain_ids(session, earlier.id, CHAIN_LIMIT):
        raise DomainError(
            f"“{earlier.title}” already follows on from this programme: pick an earlier one.",
            field="follows_id",
        )
    if len(chain_ids(session, earlier.id, CHAIN_LIMIT)) >= CHAIN_LIMIT - 1:
        raise DomainError("That chain of programmes is too long.", field="follows_id")
    programme.follows_id = earlier.id
    session.flush()


def earlier_open(session: DbSession, programme: Programme, *, user: User) -> Earlier:
    """Actions still open (or under way) from the predecessors, that the person may read."""
    ids = chain_ids(session, programme.id) if programme.follows_id else []
    if not ids:
        return Earlier([], [], set())
    programmes = {p.id: p for p in session.scalars(select(Programme).where(Programme.id.in_(ids)))}
    actions = list(
        session.scalars(
            select(Action)
            .join(Action.debrief)
            .options(
                contains_eager(Action.debrief),
                selectinload(Action.owner_person),
                selectinload(Action.insight),
            )
            .where(
                Debrief.programme_id.in_(ids),
                Action.status != ActionStatus.DONE,
                readable_by(user),
            )
            .order_by(Action.due_on.is_(None), Action.due_on, Action.id)
        )
    )
    carried = set(
        session.scalars(
            select(CarriedAction.action_id).where(CarriedAction.programme_id == programme.id)
        )
    )
    return Earlier([programmes[i] for i in ids if i in programmes], actions, carried)


def promised(session: DbSession, programme: Programme) -> list[Action]:
    """The actions carried into this programme's briefing, with their current status."""
    return list(
        session.scalars(
            select(Action)
            .join(CarriedAction, CarriedAction.action_id == Action.id)
            .join(Action.debrief)
            .join(Debrief.programme)
            .options(
                contains_eager(Action.debrief).contains_eager(Debrief.programme),
                selectinload(Action.owner_person),
                selectinload(Action.insight),
            )
            .where(CarriedAction.programme_id == programme.id)
            .order_by(CarriedAction.carried_at, Action.id)
        )
    )


def carry(session: DbSession, programme: Programme, action_id: Any, *, by: User) -> Action:
    """Carry an earlier programme's action into this one's briefing; twice is once."""
    require_manager(programme, by)
    require_not_archived(programme)
    action = get_action(session, action_id, user=by)
    if action.debrief.programme_id not in chain_ids(session, programme.id):
        raise DomainError(
            "Only actions of the programmes this one follows on from can be carried.",
            field="action_id",
        )
    row = {"programme_id": programme.id, "action_id": action.id, "carried_by_id": by.id}
    insert_new(session, CarriedAction, [{**row, "carried_at": utcnow()}])  # twice is once
    return action


def uncarry(session: DbSession, programme: Programme, action_id: Any, *, by: User) -> None:
    """Take an action out of this programme's briefing."""
    require_manager(programme, by)
    require_not_archived(programme)
    if not is_id(action_id):
        raise NotFound("There is no such action.")
    session.execute(
        delete(CarriedAction).where(
            CarriedAction.programme_id == programme.id, CarriedAction.action_id == action_id
        )
    )
    session.flush()
