"""Sign-up rules: capacity that holds under load, waitlists, overlaps and the sign-up window."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.db import DbSession, UTCDateTime, utcnow
from app.errors import Conflict, NotAllowed, NotFound
from app.mail import external_url, queue_mail
from app.programmes.models import Activity, Programme, ProgrammeStatus
from app.programmes.services import can_manage, require_manager, require_not_archived
from app.signups.models import Signup, SignupStatus
from app.timefmt import format_local

ACTIVE = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


@functools.cache
def _take_seat_query() -> Any:
    return (
        update(Activity)
        .where(
            Activity.id == bindparam("activity_id"),
            Activity.seats_taken < Activity.capacity,
            Activity.cancelled_at.is_(None),
        )
        .values(seats_taken=Activity.seats_taken + 1)
        .returning(Activity.seats_taken)
        .execution_options(synchronize_session=False)
    )


def _take_seat(session: DbSession, activity: Activity) -> bool:
    """Atomically take a seat if one is free; False when the slot is full.

    A conditional UPDATE is atomic on both databases: on PostgreSQL the row lock makes a waiting
    writer re-check `seats_taken < capacity`; on SQLite the write lock is already ours.
    """
    taken = session.execute(_take_seat_query(), {"activity_id": activity.id}).scalar_one_or_none()
    if taken is None:
        session.refresh(activity)
        if activity.is_cancelled:
            raise Conflict("This slot has been cancelled.")
        return False
    set_committed_value(activity, "seats_taken", taken)
    return True


def _free_seat(session: DbSession, activity: Activity) -> None:
    left = session.execute(
        update(Activity)
        .where(Activity.id == activity.id, Activity.seats_taken > 0)
        .values(seats_taken=Activity.seats_taken - 1)
        .returning(Activity.seats_taken)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if left is not None:
        set_committed_value(activity, "seats_taken", left)


@functools.cache
def _lock_person_query() -> Any:
    return select(User.id).where(User.id == bindparam("id")).with_for_update()


def _lock_person(session: DbSession, user: User) -> None:
    # Serialises one person's sign-ups so two tabs cannot take two overlapping slots at once.
    session.execute(_lock_person_query(), {"id": user.id})


def window_problem(programme: Programme, activity: Activity) -> str | None:
    """Why a person cannot sign up themselves right now, or None."""
    now = utcnow()
    tz = programme.timezone
    if activity.is_cancelled:
        return "This slot has been cancelled."
    if programme.status == ProgrammeStatus.DRAFT:  # not closed: it has not opened yet
        return "Draft — not open for sign-up yet."
    if programme.status != ProgrammeStatus.PUBLISHED:
        return "Sign-up for this programme is closed."
    if now < programme.signup_opens_at:
        return f"Sign-up opens {format_local(programme.signup_opens_at, tz)}."
    if now >= programme.signup_closes_at:
        return f"Sign-up closed {format_local(programme.signup_closes_at, tz)}."
    if activity.starts_at <= now:
        return "This slot has already started."
    return None


@functools.cache
def _overlapping_query() -> Any:
    """Built once per process, like the other statements of a sign-up: building them cost
    about as much as running them."""
    return (
        select(Signup)
        .join(Signup.activity)
        .where(
            Signup.user_id == bindparam("user_id"),
            Signup.status.in_(ACTIVE),
            Activity.id != bindparam("activity_id"),
            Activity.cancelled_at.is_(None),
            Activity.starts_at < bindparam("ends_at", type_=UTCDateTime),
            Activity.ends_at > bindparam("starts_at", type_=UTCDateTime),
        )
        .limit(1)
    )


def overlapping(session: DbSession, user: User, activity: Activity) -> Signup | None:
    """The person's other active sign-up that overlaps this slot in time, if any."""
    params = {
        "user_id": user.id,
        "activity_id": activity.id,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
    }
    return session.scalar(_overlapping_query(), params)  # type: ignore[no-any-return]


@functools.cache
def _existing_query() -> Any:
    return select(Signup).where(
        Signup.activity_id == bindparam("activity_id"), Signup.user_id == bindparam("user_id")
    )


