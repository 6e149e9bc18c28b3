"""Reading, editing and deleting notes after they are stored."""

from __future__ import annotations

import functools
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, Select, bindparam, inspect, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.capture.models import Note, NoteType, Photo
from app.capture.schema import (
    FIELDS,
    Choices,
    Duration,
    Flag,
    Moments,
    Scale,
    clean_fields,
    shared_copy,
)
from app.db import DbSession, utcnow
from app.errors import Conflict, DomainError, NotAllowed, NotFound
from app.programmes.models import Activity
from app.programmes.services import can_manage
from app.signups.models import Signup, SignupStatus
from app.timefmt import zone


def can_see_original(note: Note, user: User) -> bool:
    """The author and the programme's organisers see contact details; everyone else, redacted."""
    return note.author_id == user.id or can_manage(note.activity.programme, user)


def get_note(session: DbSession, note_id: int, *, user: User) -> Note:
    note = session.get(
        Note, note_id, options=[joinedload(Note.activity).joinedload(Activity.programme)]
    )
    if note is None or note.deleted_at is not None or not can_see_original(note, user):
        raise NotFound("There is no such note.")
    return note


def get_photo(session: DbSession, photo_id: int, *, user: User) -> Photo:
    """A photo, for those who may see its note (the note's own access rule)."""
    photo = session.get(Photo, photo_id)
    if photo is None:
        raise NotFound("There is no such photo.")
    get_note(session, photo.note_id, user=user)
    return photo


def my_notes(session: DbSession, user: User) -> list[Note]:
    return list(
        session.scalars(
            select(Note)
            .options(
                joinedload(Note.activity).joinedload(Activity.programme),
                selectinload(Note.photos),
            )
            .where(Note.author_id == user.id, Note.deleted_at.is_(None))
            .order_by(Note.created_at.desc())
        )
    )


def capture_slots(session: DbSession, user: User, now: datetime) -> list[Activity]:
    """The slots a person can write notes for, the one happening now (or last begun) first."""
    slots = list(
        session.scalars(
            select(Activity)
            .join(Signup, Signup.activity_id == Activity.id)
            .options(joinedload(Activity.programme))
            .where(
                Signup.user_id == user.id,
                Signup.status == SignupStatus.CONFIRMED,
                Activity.cancelled_at.is_(None),
            )
            .order_by(Activity.starts_at)
        )
    )
    begun = [a for a in slots if a.starts_at <= now]
    first = begun[-1] if begun else (slots[0] if slots else None)
    return [first, *(a for a in slots if a is not first)] if first else []


@functools.cache
def _recent_tags_query() -> Select[tuple[Any]]:
    """Built once per process: every note's form asks, and building it cost more than running
    it. Only the tags are read out of each note's fields: decoding 500 whole notes was most of
    the time of a note's form."""
    return (
        select(Note.fields["tags"])
        .join(Note.activity)
        .where(
            Activity.programme_id == bindparam("programme_id", type_=Integer),
            Note.deleted_at.is_(None),
        )
        .order_by(Note.id.desc())
        .limit(500)
    )


def programme_tags(session: DbSession, programme_id: int, *, most: int = 24) -> list[str]:
    """The tags most used in a programme's recent notes, to pick from instead of retyping."""
    recent = session.scalars(_recent_tags_query(), {"programme_id": programme_id})
    counts = Counter(tag for tags in recent if isinstance(tags, list) for tag in tags)
    return sorted(tag for tag, _ in counts.most_common(most))


def stamped(
    fields: dict[str, Any], activity: Activity, saved_at: datetime, before: str | None = None
) -> dict[str, Any]:
    """The fields with when the note was observed, in UTC: as typed (a time without an
    offset is the programme's local time), else as stamped before, else when the phone saved
    it, or the slot's start for a note written after the slot."""
    typed = fields.get("observed_at")
    if typed:
        at = datetime.fromisoformat(typed)
        if at.tzinfo is None:
            at = at.replace(tzinfo=zone(activity.programme.timezone))
        return {**fields, "observed_at": at.astimezone(UTC).isoformat()}
    if before:
        return {**fields, "observed_at": before}
    at = saved_at if saved_at <= activity.ends_at else activity.starts_at
    return {**fields, "observed_at": at.astimezone(UTC).isoformat()}


def update_note(
    session: DbSession, note: Note, fields: Any, *, base_version: Any, user: User
) -> Note:
    """An edit from the author, based on the version they last saw; 409 if it changed since."""
    if note.author_id != user.id:
        raise NotAllowed("Only the author can edit a note.")
    if note.locked_at is not None:
        raise Conflict("This note is locked: its debrief has been published.")
    if base_version != note.version:
        raise Conflict(
            f"This note changed since you opened it (now version {note.version}). "
            "Reload it and make your change again."
        )
    clean, errors = clean_fields(note.type, fields)
    if errors:
        raise DomainError("; ".join(f"{k} {v}" for k, v in sorted(errors.items())), field="fields")
    now = utcnow()
    note.fields = stamped(clean, note.activity, now, note.fields.get("observed_at"))
    note.client_updated_at = now
    note.version += 1
    session.flush()
    return note


