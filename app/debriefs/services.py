"""Debrief sessions: who may see and change them, creating, listing, publishing."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, exists, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from app.accounts.models import Role, User, UserRole
from app.briefings.models import Task
from app.capture.models import Note
from app.db import DbSession, after_commit, raise_counter, utcnow
from app.debriefs.models import Debrief, DebriefStatus, Insight, debrief_invitees
from app.debriefs.shared_text import shared_text
from app.errors import Conflict, DomainError, NotAllowed, NotFound
from app.programmes.models import Activity, Programme, programme_organisers
from app.programmes.services import can_manage, clean_place
from app.signups.models import Signup, SignupStatus
from app.webhooks.services import debrief_published


def is_participant(debrief: Debrief, user: User) -> bool:
    return debrief.facilitator_id == user.id or any(p.id == user.id for p in debrief.invitees)


def can_view(debrief: Debrief, user: User) -> bool:
    """Published debriefs are for every reader; open ones for their people and organisers."""
    return (
        debrief.status == DebriefStatus.PUBLISHED
        or is_participant(debrief, user)
        or can_manage(debrief.programme, user)
    )


def readable_sql(reader: InstrumentedAttribute[Any] | int) -> ColumnElement[bool]:
    """`can_view` as SQL over `Debrief`, for the person whose id is `reader`: one person's id,
    or a column, so that one query serves many people."""
    return or_(
        Debrief.status == DebriefStatus.PUBLISHED,
        _takes_part(reader),
        exists().where(
            programme_organisers.c.programme_id == Debrief.programme_id,
            programme_organisers.c.user_id == reader,
        ),
        exists().where(UserRole.user_id == reader, UserRole.role == Role.ADMIN),
    )


def _takes_part(
    reader: InstrumentedAttribute[Any] | ColumnElement[Any] | int,
) -> ColumnElement[bool]:
    """`is_participant` as SQL over `Debrief`: the person leads it or is invited to it."""
    return or_(
        Debrief.facilitator_id == reader,
        exists().where(
            debrief_invitees.c.debrief_id == Debrief.id, debrief_invitees.c.user_id == reader
        ),
    )


def can_lead(debrief: Debrief, user: User) -> bool:
    return debrief.facilitator_id == user.id or can_manage(debrief.programme, user)


def can_change_board(debrief: Debrief, user: User) -> bool:
    return debrief.status == DebriefStatus.OPEN and (
        is_participant(debrief, user) or can_manage(debrief.programme, user)
    )


def can_open_debrief(programme: Programme, user: User) -> bool:
    return can_manage(programme, user) or user.has_role(Role.FACILITATOR)


def require_can_open(programme: Programme, user: User) -> None:
    if not can_open_debrief(programme, user):
        raise NotAllowed("Only facilitators and the programme's organisers open debriefs.")


def require_board_open(debrief: Debrief, user: User) -> None:
    """The board changes only while open, and only by its participants and organisers."""
    if not (is_participant(debrief, user) or can_manage(debrief.programme, user)):
        raise NotAllowed("Only the people invited to this debrief can change its board.")
    if debrief.status == DebriefStatus.PUBLISHED:
        raise Conflict("This debrief is published: its board can no longer change.")


def get_debrief(session: DbSession, debrief_id: int, *, user: User) -> Debrief:
    debrief = session.get(
        Debrief,
        debrief_id,
        options=[
            # Read with it for the access check, without roles nobody looks at here.
            joinedload(Debrief.programme).joinedload(Programme.organisers).lazyload(User.role_rows),
            selectinload(Debrief.invitees).lazyload(User.role_rows),
            # Only which notes are evidence: reading whole notes (their fields are JSON) here
            # cost more than the rest of the board.
            selectinload(Debrief.insights).selectinload(Insight.evidence).load_only(Note.id),
        ],
    )
    if debrief is None or not can_view(debrief, user):
        raise NotFound("There is no such debrief.")
    return debrief


def went_out(session: DbSession, activities: list[Activity]) -> list[User]:
    """Everyone with a confirmed place on these slots who was not marked a no-show."""
    return list(
        session.scalars(
            select(User)
            .join(Signup, Signup.user_id == User.id)
            .where(
                Signup.activity_id.in_([a.id for a in activities]),
                Signup.status == SignupStatus.CONFIRMED,
                Signup.no_show.is_(False),
            )
            .distinct()
            .order_by(User.name)
        )
    )


@dataclass
class DebriefInput:
    title: str
    starts_at: datetime
    location: str = ""
    online_url: str = ""
    activity_ids: list[int] | None = None  #: None: every slot of the programme
    kinds: list[str] | None = None  #: keeps only slots of these kinds
    also_invite: list[str] | None = None  #: emails of people invited besides those who went out


def _covered(programme: Programme, data: DebriefInput) -> list[Activity]:
    slots = [a for a in programme.activities if not a.is_cancelled]
    if data.activity_ids is not None:
        unknown = set(data.activity_ids) - {a.id for a in slots}
        if unknown:
            raise DomainError("Pick slots of this programme.", field="activity_ids")
        slots = [a for a in slots if a.id in data.activity_ids]
    if data.kinds:
        slots = [a for a in slots if a.kind in data.kinds]
    if not slots:
        raise DomainError("Pick at least one slot (or kind of slot) to debrief.", field="slots")
    return slots


def create_debrief(
    session: DbSession, programme: Programme, data: DebriefInput, *, by: User
) -> Debrief:
    """Open a debrief of some of a programme's slots, inviting by default everyone who went."""
    require_can_open(programme, by)
    debrief = Debrief()
    title = data.title.strip()
    if not title or len(title) > 200:
        raise DomainError("Give the debrief a title of at most 200 characters.", field="title")
    title = shared_text(
        debrief, title, name="title", field="Title", where="debrief's title", max_length=200
    )
    location, online_url = clean_place(data.location, data.online_url)
    # The place is shown to every reader of the debrief once published; the link is left whole.
    location = shared_text(
        debrief, location, name="location", field="Place", where="debrief's place", max_length=300
    )
    slots = _covered(programme, data)
    people = went_out(session, slots) + _by_email(session, data.also_invite or [])
    debrief.programme, debrief.title, debrief.starts_at = programme, title, data.starts_at
    debrief.location, debrief.online_url, debrief.facilitator_id = location, online_url, by.id
    debrief.activities = slots
    debrief.invitees = list({p.id: p for p in people}.values())
    session.add(debrief)
    session.flush()
    return debrief


