"""Digests sent: one row per person and period, the record that makes sending idempotent."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, utcnow
from app.extensions import db


class Frequency(StrEnum):
    WEEKLY = "weekly"
    DAILY = "daily"
    OFF = "off"


class DigestSent(db.Model):  # type: ignore[name-defined]
    """A digest claimed for a person and period. The unique pair is what stops a second run,
    or a run at the same moment, from sending it again: the row is inserted before the mail
    goes, and only the run whose insert went in sends."""

    __tablename__ = "digests_sent"
    __table_args__ = (UniqueConstraint("user_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: "2026-W49" for a weekly digest, "2026-12-03" for a daily one (UTC).
    period: Mapped[str] = mapped_column(String(12))
    #: What it covered: insights published after `since`, up to `until`.
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    insights: Mapped[int] = mapped_column(default=0)
    actions: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
