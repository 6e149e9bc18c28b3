"""The day itself: checking in on arrival, and organisers marking who came."""

from __future__ import annotations

import segno
from markupsafe import Markup
from sqlalchemy import select

from app.accounts.models import User
from app.db import DbSession, utcnow
from app.errors import Conflict, DomainError
from app.programmes.models import Activity, ProgrammeStatus
from app.programmes.services import require_manager, require_not_archived
from app.signups.models import Signup, SignupStatus
from app.timefmt import format_local


def checkin_problem(activity: Activity) -> str | None:
    """Why nobody can check in to this slot right now, or None: check-in is open from 30
    minutes before the start to the end, by code as by "I'm here"."""
    if activity.is_cancelled:
        return "This slot has been cancelled."
    if activity.programme.status == ProgrammeStatus.ARCHIVED:
        return "This programme is archived and can no longer be changed."
    if utcnow() < activity.checkin_opens_at:
        opens = format_local(activity.checkin_opens_at, activity.programme.timezone)
        return f"Check-in opens {opens}, 30 minutes before the start."
    if utcnow() > activity.ends_at:
        return "This slot is over; ask an organiser to mark you as arrived."
    return None


def check_in(
    session: DbSession, activity: Activity, *, user: User, code: str | None = None
) -> Signup:
    """Mark a confirmed person as arrived, by the slot's code (typed or scanned) or "I'm here"."""
    signup = session.scalar(
        select(Signup).where(
            Signup.activity_id == activity.id,
            Signup.user_id == user.id,
            Signup.status == SignupStatus.CONFIRMED,
        )
    )
    if signup is None:
        raise Conflict("You do not have a confirmed place on this slot.")
    if problem := checkin_problem(activity):
        raise Conflict(problem)
    if code is not None and code.strip().upper().replace(" ", "") != activity.checkin_code:
        raise DomainError(
            "That code does not match this slot. Check it with the host.", field="code"
        )
    signup.arrived_at = signup.arrived_at or utcnow()
    signup.no_show = False
    session.flush()
    return signup


def mark_arrival(session: DbSession, signup: Signup, *, arrived: bool, by: User) -> None:
    """An organiser marks someone as arrived, or as a no-show."""
    require_manager(signup.activity.programme, by)
    require_not_archived(signup.activity.programme)
    if signup.status != SignupStatus.CONFIRMED:
        raise Conflict("Only confirmed people can be marked.")
    signup.arrived_at = (signup.arrived_at or utcnow()) if arrived else None
    signup.no_show = not arrived
    session.flush()


def qr_svg(url: str) -> Markup:
    """The check-in link as an inline SVG QR code."""
    svg = segno.make(url, error="m").svg_inline(
        scale=6, border=2, omitsize=True, title="Check-in QR code"
    )
    return Markup(svg)  # noqa: S704  (segno's own SVG of our URL)