def sign_up(
    session: DbSession, activity: Activity, *, user: User, by: User | None = None
) -> Signup:
    """Put a person on a slot: confirmed while seats remain, else on the waitlist.

    `by` is an organiser adding someone else; they may do so outside the sign-up window.
    """
    by = by or user
    on_behalf = by.id != user.id
    if on_behalf:
        require_manager(activity.programme, by)
        require_not_archived(activity.programme)
    if not user.active:
        raise Conflict(f"{user.name}'s account is disabled.")
    _lock_person(session, user)
    problem = "This slot has been cancelled." if activity.is_cancelled else None
    if not on_behalf:
        problem = window_problem(activity.programme, activity)
    if problem:
        raise Conflict(problem)
    existing = session.scalar(_existing_query(), {"activity_id": activity.id, "user_id": user.id})
    who = "You are" if not on_behalf else f"{user.name} is"
    if existing is not None and existing.is_active:
        where = "on the waitlist" if existing.status == SignupStatus.WAITLISTED else "signed up"
        raise Conflict(f"{who} already {where} for this slot.")
    clash = overlapping(session, user, activity)
    if clash is not None:
        when = format_local(clash.activity.starts_at, clash.activity.programme.timezone)
        raise Conflict(
            f"{who} already down for “{clash.activity.title}” at that time ({when}). "
            "Cancel that one first to take this slot."
        )
    status = SignupStatus.CONFIRMED if _take_seat(session, activity) else SignupStatus.WAITLISTED
    signup = existing or Signup(activity=activity, user=user, status=status)
    signup.status = status
    signup.queued_at = utcnow()
    session.add(signup)
    session.flush()
    return signup


