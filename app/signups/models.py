"""Signup: one person on one slot, confirmed or waiting."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.programmes.models import Activity


class SignupStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Signup(db.Model):  # type: ignore[name-defined]
    __tablename__ = "signups"
    __table_args__ = (
        UniqueConstraint("activity_id", "user_id"),
        Index("ix_signups_activity_status_queued", "activity_id", "status", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[SignupStatus] = mapped_column(String(20))
    #: When the person joined (or re-joined) this slot; orders the waitlist.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Checked in on the day (by code, QR or "I'm here"), or marked by an organiser.
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Marked by an organiser when the person did not come.
    no_show: Mapped[bool] = mapped_column(default=False)

    activity: Mapped[Activity] = relationship(back_populates="signups")
    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status != SignupStatus.CANCELLED
