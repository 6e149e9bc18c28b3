"""Programme and slot rules: who manages what, valid dates and times, the life cycle."""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import Select, and_, bindparam, case, exists, func, or_, select, true, update
from sqlalchemy.orm import joinedload

from app.accounts.models import Role, User
from app.db import DbSession, is_id, utcnow
from app.errors import Conflict, DomainError, NotAllowed, NotFound
from app.mail import external_url, queue_mail
from app.programmes.models import (
    Activity,
    ActivityKind,
    Programme,
    ProgrammeStatus,
    programme_organisers,
)
from app.text import clean_text
from app.timefmt import format_local, in_zone, zone

MAX_CAPACITY = 1000
MAX_SERIES = 50


@dataclass
class ProgrammeInput:
    title: str
    purpose: str
    customer_question: str
    starts_on: date
    ends_on: date
    timezone: str
    signup_opens_at: datetime  #: aware
    signup_closes_at: datetime  #: aware


@dataclass
class ActivityInput:
    kind: str
    title: str
    location: str
    online_url: str
    starts_at: datetime  #: aware
    ends_at: datetime  #: aware
    capacity: int
    host: str = ""
    what_to_bring: str = ""
    notes: str = ""


def can_manage(programme: Programme, user: User) -> bool:
    return user.is_admin or any(o.id == user.id for o in programme.organisers)


def can_view(programme: Programme, user: User) -> bool:
    return programme.status != ProgrammeStatus.DRAFT or can_manage(programme, user)


def require_manager(programme: Programme, user: User) -> None:
    if not can_manage(programme, user):
        raise NotAllowed("Only this programme's organisers can do that.")


def require_not_archived(programme: Programme) -> None:
    """An archived programme is a record: neither it, its slots nor who was on them change."""
    if programme.status == ProgrammeStatus.ARCHIVED:
        raise Conflict("This programme is archived and can no longer be changed.")


@functools.cache
def _programme_query() -> Select[tuple[Programme]]:
    """A programme with who organises it (every page asks can_manage), without their roles.
    Built once per process: building it cost as much as running it."""
    organisers = joinedload(Programme.organisers).lazyload(User.role_rows)
    return select(Programme).options(organisers).where(Programme.id == bindparam("id"))


@functools.cache
def _activity_query() -> Select[tuple[Activity]]:
    """A slot with its programme and who organises that, the same way."""
    organisers = joinedload(Programme.organisers).lazyload(User.role_rows)
    programme = joinedload(Activity.programme).options(organisers)
    return select(Activity).options(programme).where(Activity.id == bindparam("id"))


def get_programme(session: DbSession, programme_id: int, *, user: User) -> Programme:
    """A programme this person may see, or NotFound (drafts of others stay invisible)."""
    programme = _by_id(session, _programme_query(), programme_id)
    if programme is None or not can_view(programme, user):
        raise NotFound("There is no such programme.")
    return programme


def get_activity(session: DbSession, activity_id: int, *, user: User) -> Activity:
    activity = _by_id(session, _activity_query(), activity_id)
    if activity is None or not can_view(activity.programme, user):
        raise NotFound("There is no such activity slot.")
    return activity


def _by_id(session: DbSession, query: Select[Any], row_id: int) -> Any:
    if not is_id(row_id):  # what session.get would have refused, or the database overflowed on
        return None
    return session.scalars(query, {"id": row_id}).unique().one_or_none()


def visible_programmes(session: DbSession, user: User) -> list[Programme]:
    """Programmes this person can see, newest first; drafts only to their organisers. One
    query: `can_view` as SQL, instead of reading each draft's organisers."""
    return list(session.scalars(_visible_query(user.is_admin), {"user_id": user.id}))


@functools.cache
def _visible_query(everything: bool) -> Select[tuple[Programme]]:
    """Built once per process: the home screen asks on every view."""
    query = select(Programme).order_by(Programme.starts_on.desc())
    if everything:
        return query
    organises = exists().where(
        programme_organisers.c.programme_id == Programme.id,
        programme_organisers.c.user_id == bindparam("user_id"),
    )
    return query.where(or_(Programme.status != ProgrammeStatus.DRAFT, organises))