def cancel(session: DbSession, signup: Signup, *, by: User) -> Signup | None:
    """Take a person off a slot; a freed seat goes to the first person waiting, who is told."""
    activity = signup.activity
    require_not_archived(activity.programme)
    if by.id != signup.user_id:
        require_manager(activity.programme, by)
    elif problem := cancel_problem(signup):
        raise Conflict(problem)
    was = signup.status
    # Conditional, so two cancels of one sign-up cannot free two seats.
    done = session.execute(
        update(Signup)
        .where(
            Signup.id == signup.id, Signup.status == was, Signup.status != SignupStatus.CANCELLED
        )
        .values(status=SignupStatus.CANCELLED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(signup)
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("This sign-up is already cancelled.")
    if was != SignupStatus.CONFIRMED or activity.is_cancelled:
        return None
    _free_seat(session, activity)
    return promote_next(session, activity)


def cancel_problem(signup: Signup) -> str | None:
    """Why the person cannot cancel their own place now, or None. Once a slot has started, or
    they have checked in, their place is a record of what happened (the debrief invites
    those who went); once sign-up is closed, places hold. An organiser can still correct it."""
    ask = "Ask an organiser to change it."
    if signup.activity.programme.status == ProgrammeStatus.IN_FIELD:
        return f"Sign-up for this programme is closed, so places no longer change. {ask}"
    if signup.arrived_at is not None:
        return f"You are checked in, so your place stays on record. {ask}"
    if signup.activity.has_started:
        return f"This slot has started, so your place stays on record. {ask}"
    return None


def promote_next(session: DbSession, activity: Activity) -> Signup | None:
    """Give a free seat to the first person waiting (if the slot has not started) and tell them."""
    if activity.starts_at <= utcnow():
        return None
    first = session.scalar(
        select(Signup)
        .where(Signup.activity_id == activity.id, Signup.status == SignupStatus.WAITLISTED)
        .order_by(Signup.queued_at, Signup.id)
        .limit(1)
        .with_for_update()
    )
    if first is None or not _take_seat(session, activity):
        return None
    first.status = SignupStatus.CONFIRMED
    session.flush()
    when = format_local(activity.starts_at, activity.programme.timezone)
    queue_mail(
        session,
        to=first.user.email,
        subject=f"You have a place: {activity.title}, {when}",
        body=(
            f"Hello {first.user.name},\n\nA place came free and it is yours: “{activity.title}” "
            f"on {when}, {activity.location or activity.online_url}.\n\nYour schedule: "
            f"{external_url('signups.schedule')}\n"
        ),
    )
    return first


def move(session: DbSession, signup: Signup, to: Activity, *, by: User) -> Signup:
    """Move a person to another slot of the same programme (organisers)."""
    require_manager(signup.activity.programme, by)
    if to.programme_id != signup.activity.programme_id:
        raise Conflict("People can only be moved between slots of the same programme.")
    if to.id == signup.activity_id:
        raise Conflict("That is the slot they are already on.")
    cancel(session, signup, by=by)
    return sign_up(session, to, user=signup.user, by=by)


def get_signup(session: DbSession, signup_id: int, *, user: User) -> Signup:
    """A sign-up that is this person's own, or on a programme they organise."""
    signup = session.get(Signup, signup_id)
    if signup is None or not (
        signup.user_id == user.id or can_manage(signup.activity.programme, user)
    ):
        raise NotFound("There is no such sign-up.")
    return signup


@functools.cache
def _my_signups_query() -> Any:
    """Built once per process: the home screen and My schedule ask on every view, and building
    it cost more than running it."""
    return (
        select(Signup)
        .join(Signup.activity)
        .join(Activity.programme)
        # The slots and programmes come from the joins above, not from a second join each.
        .options(contains_eager(Signup.activity).contains_eager(Activity.programme))
        .where(Signup.user_id == bindparam("user_id"), Signup.status.in_(ACTIVE))
        .order_by(Activity.starts_at)
    )


def my_signups(session: DbSession, user: User) -> list[Signup]:
    """A person's active sign-ups in time order, slots and programmes loaded in the same query."""
    return list(session.scalars(_my_signups_query(), {"user_id": user.id}))


def by_time(signups: list[Signup]) -> tuple[list[Signup], list[Signup]]:
    """Sign-ups in time order split into those not over yet (soonest first) and those over
    (latest first)."""
    now = utcnow()
    upcoming = [s for s in signups if s.activity.ends_at > now]
    past = [s for s in reversed(signups) if s.activity.ends_at <= now]
    return upcoming, past


def my_signups_by_activity(
    session: DbSession, user: User, programme: Programme
) -> dict[int, Signup]:
    rows = session.scalars(
        select(Signup)
        .join(Signup.activity)
        .where(
            Signup.user_id == user.id,
            Signup.status.in_(ACTIVE),
            Activity.programme_id == programme.id,
        )
    )
    return {s.activity_id: s for s in rows}


@dataclass
class Roster:
    confirmed: list[Signup]
    waitlist: list[Signup]


def _by_status(rows: list[Signup]) -> Roster:
    return Roster(
        confirmed=[s for s in rows if s.status == SignupStatus.CONFIRMED],
        waitlist=[s for s in rows if s.status == SignupStatus.WAITLISTED],
    )


def _rows(session: DbSession, *conditions: ColumnElement[bool]) -> list[Signup]:
    """Active sign-ups matching the conditions, people loaded, in waiting order."""
    return list(
        session.scalars(
            select(Signup)
            .join(Signup.activity)
            .options(selectinload(Signup.user))
            .where(Signup.status.in_(ACTIVE), *conditions)
            .order_by(Signup.queued_at, Signup.id)
        )
    )


def roster(session: DbSession, activity: Activity, *, by: User) -> Roster:
    """Who is on a slot, and who waits, in order (organisers)."""
    require_manager(activity.programme, by)
    return _by_status(_rows(session, Signup.activity_id == activity.id))


def programme_roster(
    session: DbSession, programme: Programme, *, by: User
) -> list[tuple[Activity, Roster]]:
    """Every slot of a programme in time order with who is on it and who waits (organisers),
    in two queries however many slots."""
    require_manager(programme, by)
    slots = session.scalars(
        select(Activity)
        .where(Activity.programme_id == programme.id)
        .order_by(Activity.starts_at, Activity.id)
    ).all()
    rows: dict[int, list[Signup]] = {a.id: [] for a in slots}
    for signup in _rows(session, Activity.programme_id == programme.id):
        rows[signup.activity_id].append(signup)
    return [(a, _by_status(rows[a.id])) for a in slots]


def renew_calendar_token(session: DbSession, user: User) -> str:
    """A new private feed secret; the old feed URL stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    session.flush()
    return user.calendar_token


def revoke_calendar_token(session: DbSession, user: User) -> None:
    user.calendar_token = None
    session.flush()


def user_for_calendar_token(session: DbSession, token: str) -> User:
    user = session.scalar(select(User).where(User.calendar_token == token)) if token else None
    if user is None or not user.active:
        raise NotFound("This calendar feed does not exist or was revoked.")
    return user


def require_own(signup: Signup, user: User) -> None:
    if signup.user_id != user.id:
        raise NotAllowed("This sign-up is not yours.")
