"""Action progress notes, actions carried into a later briefing, and loop news."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import UTCDateTime, utcnow
from app.debriefs.models import ActionStatus
from app.extensions import db


class ActionProgress(db.Model):  # type: ignore[name-defined]
    __tablename__ = "action_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[ActionStatus] = mapped_column(String(20))  #: the status after this update
    note: Mapped[str] = mapped_column(Text, default="")  #: contact details removed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class CarriedAction(db.Model):  # type: ignore[name-defined]
    """An earlier programme's action, carried into a programme's briefing ("what we promised")."""

    __tablename__ = "carried_actions"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    action_id: Mapped[int] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    carried_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    carried_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoopNews(db.Model):  # type: ignore[name-defined]
    """One person told that an action answering what they heard is done; once per action."""

    __tablename__ = "loop_news"
    __table_args__ = (UniqueConstraint("user_id", "action_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