def delete_note(session: DbSession, note: Note, *, user: User) -> None:
    if note.author_id != user.id:
        raise NotAllowed("Only the author can delete a note.")
    if note.locked_at is not None:
        raise Conflict("This note is locked: its debrief has been published.")
    note.deleted_at = utcnow()
    session.flush()


def _shared(note: Note) -> tuple[dict[str, Any], list[str]]:
    """The note's shared copy as saved, or worked out now for fields changed but not saved."""
    shared, kinds = note.shared_fields, note.contacts_found
    if shared is None or kinds is None or inspect(note).attrs.fields.history.has_changes():
        return shared_copy(note.type, note.fields)
    return shared, kinds


def contacts_in(note: Note) -> list[str]:
    """The kinds of contact details found in a note's free text."""
    return _shared(note)[1]


def redacted_fields(note: Note) -> dict[str, Any]:
    """The note's fields as everyone but the author and organisers sees them."""
    return _shared(note)[0]


#: What each field is called when a note is read back (its page, the debrief PDF).
FIELD_LABELS = {
    "customer": "The customer",
    "channel": "Channel",
    "place": "Where",
    "did": "What they did",
    "said": "What they said",
    "asked": "What I asked",
    "answered": "What they answered",
    "needs": "Needs",
    "pain_points": "Pain points",
    "delights": "Delights",
    "surprised": "What surprised me",
    "labels": "What I noticed",
    "mood": "Their mood",
    "consent": "The customer agreed to answer",
    "reason": "Reason for the call",
    "customer_type": "Type of customer",
    "duration": "How long the call lasted",
    "moments": "Moments of the call",
    "effort": "Customer effort",
    "mood_start": "Mood at the start",
    "mood_end": "Mood at the end",
    "resolved_first_contact": "Resolved on first contact",
    "root_cause": "Root cause",
    "do_better": "What we could do better",
    "task_answer": "Answer to the task",
    "tags": "Tags",
}
#: What the ends of each scale mean.
SCALE_ENDS = {
    "mood": ("unhappy", "delighted"),
    "effort": ("very easy", "very hard"),
    "mood_start": ("angry", "happy"),
    "mood_end": ("angry", "happy"),
}
NOTICED = {
    "surprise": "A surprise",
    "workaround": "A workaround",
    "roadblock": "A roadblock",
    "own_words": "Their own words for things",
}


def _moment(moment: dict[str, Any]) -> str:
    """`02:15 · What happened: … · Their words: “…”`, leaving out what is empty."""
    parts = [f"{moment['at'] // 60:02d}:{moment['at'] % 60:02d}"]
    if moment["what"]:
        parts.append(f"What happened: {moment['what']}")
    if moment["words"]:
        parts.append(f"Their words: “{moment['words']}”")
    return " · ".join(parts)


def _length(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "", f"{seconds} s"]
    return " ".join(p for p in parts if p and (p != "0 s" or not (hours or minutes)))


def note_details(note_type: NoteType, fields: dict[str, Any]) -> list[tuple[str, str | list[str]]]:
    """A note's fields in the form's order and words: no field names, no True or False, and
    what a scale's number means."""
    details: list[tuple[str, str | list[str]]] = []
    for name, spec in FIELDS[note_type].items():
        value = fields.get(name)
        if value in (None, "", []) or name == "observed_at":
            continue
        label = FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
        if isinstance(spec, Flag):
            details.append((label, "Yes" if value else "No"))
        elif isinstance(spec, Scale):
            low, high = SCALE_ENDS.get(name, ("low", "high"))
            meaning = f"{spec.low} = {low}, {spec.high} = {high}"
            details.append((label, f"{value} of {spec.high} ({meaning})"))
        elif isinstance(spec, Choices):
            details.append((label, [NOTICED.get(v, v) for v in value]))
        elif isinstance(spec, Moments):
            details.append((label, [_moment(m) for m in value]))
        elif isinstance(spec, Duration):
            details.append((label, _length(value)))
        else:
            details.append((label, value))
    return details


def note_json(note: Note, *, viewer: User) -> dict[str, Any]:
    original = can_see_original(note, viewer)
    return {
        "id": note.id,
        "client_id": note.client_id,
        "type": str(note.type),
        "activity_id": note.activity_id,
        "task_id": note.task_id,
        "version": note.version,
        "fields": note.fields if original else redacted_fields(note),
        "contacts_found": contacts_in(note),
        "observed_at": note.observed_at.isoformat(),
        "updated_at": note.client_updated_at.isoformat(),
        "locked": note.locked_at is not None,
        "photos": [photo_json(p) for p in note.photos],
    }


def photo_json(photo: Photo) -> dict[str, Any]:
    return {
        "id": photo.id,
        "client_id": photo.client_id,
        "note_id": photo.note_id,
        "width": photo.width,
        "height": photo.height,
        "shows_person": photo.shows_person,
        "url": f"/api/v1/photos/{photo.id}",
        "thumb_url": f"/api/v1/photos/{photo.id}?size=thumb",
    }
