"""Programme and Activity (a slot inside a programme)."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.signups.models import Signup

#: Check-in opens this long before a slot starts (and closes when it ends).
CHECK_IN_EARLY = timedelta(minutes=30)


class ProgrammeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    IN_FIELD = "in_field"  #: sign-up closed, people are out
    DEBRIEFED = "debriefed"
    ARCHIVED = "archived"


class ActivityKind(StrEnum):
    CALL_LISTENING = "call_listening"
    GROUP_DISCUSSION = "group_discussion"
    IN_DEPTH_INTERVIEW = "in_depth_interview"
    DEMONSTRATOR_VISIT = "demonstrator_visit"
    BEHIND_THE_COUNTER = "behind_the_counter"
    SHOPPER_INTERVIEW = "shopper_interview"
    CUSTOMER_OBSERVATION = "customer_observation"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    ActivityKind.CALL_LISTENING: "Listening in to service-centre calls",
    ActivityKind.GROUP_DISCUSSION: "Watching a group discussion",
    ActivityKind.IN_DEPTH_INTERVIEW: "Watching an in-depth interview",
    ActivityKind.DEMONSTRATOR_VISIT: "Accompanying demonstrators in a retail outlet",
    ActivityKind.BEHIND_THE_COUNTER: "Working behind the counter in our own outlet",
    ActivityKind.SHOPPER_INTERVIEW: "Interviewing customers as they shop or use the product",
    ActivityKind.CUSTOMER_OBSERVATION: "Observing customers as they shop or use the product",
}

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to mistype


def new_checkin_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


programme_organisers = Table(
    "programme_organisers",
    db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Programme(db.Model):  # type: ignore[name-defined]
    __tablename__ = "programmes"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint("signup_closes_at > signup_opens_at", name="signup_window_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    customer_question: Mapped[str] = mapped_column(String(500), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64))  #: IANA name; times are shown in it
    signup_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signup_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ProgrammeStatus] = mapped_column(String(20), default=ProgrammeStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: The earlier programme this one follows on from: its open actions are shown here.
    follows_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="SET NULL"), index=True
    )

    organisers: Mapped[list[User]] = relationship(secondary=programme_organisers)
    activities: Mapped[list[Activity]] = relationship(
        back_populates="programme", order_by="Activity.starts_at", cascade="all, delete-orphan"
    )

    def signup_is_open(self, now: datetime) -> bool:
        return (
            self.status == ProgrammeStatus.PUBLISHED
            and self.signup_opens_at <= now < self.signup_closes_at
        )


class Activity(db.Model):  # type: ignore[name-defined]
    """A slot: one kind of field activity at one place and time, with a capacity."""

    __tablename__ = "activities"
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
    kind: Mapped[ActivityKind] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(300), default="")  #: store, call centre, address
    online_url: Mapped[str] = mapped_column(String(500), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int]
    #: Confirmed sign-ups, kept by a conditional UPDATE so capacity holds under concurrency.
    seats_taken: Mapped[int] = mapped_column(default=0)
    host: Mapped[str] = mapped_column(String(200), default="")
    what_to_bring: Mapped[str] = mapped_column(String(1000), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Typed or scanned (as a QR code) on arrival to check in.
    checkin_code: Mapped[str] = mapped_column(String(12), default=lambda: new_checkin_code())

    programme: Mapped[Programme] = relationship(back_populates="activities")
    signups: Mapped[list[Signup]] = relationship(
        back_populates="activity", cascade="all, delete-orphan"
    )

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def has_started(self) -> bool:
        """Started or over: for the people on it, what happened is on record, not to change."""
        return self.starts_at <= utcnow()

    @property
    def is_happening(self) -> bool:
        """Under way now: the only time a page may say "now"."""
        return self.starts_at <= utcnow() < self.ends_at

    @property
    def phase(self) -> str:
        """upcoming, now or past."""
        return "now" if self.is_happening else ("past" if self.has_started else "upcoming")

    @property
    def checkin_opens_at(self) -> datetime:
        return self.starts_at - CHECK_IN_EARLY

    @property
    def checkin_open(self) -> bool:
        return self.checkin_opens_at <= utcnow() <= self.ends_at

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def kind_label(self) -> str:
        return ActivityKind(self.kind).label
