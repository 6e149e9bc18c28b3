"""A note from the field: an observation or a call-listening note, keyed by the phone's id."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, event
from sqlalchemy.orm import Mapped, Mapper, attributes, mapped_column, relationship

from app.accounts.models import User
from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.programmes.models import Activity


class NoteType(StrEnum):
    OBSERVATION = "observation"
    CALL_NOTE = "call_note"


class Note(db.Model):  # type: ignore[name-defined]
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Made on the phone before the first save; unique, so a resent note is never stored twice.
    #: The sentinel lets SQLite insert a batch of notes in one statement: the ORM matches the
    #: ids returned to the notes by it (SQLite's RETURNING keeps no order of its own).
    client_id: Mapped[str] = mapped_column(String(36), unique=True, insert_sentinel=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    type: Mapped[NoteType] = mapped_column(String(20))
    #: The note's fields, checked against app.capture.schema before they are stored.
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The fields as everyone but the author and organisers sees them, contact details
    #: replaced by markers; worked out when the fields are saved, because redacting on every
    #: view was most of the time of a debrief board. Filled on every save (see _share).
    shared_fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The kinds of contact details found in the fields when they were saved (email, phone…).
    contacts_found: Mapped[list[str] | None] = mapped_column(JSON)
    #: Goes up by one with each stored edit; an edit names the version it was based on.
    version: Mapped[int] = mapped_column(default=1)
    #: When the phone last changed the note (orders edits that arrive late).
    client_updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when a debrief publishes: the note can no longer be edited or deleted.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship()
    activity: Mapped[Activity] = relationship()
    photos: Mapped[list[Photo]] = relationship(
        back_populates="note", order_by="Photo.id", cascade="all, delete-orphan"
    )

    @property
    def observed_at(self) -> datetime:
        """When it happened (stamped when stored; notes from before that: when saved)."""
        stamped = self.fields.get("observed_at")
        return datetime.fromisoformat(stamped) if stamped else self.created_at


@event.listens_for(Note, "before_insert")
@event.listens_for(Note, "before_update")
def _share(mapper: Mapper[Note], connection: Any, note: Note) -> None:
    """Keep the shared copy of a note's fields in step with the fields, whoever saves them."""
    changed = any(attributes.get_history(note, name).has_changes() for name in ("fields", "type"))
    if changed or note.shared_fields is None or note.contacts_found is None:
        from app.capture.schema import shared_copy  # the schema imports this module

        note.shared_fields, note.contacts_found = shared_copy(note.type, note.fields)


class Photo(db.Model):  # type: ignore[name-defined]
    """A photo on a note, re-encoded as JPEG with no EXIF or GPS left in it."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Made on the phone; unique, so a resent photo is stored once.
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    #: Kept in the database so that every web process can serve it (none keeps files of its own).
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    thumb: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    width: Mapped[int]
    height: Mapped[int]
    #: Someone can be recognised in it; such a photo needs their consent.
    shows_person: Mapped[bool] = mapped_column(default=False)
    consent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    note: Mapped[Note] = relationship(back_populates="photos")
