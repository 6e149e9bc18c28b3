"""For you: what each person follows in the library, what they have read, their feed addresses."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, utcnow
from app.extensions import db


class Follow(StrEnum):
    """What a subscription follows: a facet of the library, or a saved search."""

    DEPARTMENT = "department"
    CHANNEL = "channel"
    KIND = "kind"
    TAG = "tag"
    PROGRAMME = "programme"
    SEARCH = "search"


class Subscription(db.Model):  # type: ignore[name-defined]
    __tablename__ = "feed_subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[Follow] = mapped_column(String(12))
    #: The facet value followed; for a saved search, the sha256 of `search` (one of each).
    value: Mapped[str] = mapped_column(String(120))
    #: A saved search: its library query arguments as JSON ({"q": ..., "channel": ...}).
    search: Mapped[str] = mapped_column(Text, default="")
    #: Secret in the Atom address of a saved search; None means no feed.
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedState(db.Model):  # type: ignore[name-defined]
    """A person's feed settings; no row means the defaults, nothing read since they joined."""

    __tablename__ = "feed_states"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    defaults_on: Mapped[bool] = mapped_column(default=True)
    #: Everything published before this is read ("Mark all as read"); None: when they joined.
    read_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Secret in the person's own Atom address; None means no feed.
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Raised on every change of subscriptions, settings or reads: a cached unread count
    #: made before it is stale.
    version: Mapped[int] = mapped_column(default=0)
    #: How often the digest email comes: weekly, daily or off (app.digests.models.Frequency).
    digest: Mapped[str] = mapped_column(String(8), default="weekly", server_default="weekly")
    #: Raised when digests are turned back on: unsubscribe links of older emails stop working.
    digest_epoch: Mapped[int] = mapped_column(default=0, server_default="0")


class FeedRead(db.Model):  # type: ignore[name-defined]
    """One insight a person marked as read."""

    __tablename__ = "feed_reads"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    insight_id: Mapped[int] = mapped_column(
        ForeignKey("insights.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