def _clean_programme(data: ProgrammeInput) -> ProgrammeInput:
    zone(data.timezone)
    if data.ends_on < data.starts_on:
        raise DomainError("The programme ends before it starts. Check the dates.", field="ends_on")
    if data.signup_closes_at <= data.signup_opens_at:
        raise DomainError(
            "Sign-up must close after it opens. Check the sign-up dates.", field="signup_closes_at"
        )
    if (data.ends_on - data.starts_on).days > 366:
        raise DomainError("A programme can last at most a year.", field="ends_on")
    return ProgrammeInput(
        title=clean_text(data.title, field="Title", max_length=200, required=True),
        purpose=clean_text(data.purpose, field="Purpose", max_length=4000),
        customer_question=clean_text(
            data.customer_question, field="Customer question", max_length=500
        ),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        timezone=data.timezone,
        signup_opens_at=data.signup_opens_at,
        signup_closes_at=data.signup_closes_at,
    )


def create_programme(session: DbSession, data: ProgrammeInput, *, by: User) -> Programme:
    """A new draft programme organised by its creator."""
    if not by.is_organiser:
        raise NotAllowed("Only organisers can create programmes.")
    data = _clean_programme(data)
    programme = Programme(**{f.name: getattr(data, f.name) for f in fields(data)})
    programme.organisers = [by]
    session.add(programme)
    session.flush()
    return programme


def update_programme(
    session: DbSession, programme: Programme, data: ProgrammeInput, *, by: User
) -> None:
    """Edit a programme; its slots must still fit inside the new dates."""
    require_manager(programme, by)
    require_not_archived(programme)
    data = _clean_programme(data)
    for f in fields(data):
        setattr(programme, f.name, getattr(data, f.name))
    for activity in programme.activities:
        if not activity.is_cancelled:
            _check_inside_programme(programme, activity.starts_at, activity.ends_at)
    session.flush()


TRANSITIONS = {
    "publish": ({ProgrammeStatus.DRAFT, ProgrammeStatus.IN_FIELD}, ProgrammeStatus.PUBLISHED),
    "close": ({ProgrammeStatus.PUBLISHED}, ProgrammeStatus.IN_FIELD),
    "archive": (
        {
            ProgrammeStatus.DRAFT,
            ProgrammeStatus.PUBLISHED,
            ProgrammeStatus.IN_FIELD,
            ProgrammeStatus.DEBRIEFED,
        },
        ProgrammeStatus.ARCHIVED,
    ),
}


PAST_TENSE = {"publish": "published", "close": "closed", "archive": "archived"}


def change_status(session: DbSession, programme: Programme, action: str, *, by: User) -> None:
    """Publish (open to everyone), close (sign-up ends, people are in the field) or archive."""
    require_manager(programme, by)
    allowed_from, target = TRANSITIONS[action]
    if programme.status not in allowed_from:
        state = programme.status.replace("_", " ")
        raise Conflict(f"A programme that is {state} cannot be {PAST_TENSE[action]}.")
    programme.status = target
    session.flush()


def add_organiser(session: DbSession, programme: Programme, organiser: User, *, by: User) -> None:
    require_manager(programme, by)
    if not organiser.has_role(Role.ORGANISER) and not organiser.is_admin:
        raise DomainError(f"{organiser.name} does not have the organiser role.", field="email")
    if organiser not in programme.organisers:
        programme.organisers.append(organiser)
    session.flush()


def _check_inside_programme(programme: Programme, starts_at: datetime, ends_at: datetime) -> None:
    first = in_zone(starts_at, programme.timezone).date()
    last = in_zone(ends_at - timedelta(microseconds=1), programme.timezone).date()
    if first < programme.starts_on or last > programme.ends_on:
        raise DomainError(
            f"The slot must fall within the programme ({programme.starts_on:%d %b} to "
            f"{programme.ends_on:%d %b %Y}).",
            field="starts_at",
        )


