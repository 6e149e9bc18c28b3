"""Test data built through the real services."""

from __future__ import annotations

import io
import itertools
from datetime import datetime, time, timedelta

from PIL import Image

from app.accounts.models import Role, User
from app.accounts.services import create_user
from app.briefings.models import BriefingSession
from app.briefings.services import SessionInput, create_session
from app.db import utcnow
from app.extensions import db
from app.programmes.models import Activity, ActivityKind, Programme
from app.programmes.services import (
    ActivityInput,
    ProgrammeInput,
    change_status,
    create_activity,
    create_programme,
)
from app.timefmt import local_to_utc

PASSWORD = "correct horse battery"
TZ = "Europe/Paris"
_seq = itertools.count(1)


def make_user(
    *roles: Role,
    name: str | None = None,
    department: str = "Sales",
    email: str | None = None,
    clock: str = "",
) -> User:
    n = next(_seq)
    user = create_user(
        db.session,
        email=email or f"person{n}@example.com",
        name=name or f"Person {n}",
        roles=set(roles),
        department=department,
        password=PASSWORD,
    )
    user.clock = clock
    return user


def make_programme(
    organiser: User | None = None,
    *,
    publish: bool = True,
    days_ahead: int = 5,
    length: int = 5,
    **overrides: object,
) -> Programme:
    organiser = organiser or make_user(Role.ORGANISER)
    first = utcnow().date() + timedelta(days=days_ahead)
    values = {
        "title": "Closeness week",
        "purpose": "Meet customers.",
        "customer_question": "What makes people hesitate?",
        "starts_on": first,
        "ends_on": first + timedelta(days=length - 1),
        "timezone": TZ,
        "signup_opens_at": utcnow() - timedelta(days=1),
        "signup_closes_at": utcnow() + timedelta(days=days_ahead),
        **overrides,
    }
    programme = create_programme(db.session, ProgrammeInput(**values), by=organiser)  # type: ignore[arg-type]
    if publish:
        change_status(db.session, programme, "publish", by=organiser)
    return programme


def local(programme: Programme, day_offset: int, hour: int, minute: int = 0) -> datetime:
    """An aware UTC time for a wall-clock time on the programme's n-th day."""
    day = programme.starts_on + timedelta(days=day_offset)
    return local_to_utc(datetime.combine(day, time(hour, minute)), programme.timezone, field="t")


def make_activity(
    programme: Programme,
    *,
    day: int = 0,
    hour: int = 10,
    hours: int = 2,
    capacity: int = 3,
    kind: ActivityKind = ActivityKind.CALL_LISTENING,
    title: str | None = None,
    location: str = "Lyon call centre",
) -> Activity:
    start = local(programme, day, hour)
    return create_activity(
        db.session,
        programme,
        ActivityInput(
            kind=kind,
            title=title or f"Slot {next(_seq)}",
            location=location,
            online_url="",
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            capacity=capacity,
        ),
        by=programme.organisers[0],
    )


def move_to(activity: Activity, starts_in: timedelta, *, hours: int = 2) -> Activity:
    """Move a slot in time, to start `starts_in` from now (negative: it started that long
    ago). Sign-up is refused once a slot has started, so sign people up first."""
    activity.starts_at = utcnow() + starts_in
    activity.ends_at = activity.starts_at + timedelta(hours=hours)
    db.session.flush()
    return activity


def make_briefing_session(
    programme: Programme, *, capacity: int = 10, days_before: int = 1
) -> BriefingSession:
    """A one-hour briefing session `days_before` the programme's first day."""
    start = local(programme, 0, 9) - timedelta(days=days_before)
    return create_session(
        db.session,
        programme,
        SessionInput(
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            location="Room 1",
            online_url="",
            capacity=capacity,
        ),
        by=programme.organisers[0],
    )


def jpeg_bytes(size: tuple[int, int] = (64, 48), *, exif: bytes | None = None) -> bytes:
    """A small real JPEG, optionally carrying EXIF (as a phone's photo would)."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "JPEG", **({"exif": exif} if exif else {}))
    return out.getvalue()
