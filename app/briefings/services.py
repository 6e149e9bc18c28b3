"""Briefing rules: the pack, acknowledging it, briefing sessions, and whether someone is ready."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Select, bindparam, delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.briefings.models import (
    BriefingAcknowledgement,
    BriefingPack,
    BriefingSession,
    BriefingSignup,
)
from app.db import DbSession, utcnow
from app.errors import Conflict, DomainError, NotFound
from app.programmes.models import Programme
from app.programmes.services import can_view, clean_place, require_manager
from app.text import clean_text
from app.timefmt import format_local

MAX_PACK = 50_000

RULES_OF_OBSERVATION = """## Rules of observation

- **Watch and listen first; ask questions only afterwards.**
- Write down what you see and hear, not what you think it means.
- Note customers' own words, exactly as they say them.
- Don't sell, defend or correct: you are there to learn.
- Ask consent before taking a photo or making a recording.
- Never write a customer's name or contact details: describe them in a few anonymous words.
"""


def default_pack_body(programme: Programme) -> str:
    question = programme.customer_question or "What do we want to learn?"
    return (
        f"## What we want to learn\n\n{question}\n\n{programme.purpose}\n\n{RULES_OF_OBSERVATION}\n"
        "## How to behave in a store or on a call\n\n"
        "Introduce yourself to the host, stay in the background, and keep your phone for notes.\n"
    )


def get_pack(session: DbSession, programme: Programme) -> BriefingPack:
    """The saved pack, or the built-in one (not saved) that starts from the rules of observation."""
    pack = session.get(BriefingPack, programme.id)
    return pack or BriefingPack(
        programme_id=programme.id,
        body=default_pack_body(programme),
        required=True,
        session_required=True,
    )


def save_pack(
    session: DbSession,
    programme: Programme,
    *,
    body: str,
    required: bool,
    session_required: bool = True,
    by: User,
) -> BriefingPack:
    """Write the pack (Markdown), whether briefing is required before field work, and whether
    it means attending a session or acknowledging the pack is enough."""
    require_manager(programme, by)
    body = clean_text(body, field="Briefing pack", max_length=MAX_PACK, required=True)
    pack = session.get(BriefingPack, programme.id) or BriefingPack(programme_id=programme.id)
    pack.body, pack.required, pack.session_required = body, required, session_required
    session.add(pack)
    session.flush()
    return pack


def acknowledge(session: DbSession, programme: Programme, *, user: User) -> BriefingAcknowledgement:
    """Record that this person has read the pack; acknowledging twice keeps the first time."""
    if not can_view(programme, user):
        raise NotFound("There is no such programme.")
    key = (programme.id, user.id)
    existing = session.get(BriefingAcknowledgement, key)
    if existing is not None:
        return existing
    ack = BriefingAcknowledgement(programme_id=programme.id, user_id=user.id)
    try:
        with session.begin_nested():  # a savepoint: losing a race keeps the request usable
            session.add(ack)
            session.flush()
    except IntegrityError:
        # The same person's other tap (another tab, a retry) stored it first: theirs stands.
        return session.get_one(BriefingAcknowledgement, key, populate_existing=True)
    return ack


@dataclass
class SessionInput:
    starts_at: datetime  #: aware
    ends_at: datetime  #: aware
    location: str
    online_url: str
    capacity: int


def create_session(
    session: DbSession, programme: Programme, data: SessionInput, *, by: User
) -> BriefingSession:
    """Schedule a briefing session that people sign up for like a slot."""
    require_manager(programme, by)
    if data.ends_at <= data.starts_at:
        raise DomainError("The session ends before it starts. Check the times.", field="ends_at")
    if data.ends_at - data.starts_at > timedelta(hours=8):
        raise DomainError("A briefing session can last at most 8 hours.", field="ends_at")
    if (
        isinstance(data.capacity, bool)
        or not isinstance(data.capacity, int)
        or not 1 <= data.capacity <= 1000
    ):
        raise DomainError("Places must be a whole number between 1 and 1000.", field="capacity")
    location, online_url = clean_place(data.location, data.online_url)
    briefing = BriefingSession(
        programme_id=programme.id,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        location=location,
        online_url=online_url,
        capacity=data.capacity,
    )
    session.add(briefing)
    session.flush()
    return briefing


def get_session(
    session: DbSession, briefing_id: int, *, user: User
) -> tuple[BriefingSession, Programme]:
    briefing = session.get(BriefingSession, briefing_id)
    programme = session.get(Programme, briefing.programme_id) if briefing else None
    if briefing is None or programme is None or not can_view(programme, user):
        raise NotFound("There is no such briefing session.")
    return briefing, programme


def sessions_of(session: DbSession, programme: Programme) -> list[BriefingSession]:
    return list(
        session.scalars(
            select(BriefingSession)
            .where(
                BriefingSession.programme_id == programme.id, BriefingSession.cancelled_at.is_(None)
            )
            .order_by(BriefingSession.starts_at)
        )
    )


@functools.cache
def _booking_query() -> Select[Any]:
    """Built once per process, like the status's: a note's form and home ask on every view."""
    return (
        select(BriefingSignup)
        .join(BriefingSignup.briefing)
        .options(contains_eager(BriefingSignup.briefing))
        .where(
            BriefingSession.programme_id == bindparam("programme_id", type_=Integer),
            BriefingSignup.user_id == bindparam("user_id", type_=Integer),
        )
    )


def my_booking(session: DbSession, programme: Programme, user: User) -> BriefingSignup | None:
    params = {"programme_id": programme.id, "user_id": user.id}
    return session.scalar(_booking_query(), params)  # type: ignore[no-any-return]


def join_session(
    session: DbSession, briefing: BriefingSession, programme: Programme, *, user: User
) -> BriefingSignup:
    """Book a place on a briefing session; one session per person per programme."""
    if briefing.cancelled_at is not None:
        raise Conflict("This briefing session has been cancelled.")
    if briefing.starts_at <= utcnow():
        raise Conflict("This briefing session has already started.")
    booked = my_booking(session, programme, user)
    if booked is not None:
        when = format_local(booked.briefing.starts_at, programme.timezone)
        raise Conflict(f"You are already booked on the briefing of {when}. Cancel it to change.")
    taken = session.execute(
        update(BriefingSession)
        .where(
            BriefingSession.id == briefing.id,
            BriefingSession.seats_taken < BriefingSession.capacity,
        )
        .values(seats_taken=BriefingSession.seats_taken + 1)
        .returning(BriefingSession.seats_taken)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if taken is None:
        raise Conflict("This briefing session is full. Pick another one.")
    set_committed_value(briefing, "seats_taken", taken)
    booking = BriefingSignup(briefing=briefing, user_id=user.id)
    session.add(booking)
    session.flush()
    return booking


def leave_session(session: DbSession, booking: BriefingSignup, *, by: User) -> None:
    """Give up a briefing place (the person, or an organiser)."""
    programme = session.get(Programme, booking.briefing.programme_id)
    if by.id != booking.user_id:
        require_manager(programme, by)  # type: ignore[arg-type]
    done = session.execute(delete(BriefingSignup).where(BriefingSignup.id == booking.id))
    if done.rowcount == 1:  # type: ignore[attr-defined]
        session.execute(
            update(BriefingSession)
            .where(BriefingSession.id == booking.briefing_id, BriefingSession.seats_taken > 0)
            .values(seats_taken=BriefingSession.seats_taken - 1)
            .execution_options(synchronize_session=False)
        )
    session.expire_all()


def attendance(
    session: DbSession, briefing: BriefingSession, programme: Programme, *, by: User
) -> list[BriefingSignup]:
    """Who booked a session, for taking attendance (organisers)."""
    require_manager(programme, by)
    return list(
        session.scalars(
            select(BriefingSignup)
            .options(selectinload(BriefingSignup.user))
            .where(BriefingSignup.briefing_id == briefing.id)
            .order_by(BriefingSignup.created_at)
        )
    )


def mark_attended(
    session: DbSession, booking: BriefingSignup, programme: Programme, *, attended: bool, by: User
) -> None:
    require_manager(programme, by)
    booking.attended_at = utcnow() if attended else None
    session.flush()


@dataclass
class BriefingStatus:
    required: bool
    has_sessions: bool
    acknowledged_at: datetime | None
    booking: BriefingSignup | None
    session_required: bool = True

    @property
    def attended(self) -> bool:
        return self.booking is not None and self.booking.attended_at is not None

    @property
    def needs_session(self) -> bool:
        """The organisers ask for a session, and the programme holds some."""
        return self.session_required and self.has_sessions

    @property
    def done(self) -> bool:
        """Read and acknowledged the pack, and attended a session if one is needed."""
        return self.acknowledged_at is not None and (self.attended or not self.needs_session)

    def missing(self, tz: str) -> list[str]:
        """What is left to do, in words: "read and acknowledge the pack", the session."""
        todo = [] if self.acknowledged_at else ["read and acknowledge the briefing pack"]
        if self.needs_session and not self.attended:
            if self.booking is not None:
                when = format_local(self.booking.briefing.starts_at, tz)
                todo.append(f"attend the briefing session on {when}")
            else:
                todo.append("book and attend a briefing session")
        return todo


@functools.cache
def _status_query() -> Select[Any]:
    """The pack's rules, the person's acknowledgement and whether any session is held, in one
    statement built once per process (a note's form and the home screen ask on every view)."""
    programme_id = bindparam("programme_id", type_=Integer)
    user_id = bindparam("user_id", type_=Integer)
    pack = select(BriefingPack).where(BriefingPack.programme_id == programme_id).subquery()
    return select(
        select(pack.c.required).scalar_subquery(),
        select(pack.c.session_required).scalar_subquery(),
        select(BriefingAcknowledgement.acknowledged_at)
        .where(
            BriefingAcknowledgement.programme_id == programme_id,
            BriefingAcknowledgement.user_id == user_id,
        )
        .scalar_subquery(),
        exists().where(
            BriefingSession.programme_id == programme_id, BriefingSession.cancelled_at.is_(None)
        ),
    )


def briefing_status(session: DbSession, programme: Programme, user: User) -> BriefingStatus:
    params = {"programme_id": programme.id, "user_id": user.id}
    required, session_required, acknowledged_at, has_sessions = session.execute(
        _status_query(), params
    ).one()
    return BriefingStatus(
        required=True if required is None else required,
        has_sessions=bool(has_sessions),
        acknowledged_at=acknowledged_at,
        booking=my_booking(session, programme, user),
        session_required=True if session_required is None else session_required,
    )


class BriefingRequired(Conflict):
    code = "briefing_required"


def require_briefing(session: DbSession, programme: Programme, user: User) -> None:
    """Field capture calls this first: refuse if a required briefing is not yet done."""
    status = briefing_status(session, programme, user)
    if status.required and not status.done:
        missing = " and ".join(status.missing(programme.timezone))
        raise BriefingRequired(f"Before you go out, {missing} for “{programme.title}”.")