def clean_place(location: str, online_url: str) -> tuple[str, str]:
    """A place or an online link (or both); the link must be http(s)."""
    online_url = clean_text(online_url, field="Online link", max_length=500)
    if online_url and urlparse(online_url).scheme not in {"http", "https"}:
        raise DomainError(
            "The online link must start with https:// or http://.", field="online_url"
        )
    location = clean_text(location, field="Place", max_length=300)
    if not location and not online_url:
        raise DomainError("Give a place or an online link.", field="location")
    return location, online_url


def _clean_activity(programme: Programme, data: ActivityInput) -> dict[str, object]:
    try:
        kind = ActivityKind(data.kind)
    except ValueError as err:
        kinds = ", ".join(k.value for k in ActivityKind)
        raise DomainError(
            f"Unknown kind “{data.kind}”. Use one of: {kinds}.", field="kind"
        ) from err
    if data.ends_at <= data.starts_at:
        raise DomainError("The slot ends before it starts. Check the times.", field="ends_at")
    if data.ends_at - data.starts_at > timedelta(hours=24):
        raise DomainError("A slot can last at most 24 hours.", field="ends_at")
    _check_inside_programme(programme, data.starts_at, data.ends_at)
    if isinstance(data.capacity, bool) or not isinstance(data.capacity, int):
        raise DomainError("Capacity must be a whole number.", field="capacity")
    if not 1 <= data.capacity <= MAX_CAPACITY:
        raise DomainError(f"Capacity must be between 1 and {MAX_CAPACITY}.", field="capacity")
    location, online_url = clean_place(data.location, data.online_url)
    return {
        "kind": kind,
        "title": clean_text(data.title, field="Title", max_length=200, required=True),
        "location": location,
        "online_url": online_url,
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "capacity": data.capacity,
        "host": clean_text(data.host, field="Host", max_length=200),
        "what_to_bring": clean_text(data.what_to_bring, field="What to bring", max_length=1000),
        "notes": clean_text(data.notes, field="Notes", max_length=4000),
    }


def create_activity(
    session: DbSession, programme: Programme, data: ActivityInput, *, by: User
) -> Activity:
    """Add a slot to a programme."""
    require_manager(programme, by)
    require_not_archived(programme)
    activity = Activity(programme=programme, **_clean_activity(programme, data))
    session.add(activity)
    session.flush()
    return activity


def update_activity(
    session: DbSession, activity: Activity, data: ActivityInput, *, by: User
) -> None:
    """Edit a slot; capacity cannot drop below the people already confirmed."""
    require_manager(activity.programme, by)
    require_not_archived(activity.programme)
    if activity.is_cancelled:
        raise Conflict("This slot is cancelled and can no longer be changed.")
    values = _clean_activity(activity.programme, data)
    if values["capacity"] < activity.seats_taken:  # type: ignore[operator]
        raise DomainError(
            f"{activity.seats_taken} people are confirmed; capacity cannot go below that. "
            "Move or remove people first.",
            field="capacity",
        )
    for key, value in values.items():
        setattr(activity, key, value)
    session.flush()