def _by_email(session: DbSession, emails: list[str]) -> list[User]:
    wanted = {e.strip().lower() for e in emails if isinstance(e, str) and e.strip()}
    found = list(session.scalars(select(User).where(User.email.in_(wanted), User.active)))
    unknown = sorted(wanted - {u.email for u in found})
    if unknown:
        raise DomainError(
            f"No active account for {', '.join(unknown)[:300]}. "
            "Invite them to Listening Post first.",
            field="also_invite",
        )
    return found


def _debriefs(session: DbSession, *where: ColumnElement[bool]) -> list[Debrief]:
    query = select(Debrief).options(joinedload(Debrief.programme)).where(*where)
    return list(session.scalars(query.order_by(Debrief.status, Debrief.starts_at.desc())))


def debriefs_for(session: DbSession, user: User) -> list[Debrief]:
    """Open debriefs I am part of, then published ones, newest first."""
    return _debriefs(session, or_(Debrief.status == DebriefStatus.PUBLISHED, _takes_part(user.id)))


def open_debriefs_for(session: DbSession, user: User) -> list[Debrief]:
    """The open debriefs I lead or am invited to, newest first: not every published one, which
    the home screen would read only to leave out."""
    return list(session.scalars(_open_debriefs_query(), {"reader": user.id}))


@functools.cache
def _open_debriefs_query() -> Select[tuple[Debrief]]:
    """Built once per process: the home screen asks on every view."""
    return (
        select(Debrief)
        .options(joinedload(Debrief.programme))
        .where(Debrief.status == DebriefStatus.OPEN, _takes_part(bindparam("reader")))
        .order_by(Debrief.starts_at.desc())
    )


def bump(session: DbSession, debrief: Debrief) -> int:
    """Raise the board version atomically (two writers never get the same number)."""
    debrief.version = raise_counter(session, Debrief.version, Debrief.id == debrief.id)
    return debrief.version


def board_notes(session: DbSession, debrief: Debrief) -> list[Note]:
    """Every note of the covered slots, with what a card shows loaded in the same queries."""
    return list(
        session.scalars(
            select(Note)
            .options(
                selectinload(Note.photos),
                selectinload(Note.author),
                selectinload(Note.activity),
            )
            .where(
                Note.activity_id.in_([a.id for a in debrief.activities]),
                Note.deleted_at.is_(None),
            )
            .order_by(Note.activity_id, Note.created_at)
        )
    )


def publish(session: DbSession, debrief: Debrief, *, by: User) -> None:
    """Publish: every reader sees it, and its notes lock against editing."""
    if not can_lead(debrief, by):
        raise NotAllowed("Only the facilitator or the programme's organisers publish a debrief.")
    if debrief.status == DebriefStatus.PUBLISHED:
        raise Conflict("This debrief is already published.")
    now = utcnow()
    debrief.status, debrief.published_at = DebriefStatus.PUBLISHED, now
    session.execute(
        update(Note)
        .where(
            Note.activity_id.in_([a.id for a in debrief.activities]),
            Note.locked_at.is_(None),
        )
        .values(locked_at=now)
    )
    bump(session, debrief)
    session.flush()
    # The library follows publishing: its words at once, its meaning in the background.
    from app.insights import meaning
    from app.insights.index import index_debrief

    index_debrief(session, debrief)
    after_commit(session, lambda: meaning.start(debrief.id))
    debrief_published(session, debrief)  # webhooks, sent once this commits


def task_questions(session: DbSession, task_ids: set[int]) -> dict[int, str]:
    """The questions of the tasks the cards answer, for the board's filter."""
    if not task_ids:
        return {}
    rows = session.execute(select(Task.id, Task.question).where(Task.id.in_(task_ids)))
    return {task_id: question for task_id, question in rows}
