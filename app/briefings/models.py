"""Briefing pack, acknowledgements, briefing sessions and their sign-ups, tasks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.programmes.models import Activity, ActivityKind


class BriefingPack(db.Model):  # type: ignore[name-defined]
    """A programme's briefing pack, in Markdown. Absent until an organiser saves one."""

    __tablename__ = "briefing_packs"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[str] = mapped_column(Text)
    #: Field capture waits until the person has done the briefing.
    required: Mapped[bool] = mapped_column(default=True)
    #: Done means also attending a session (when the programme holds any), not only
    #: acknowledging the pack: the organisers' choice.
    session_required: Mapped[bool] = mapped_column(default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class BriefingAcknowledgement(db.Model):  # type: ignore[name-defined]
    """A person has read the pack and the rules of observation."""

    __tablename__ = "briefing_acknowledgements"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BriefingSession(db.Model):  # type: ignore[name-defined]
    __tablename__ = "briefing_sessions"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"
        ),
        CheckConstraint("ends_at > starts_at", name="times_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attendees: Mapped[list[BriefingSignup]] = relationship(
        back_populates="briefing", cascade="all, delete-orphan"
    )

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


class BriefingSignup(db.Model):  # type: ignore[name-defined]
    __tablename__ = "briefing_signups"
    __table_args__ = (UniqueConstraint("briefing_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(
        ForeignKey("briefing_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set by an organiser taking attendance on the day.
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    briefing: Mapped[BriefingSession] = relationship(back_populates="attendees")
    user: Mapped[User] = relationship()


class TaskScope(StrEnum):
    SLOT = "slot"  #: everyone on one slot
    KIND = "kind"  #: everyone on any slot of one kind in the programme
    PEOPLE = "people"  #: named people


task_assignees = Table(
    "task_assignees",
    db.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Task(db.Model):  # type: ignore[name-defined]
    """A question to answer in the field, for a slot, a kind of activity or named people."""

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(
            "(scope = 'slot' AND activity_id IS NOT NULL) OR (scope = 'kind' AND kind IS NOT NULL)"
            " OR scope = 'people'",
            name="scope_has_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(String(500))
    context: Mapped[str] = mapped_column(Text, default="")
    #: Optional prompts, one per line ("look at the moment they compare prices").
    prompts: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[TaskScope] = mapped_column(String(10))
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str | None] = mapped_column(String(40))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    activity: Mapped[Activity | None] = relationship()
    assignees: Mapped[list[User]] = relationship(secondary=task_assignees)

    @property
    def kind_label(self) -> str:
        return ActivityKind(self.kind).label if self.kind else ""

    @property
    def prompt_list(self) -> list[str]:
        return [line.strip() for line in self.prompts.splitlines() if line.strip()]