def duplicate_activity(
    session: DbSession,
    activity: Activity,
    *,
    copies: int,
    every_days: int,
    by: User,
    starts_at: datetime | None = None,
) -> list[Activity]:
    """Copies of a slot: the first at `starts_at` (the same day is fine; by default
    `every_days` after the original), each next one `every_days` after the previous."""
    require_manager(activity.programme, by)
    require_not_archived(activity.programme)
    if not 1 <= copies <= MAX_SERIES:
        raise DomainError(f"Make between 1 and {MAX_SERIES} copies.", field="copies")
    if not 0 <= every_days <= 31:
        raise DomainError("Repeat every 0 to 31 days.", field="every_days")
    if copies > 1 and every_days == 0:
        raise DomainError(
            "Several copies need at least 1 day between them, or they would all be at the "
            "same time. Make one copy at a time for more on the same day.",
            field="every_days",
        )
    tz_name = activity.programme.timezone
    tz = zone(tz_name)
    # Step in local wall-clock days so a series keeps its hour across a clock change.
    original = in_zone(activity.starts_at, tz_name).replace(tzinfo=None)
    length = in_zone(activity.ends_at, tz_name).replace(tzinfo=None) - original
    first = (
        in_zone(starts_at, tz_name).replace(tzinfo=None)
        if starts_at is not None
        else original + timedelta(days=every_days)
    )
    created = []
    for n in range(copies):
        start = first + timedelta(days=n * every_days)
        data = ActivityInput(
            kind=activity.kind,
            title=activity.title,
            location=activity.location,
            online_url=activity.online_url,
            starts_at=start.replace(tzinfo=tz),
            ends_at=(start + length).replace(tzinfo=tz),
            capacity=activity.capacity,
            host=activity.host,
            what_to_bring=activity.what_to_bring,
            notes=activity.notes,
        )
        created.append(create_activity(session, activity.programme, data, by=by))
    return created


