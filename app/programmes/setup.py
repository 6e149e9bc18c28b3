"""The organisers' setup checklist: slots, briefing, tasks, publish, each done or to do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.accounts.models import User
from app.briefings.models import BriefingPack, BriefingSession, Task, TaskScope
from app.db import DbSession
from app.programmes.models import Activity, Programme, ProgrammeStatus
from app.programmes.services import require_manager


@dataclass(frozen=True)
class SetupStep:
    key: str  #: slots, briefing, tasks or publish
    title: str
    done: bool
    detail: str  #: a count, or why it is still to do
    link_label: str  #: what the link does ("" when there is nothing to do there)
    endpoint: str  #: where it is done; takes programme_id
    anchor: str = ""


@dataclass(frozen=True)
class Checklist:
    steps: list[SetupStep]

    @property
    def done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return self.done == len(self.steps)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _slots_step(slots: list[tuple[int, str, int]]) -> SetupStep:
    if not slots:
        return SetupStep(
            "slots", "Slots", False, "No slots yet.", "Add a slot", "programmes.new_activity"
        )
    places = sum(capacity for _, _, capacity in slots)
    return SetupStep(
        "slots",
        "Slots",
        True,
        f"{_plural(len(slots), 'slot')}, {_plural(places, 'place')}.",
        "Add another slot",
        "programmes.new_activity",
    )


def _briefing_step(pack: BriefingPack | None, sessions: int) -> SetupStep:
    if pack is None:
        return SetupStep(
            "briefing",
            "Briefing",
            False,
            "People see only the built-in rules of observation: say what this programme is about.",
            "Write the briefing pack",
            "briefings.edit_pack",
        )
    held = _plural(sessions, "session") if sessions else "no session"
    need = "" if pack.required else " Not required before going out."
    return SetupStep(
        "briefing",
        "Briefing",
        True,
        f"Pack written, {held} scheduled.{need}",
        "See the briefing",
        "briefings.show",
    )


def _tasks_step(
    slots: list[tuple[int, str, int]], tasks: list[tuple[str, int | None, str | None]]
) -> SetupStep:
    # A slot is covered by a task for that slot or for its kind; tasks for named people
    # count in the total but answer for nobody else on the slot.
    covered_slots = {activity_id for scope, activity_id, _ in tasks if scope == TaskScope.SLOT}
    covered_kinds = {kind for scope, _, kind in tasks if scope == TaskScope.KIND}
    bare = [i for i, kind, _ in slots if i not in covered_slots and kind not in covered_kinds]
    if not tasks:
        return SetupStep(
            "tasks",
            "Tasks",
            False,
            "No tasks yet: give people a question to answer in the field.",
            "Set a task",
            "briefings.new_task",
        )
    if bare:
        return SetupStep(
            "tasks",
            "Tasks",
            False,
            f"{_plural(len(tasks), 'task')}; {len(bare)} of {_plural(len(slots), 'slot')} "
            "without one.",
            "Set a task",
            "briefings.new_task",
        )
    every = ", one for every slot" if slots else ""
    return SetupStep(
        "tasks",
        "Tasks",
        True,
        f"{_plural(len(tasks), 'task')}{every}.",
        "See the tasks",
        "briefings.programme_tasks",
    )


PUBLISHED_DETAIL = {
    ProgrammeStatus.PUBLISHED: "Published: people can sign up.",
    ProgrammeStatus.IN_FIELD: "Sign-up closed: people are in the field.",
    ProgrammeStatus.DEBRIEFED: "Debriefed.",
    ProgrammeStatus.ARCHIVED: "Archived.",
}


def _publish_step(programme: Programme) -> SetupStep:
    if programme.status == ProgrammeStatus.DRAFT:
        return SetupStep(
            "publish",
            "Publish",
            False,
            "Draft: only organisers can see it.",
            "Publish",
            "programmes.show",
            "status",
        )
    return SetupStep(
        "publish", "Publish", True, PUBLISHED_DETAIL[programme.status], "", "programmes.show"
    )


def setup_checklist(session: DbSession, programme: Programme, *, by: User) -> Checklist:
    """Where the programme's setup stands, in four queries however many slots and tasks."""
    require_manager(programme, by)
    slots = [
        (row.id, row.kind, row.capacity)
        for row in session.execute(
            select(Activity.id, Activity.kind, Activity.capacity).where(
                Activity.programme_id == programme.id, Activity.cancelled_at.is_(None)
            )
        )
    ]
    pack = session.scalar(select(BriefingPack).where(BriefingPack.programme_id == programme.id))
    sessions = session.scalar(
        select(func.count()).where(
            BriefingSession.programme_id == programme.id, BriefingSession.cancelled_at.is_(None)
        )
    )
    tasks = [
        (row.scope, row.activity_id, row.kind)
        for row in session.execute(
            select(Task.scope, Task.activity_id, Task.kind).where(
                Task.programme_id == programme.id, Task.retired_at.is_(None)
            )
        )
    ]
    return Checklist(
        [
            _slots_step(slots),
            _briefing_step(pack, sessions or 0),
            _tasks_step(slots, tasks),
            _publish_step(programme),
        ]
    )
