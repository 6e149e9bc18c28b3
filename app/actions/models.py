"""Progress on an action: its owner's short notes, each with the status it set."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
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
