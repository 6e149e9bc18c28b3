"""A webhook (where to post, which events, its secret), the messages for it and each attempt."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db

EVENTS = ("insight.published", "action.created", "action.updated", "action.overdue")
TEST_EVENT = "webhook.test"


class MessageStatus(StrEnum):
    PENDING = "pending"  #: waiting for its first or next attempt
    DELIVERED = "delivered"
    FAILED = "failed"  #: every attempt failed, or the webhook went away


class Webhook(db.Model):  # type: ignore[name-defined]
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    #: The events it receives, space-separated (from EVENTS).
    events: Mapped[str] = mapped_column(String(200))
    #: Standard Webhooks secret, "whsec_" + base64 of random bytes; kept to sign every delivery.
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    messages: Mapped[list[WebhookMessage]] = relationship(
        back_populates="webhook", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def event_list(self) -> list[str]:
        return self.events.split()


class WebhookMessage(db.Model):  # type: ignore[name-defined]
    """One event for one webhook; retried until delivered or out of attempts."""

    __tablename__ = "webhook_messages"
    __table_args__ = (UniqueConstraint("webhook_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    #: The `webhook-id` header: the same on every retry, so receivers can drop duplicates.
    msg_id: Mapped[str] = mapped_column(String(40), unique=True)
    #: What makes the event once-only for this webhook (an overdue action: its id and due date).
    key: Mapped[str] = mapped_column(String(100))
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  #: the JSON body, signed as sent
    status: Mapped[MessageStatus] = mapped_column(String(20), default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    webhook: Mapped[Webhook] = relationship(back_populates="messages")


class WebhookAttempt(db.Model):  # type: ignore[name-defined]
    """One try at delivering a message: the delivery log."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_messages.id", ondelete="CASCADE"), index=True
    )
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]  #: 1 for the first try
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_ms: Mapped[int] = mapped_column(default=0)
    status_code: Mapped[int | None]  #: the receiver's HTTP status, if it answered
    error: Mapped[str] = mapped_column(String(300), default="")  #: why it failed, else ""

    message: Mapped[WebhookMessage] = relationship()
