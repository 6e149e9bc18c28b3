"""A debrief: the notes of some slots as cards, grouped into themes, with insights and actions.

Every change to a board raises the debrief's `version` by one, and the thing changed records the
version it was changed in (`changed_in`). A write names the board version it was made on; if the
thing it touches changed after that, someone else got there first and the write is refused
with what they did, instead of silently overwriting it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.util import identity_key

from app.accounts.models import User
from app.capture.models import Note, Photo
from app.db import UTCDateTime, changed_fields, utcnow
from app.extensions import db
from app.programmes.models import Activity, Programme


class DebriefStatus(StrEnum):
    OPEN = "open"
    PUBLISHED = "published"


class ActionStatus(StrEnum):
    OPEN = "open"
    DOING = "doing"
    DONE = "done"


debrief_activities = Table(
    "debrief_activities",
    db.metadata,
    Column("debrief_id", ForeignKey("debriefs.id", ondelete="CASCADE"), primary_key=True),
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
)
debrief_invitees = Table(
    "debrief_invitees",
    db.metadata,
    Column("debrief_id", ForeignKey("debriefs.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)
insight_evidence = Table(
    "insight_evidence",
    db.metadata,
    Column("insight_id", ForeignKey("insights.id", ondelete="CASCADE"), primary_key=True),
    Column("note_id", ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True),
    # The library finds the insights a matching note is evidence of.
    Index("ix_insight_evidence_note_id", "note_id"),
)


class Debrief(db.Model):  # type: ignore[name-defined]
    __tablename__ = "debriefs"
    __table_args__ = (CheckConstraint("votes_per_person >= 1", name="votes_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[DebriefStatus] = mapped_column(String(20), default=DebriefStatus.OPEN)
    #: Raised by one with every change to the board; clients poll it.
    version: Mapped[int] = mapped_column(default=1)
    #: The dots each participant can place on themes.
    votes_per_person: Mapped[int] = mapped_column(default=5)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    programme: Mapped[Programme] = relationship()
    facilitator: Mapped[User | None] = relationship()
    activities: Mapped[list[Activity]] = relationship(
        secondary=debrief_activities, order_by="Activity.starts_at"
    )
    invitees: Mapped[list[User]] = relationship(secondary=debrief_invitees, order_by="User.name")
    themes: Mapped[list[Theme]] = relationship(
        back_populates="debrief", order_by="Theme.position", cascade="all, delete-orphan"
    )
    insights: Mapped[list[Insight]] = relationship(
        back_populates="debrief", order_by="Insight.id", cascade="all, delete-orphan"
    )
    actions: Mapped[list[Action]] = relationship(
        back_populates="debrief", order_by="Action.id", cascade="all, delete-orphan"
    )


class Theme(db.Model):  # type: ignore[name-defined]
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    debrief_id: Mapped[int] = mapped_column(
        ForeignKey("debriefs.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    changed_in: Mapped[int] = mapped_column(default=1)  #: the board version of its last change

    debrief: Mapped[Debrief] = relationship(back_populates="themes")
    votes: Mapped[list[Vote]] = relationship(back_populates="theme", cascade="all, delete-orphan")


class Placement(db.Model):  # type: ignore[name-defined]
    """Where a card (a note) sits on one debrief's board: in a theme, or unsorted."""

    __tablename__ = "placements"
    __table_args__ = (UniqueConstraint("debrief_id", "note_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    debrief_id: Mapped[int] = mapped_column(ForeignKey("debriefs.id", ondelete="CASCADE"))
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL"), index=True
    )
    changed_in: Mapped[int] = mapped_column(default=1)


class Vote(db.Model):  # type: ignore[name-defined]
    """One dot; a person may put several on one theme, up to the debrief's allowance."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    theme: Mapped[Theme] = relationship(back_populates="votes")


class Insight(db.Model):  # type: ignore[name-defined]
    __tablename__ = "insights"

    id: Mapped[int] = mapped_column(primary_key=True)
    debrief_id: Mapped[int] = mapped_column(
        ForeignKey("debriefs.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    statement: Mapped[str] = mapped_column(String(500))
    so_what: Mapped[str] = mapped_column(Text, default="")  #: why it matters, what follows
    changed_in: Mapped[int] = mapped_column(default=1)

    debrief: Mapped[Debrief] = relationship(back_populates="insights")
    evidence: Mapped[list[Note]] = relationship(secondary=insight_evidence, order_by="Note.id")


class Action(db.Model):  # type: ignore[name-defined]
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    debrief_id: Mapped[int] = mapped_column(
        ForeignKey("debriefs.id", ondelete="CASCADE"), index=True
    )
    what: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str] = mapped_column(String(200))  #: a person or a team
    #: The person the owner is, when the typed owner is a person's name or email (or chosen).
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(String(20), default=ActionStatus.OPEN)
    changed_in: Mapped[int] = mapped_column(default=1)
    #: The insight of the same debrief this action answers, if the board says so.
    insight_id: Mapped[int | None] = mapped_column(
        ForeignKey("insights.id", ondelete="SET NULL"), index=True
    )

    debrief: Mapped[Debrief] = relationship(back_populates="actions")
    owner_person: Mapped[User | None] = relationship()
    insight: Mapped[Insight | None] = relationship()


class ReportStatus(StrEnum):
    QUEUED = "queued"
    RENDERING = "rendering"
    DONE = "done"
    FAILED = "failed"


class Report(db.Model):  # type: ignore[name-defined]
    """A rendered PDF of one board version on one paper size; kept until the board changes."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("debrief_id", "board_version", "paper"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    debrief_id: Mapped[int] = mapped_column(ForeignKey("debriefs.id", ondelete="CASCADE"))
    board_version: Mapped[int]
    paper: Mapped[str] = mapped_column(String(10))  #: a4 or letter
    status: Mapped[ReportStatus] = mapped_column(String(20), default=ReportStatus.QUEUED)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pages: Mapped[int | None]
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@event.listens_for(Session, "before_flush")
def _cards_changed(session: Session, _context: Any, _instances: Any) -> None:
    """A change to what a board's cards show moves its version, like any change to the board:
    a note of its slots written, edited, moved or deleted, a photo put on or taken off one, a
    slot renamed or deleted, an author renamed or deleted. The board's page (which asks for the
    version), every holder of its ETag and what is kept by version (the cards, the PDF) then
    see it. Caught here, where every such write goes through."""
    slots, notes, authors = set(), set(), set()
    gone = set(session.deleted)  # a person or slot deleted takes its notes by a cascade
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty, *gone):
            if isinstance(obj, Note) and (obj not in session.dirty or session.is_modified(obj)):
                slots.add(obj.activity_id or (obj.activity and obj.activity.id))
                notes.add(obj.id)  # and the slot the database still has, if it moved
            elif isinstance(obj, Photo):
                notes.add(obj.note.id if obj.note is not None else obj.note_id)
            elif isinstance(obj, Activity) and (
                obj in gone or changed_fields(obj, "title", "kind")
            ):
                slots.add(obj.id)
            elif isinstance(obj, User) and (obj in gone or changed_fields(obj, "name")):
                authors.add(obj.id)
    slots.discard(None)
    notes.discard(None)
    if not (slots or notes or authors):
        return
    slot = debrief_activities.c.activity_id
    covered = (
        slot.in_(slots)
        | slot.in_(select(Note.activity_id).where(Note.id.in_(notes)))
        | slot.in_(select(Note.activity_id).where(Note.author_id.in_(authors)))
    )
    moved = session.connection().execute(
        update(Debrief)
        .where(Debrief.id.in_(select(debrief_activities.c.debrief_id).where(covered)))
        .values(version=Debrief.version + 1)
        .returning(Debrief.id)
    )
    for debrief_id in moved.scalars():
        if (debrief := session.identity_map.get(identity_key(Debrief, debrief_id))) is not None:
            session.expire(debrief, ["version"])