def cancel_activity(session: DbSession, activity: Activity, *, by: User) -> int:
    """Cancel a slot and tell everyone on it; returns how many were told."""
    from app.signups.models import Signup, SignupStatus

    require_manager(activity.programme, by)
    require_not_archived(activity.programme)
    if activity.is_cancelled:
        raise Conflict("This slot is already cancelled.")
    if activity.ends_at <= utcnow():
        raise Conflict(
            "This slot is over, so it stays on record as it happened; cancelling it now "
            "would tell people after the fact."
        )
    # Conditional, so two organisers cancelling at once tell people once: the second finds
    # the row already changed and is told so.
    done = session.execute(
        update(Activity)
        .where(Activity.id == activity.id, Activity.cancelled_at.is_(None))
        .values(cancelled_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(activity)
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("This slot is already cancelled.")
    people = session.scalars(
        select(Signup).where(
            Signup.activity_id == activity.id, Signup.status != SignupStatus.CANCELLED
        )
    ).all()
    when = format_local(activity.starts_at, activity.programme.timezone)
    for signup in people:
        signup.status = SignupStatus.CANCELLED
        queue_mail(
            session,
            to=signup.user.email,
            subject=f"Cancelled: {activity.title}, {when}",
            body=(
                f"Hello {signup.user.name},\n\nThe slot “{activity.title}” on {when} has been "
                f"cancelled by the organisers. Other slots are open here:\n"
                f"{external_url('programmes.show', programme_id=activity.programme_id)}\n"
            ),
        )
    activity.seats_taken = 0
    session.flush()
    return len(people)


PAGE_SIZE = 24


@dataclass
class SlotPage:
    slots: list[Activity]
    matching: int  #: slots that pass the filters
    total: int  #: slots in the programme
    page: int
    pages: int


def programme_days(programme: Programme) -> list[date]:
    days = (programme.ends_on - programme.starts_on).days + 1
    return [programme.starts_on + timedelta(days=n) for n in range(max(days, 0))]


def _escape_like(text: str) -> str:
    """Typed words match literally: % and _ are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _slot_filters(programme: Programme, kind: str, day: str, place: str) -> dict[str, Any]:
    """The filters typed, as the parameters of `_slot_queries`."""
    params: dict[str, Any] = {"programme_id": programme.id}
    if kind:
        params["kind"] = kind
    if day:
        try:
            local_day = date.fromisoformat(day)
        except ValueError as err:
            raise DomainError("Pick a day from the list.", field="day") from err
        tz = zone(programme.timezone)
        params["day_start"] = datetime.combine(local_day, time.min, tzinfo=tz)
        params["day_end"] = datetime.combine(local_day + timedelta(days=1), time.min, tzinfo=tz)
    if place.strip():
        params["place"] = "%" + _escape_like(place.strip()) + "%"
    return params


@functools.cache
def _slot_queries(kind: bool, day: bool, place: bool, paged: bool) -> tuple[Select[Any], Any]:
    """The count of a programme's slots and of those matching, and the matching slots, for the
    filters given: built once per process (the programme page asks on every view, and building
    them cost more than running them)."""
    conditions: list[Any] = []
    if kind:
        conditions.append(Activity.kind == bindparam("kind"))
    if day:
        conditions += [
            Activity.starts_at >= bindparam("day_start"),
            Activity.starts_at < bindparam("day_end"),
        ]
    if place:
        conditions.append(
            or_(
                Activity.location.ilike(bindparam("place"), escape="\\"),
                Activity.title.ilike(bindparam("place"), escape="\\"),
            )
        )
    matches = and_(true(), *conditions)
    in_programme = Activity.programme_id == bindparam("programme_id")
    counts = select(func.count(), func.coalesce(func.sum(case((matches, 1), else_=0)), 0))
    slots = select(Activity).where(in_programme, matches).order_by(Activity.starts_at, Activity.id)
    if paged:
        slots = slots.limit(bindparam("limit")).offset(bindparam("offset"))
    return counts.where(in_programme), slots


def find_activities(
    session: DbSession,
    programme: Programme,
    *,
    kind: str = "",
    day: str = "",
    place: str = "",
    page: int = 1,
    per_page: int | None = PAGE_SIZE,
) -> SlotPage:
    """The slots matching a kind, a local day (YYYY-MM-DD) and words in the place or title,
    one page at a time, in time order; filtering and paging happen in the database."""
    params = _slot_filters(programme, kind, day, place)
    counts, slots = _slot_queries(
        "kind" in params, "day_start" in params, "place" in params, bool(per_page)
    )
    total, matching = session.execute(counts, params).one()
    pages = max(1, -(-matching // per_page)) if per_page else 1
    page = min(max(page, 1), pages)
    if per_page:
        params |= {"limit": per_page, "offset": (page - 1) * per_page}
    return SlotPage(list(session.scalars(slots, params)), matching, total, page, pages)


def list_activities(session: DbSession, programme: Programme) -> list[Activity]:
    return list(
        session.scalars(
            select(Activity)
            .where(Activity.programme_id == programme.id)
            .order_by(Activity.starts_at)
        )
    )


@dataclass
class Participation:
    slots: list[tuple[Activity, int, int]]  #: (slot, confirmed, waiting)
    underfilled: list[Activity]
    by_department: list[tuple[str, int]]
    people: int
    seats: int
    taken: int


def participation(session: DbSession, programme: Programme, *, by: User) -> Participation:
    """Fill rate per slot, under-filled slots (below half) and people per department."""
    from app.accounts.models import User as UserModel
    from app.signups.models import Signup, SignupStatus

    require_manager(programme, by)
    activities = [a for a in list_activities(session, programme) if not a.is_cancelled]
    waiting = dict(
        session.execute(
            select(Signup.activity_id, func.count())
            .join(Activity)
            .where(Activity.programme_id == programme.id, Signup.status == SignupStatus.WAITLISTED)
            .group_by(Signup.activity_id)
        ).all()
    )
    departments = session.execute(
        select(UserModel.department, func.count(func.distinct(UserModel.id)))
        .join(Signup, Signup.user_id == UserModel.id)
        .join(Activity, Activity.id == Signup.activity_id)
        .where(
            Activity.programme_id == programme.id,
            Activity.cancelled_at.is_(None),
            Signup.status == SignupStatus.CONFIRMED,
        )
        .group_by(UserModel.department)
        .order_by(func.count(func.distinct(UserModel.id)).desc())
    ).all()
    return Participation(
        slots=[(a, a.seats_taken, waiting.get(a.id, 0)) for a in activities],
        underfilled=[a for a in activities if a.seats_taken * 2 < a.capacity],
        by_department=[(d or "No department", n) for d, n in departments],
        people=sum(n for _, n in departments),
        seats=sum(a.capacity for a in activities),
        taken=sum(a.seats_taken for a in activities),
    )
