"""The readiness board: per slot, who has read the briefing, attended a session, has a task."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.briefings.models import BriefingAcknowledgement, BriefingSession, BriefingSignup, Task
from app.briefings.services import get_pack, sessions_of
from app.briefings.tasks import programme_tasks, tasks_for_slot
from app.db import DbSession
from app.mail import external_url, queue_mail
from app.programmes.models import Activity, Programme
from app.programmes.services import list_activities, require_manager
from app.signups.models import Signup, SignupStatus


@dataclass
class PersonReadiness:
    signup: Signup
    acknowledged: bool
    attended: bool
    has_task: bool

    @property
    def user(self) -> User:
        return self.signup.user


@dataclass
class Readiness:
    slots: list[tuple[Activity, list[PersonReadiness]]]
    has_sessions: bool

    def not_ready(self) -> list[PersonReadiness]:
        """People missing the acknowledgement, or a session when the programme holds some."""
        seen: dict[int, PersonReadiness] = {}
        for _, people in self.slots:
            for p in people:
                if not p.acknowledged or (self.has_sessions and not p.attended):
                    seen.setdefault(p.user.id, p)
        return list(seen.values())


def readiness(session: DbSession, programme: Programme, *, by: User) -> Readiness:
    """The board; a fixed number of queries however many slots and people."""
    require_manager(programme, by)
    activities = [a for a in list_activities(session, programme) if not a.is_cancelled]
    signups = session.scalars(
        select(Signup)
        .options(selectinload(Signup.user))
        .join(Signup.activity)
        .where(Activity.programme_id == programme.id, Signup.status == SignupStatus.CONFIRMED)
        .order_by(Signup.queued_at)
    ).all()
    acknowledged = set(
        session.scalars(
            select(BriefingAcknowledgement.user_id).where(
                BriefingAcknowledgement.programme_id == programme.id
            )
        )
    )
    attended = set(
        session.scalars(
            select(BriefingSignup.user_id)
            .join(BriefingSignup.briefing)
            .where(
                BriefingSession.programme_id == programme.id,
                BriefingSignup.attended_at.is_not(None),
            )
        )
    )
    tasks = [t for t in programme_tasks(session, programme, by=by) if t.retired_at is None]
    by_slot: dict[int, list[PersonReadiness]] = {a.id: [] for a in activities}
    for s in signups:
        if s.activity_id in by_slot:
            by_slot[s.activity_id].append(
                PersonReadiness(
                    signup=s,
                    acknowledged=s.user_id in acknowledged,
                    attended=s.user_id in attended,
                    has_task=_has_task(tasks, s),
                )
            )
    # Whether a session counts is the organisers' choice (see BriefingStatus.needs_session).
    needs_session = get_pack(session, programme).session_required
    return Readiness(
        slots=[(a, by_slot[a.id]) for a in activities],
        has_sessions=needs_session and bool(sessions_of(session, programme)),
    )


def _has_task(tasks: list[Task], signup: Signup) -> bool:
    relevant = tasks_for_slot(tasks, signup.activity)
    return any(
        t.scope != "people" or any(u.id == signup.user_id for u in t.assignees) for t in relevant
    )


def send_reminders(session: DbSession, programme: Programme, *, by: User) -> int:
    """Mail everyone on a slot who has not finished the briefing; returns how many."""
    board = readiness(session, programme, by=by)
    link = external_url("briefings.show", programme_id=programme.id)
    people = board.not_ready()
    for p in people:
        todo = [] if p.acknowledged else ["read the briefing pack and tick “I have read it”"]
        if board.has_sessions and not p.attended:
            todo.append("attend a briefing session (book one on the same page)")
        queue_mail(
            session,
            to=p.user.email,
            subject=f"Before you go out: your briefing for {programme.title}",
            body=f"Hello {p.user.name},\n\nBefore your slot, please "
            + " and ".join(todo)
            + f":\n{link}\n",
        )
    return len(people)
