"""Idempotent upload of notes from phones: one result per item, good items kept beside bad ones.

A note is identified by the client id the phone gave it. Sending it again never makes a second
note: a unique constraint on client_id decides, not a prior look-up, so two uploads racing each
other still store one note.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.briefings.models import Task
from app.briefings.services import require_briefing
from app.capture.models import Note, NoteType
from app.capture.schema import clean_fields
from app.capture.services import stamped
from app.db import DbSession, is_id, utcnow
from app.errors import DomainError
from app.programmes.models import Activity
from app.programmes.services import can_view
from app.signups.models import Signup, SignupStatus
from app.timefmt import YEARS

MAX_BATCH = 100


@dataclass
class Result:
    client_id: str
    status: str  #: created, updated, unchanged or rejected
    id: int | None = None
    version: int | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "status": self.status,
            "id": self.id,
            "version": self.version,
            "errors": self.errors,
        }


class Rejected(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _client_id(item: dict[str, Any]) -> str:
    raw = item.get("client_id")
    try:
        return str(uuid.UUID(str(raw))) if isinstance(raw, str) else ""
    except ValueError:
        return ""


def _when(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise Rejected({"updated_at": "must be an ISO 8601 time with a time-zone offset"})
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        raise Rejected({"updated_at": f"must be between the years {YEARS[0]} and {YEARS[1]}"})
    return parsed


def _slot(session: DbSession, activity_id: Any, user: User) -> Activity:
    """The slot a note belongs to: the author must hold a confirmed place on it."""
    activity = session.get(Activity, activity_id) if is_id(activity_id) else None
    if activity is None or not can_view(activity.programme, user):
        raise Rejected({"activity_id": "There is no such activity slot."})
    held = session.scalar(
        select(Signup.id).where(
            Signup.activity_id == activity.id,
            Signup.user_id == user.id,
            Signup.status == SignupStatus.CONFIRMED,
        )
    )
    if held is None:
        raise Rejected({"activity_id": "You do not have a confirmed place on this slot."})
    try:
        require_briefing(session, activity.programme, user)
    except DomainError as err:
        raise Rejected({"briefing": err.message}) from err
    return activity


def _task_id(session: DbSession, task_id: Any, activity: Activity) -> int | None:
    """The task a note answers, if it is one of the slot's programme; anything else is dropped."""
    task = session.get(Task, task_id) if is_id(task_id) else None
    return task.id if task is not None and task.programme_id == activity.programme_id else None


def save_item(
    session: DbSession, item: Any, *, user: User, slots: dict[int, Activity] | None = None
) -> Result:
    """Store one note from a phone, or say why not. `slots` holds the slots this person was
    already let write on in this batch, so that a batch of 50 notes on one slot checks the place
    and the briefing once, not 50 times."""
    client_id = _client_id(item) if isinstance(item, dict) else ""
    if not client_id:
        return Result(
            str(item.get("client_id", ""))[:36] if isinstance(item, dict) else "",
            "rejected",
            errors={"client_id": "must be a UUID made on the phone"},
        )
    try:
        existing = session.scalar(select(Note).where(Note.client_id == client_id))
        if existing is not None:
            return _update(session, existing, item, *_read(item), user=user)
        note = _new_note(session, client_id, item, user=user, slots={} if slots is None else slots)
        return _create(session, note, item, user=user)
    except Rejected as rejected:
        return Result(client_id, "rejected", errors=rejected.errors)


def _read(item: Any) -> tuple[NoteType, dict[str, Any], datetime]:
    """The item's type, clean fields and time, or why not."""
    try:
        note_type = NoteType(item.get("type"))
    except ValueError as err:
        raise Rejected({"type": "must be observation or call_note"}) from err
    updated_at = _when(item.get("updated_at"))
    fields, errors = clean_fields(note_type, item.get("fields"))
    if errors:
        raise Rejected(errors)
    return note_type, fields, updated_at


def _new_note(
    session: DbSession,
    client_id: str,
    item: dict[str, Any],
    *,
    user: User,
    slots: dict[int, Activity],
) -> Note:
    """A new note from the item, not yet added, once its author may write on its slot."""
    note_type, fields, updated_at = _read(item)
    activity_id: Any = item.get("activity_id")
    activity = slots.get(activity_id) if is_id(activity_id) else None
    if activity is None:
        activity = _slot(session, activity_id, user)
        slots[activity.id] = activity
    return Note(
        client_id=client_id,
        author_id=user.id,
        activity_id=activity.id,
        type=note_type,
        fields=stamped(fields, activity, updated_at),
        client_updated_at=updated_at,
        task_id=_task_id(session, item.get("task_id"), activity),
    )


def _create(session: DbSession, note: Note, item: dict[str, Any], *, user: User) -> Result:
    try:
        with session.begin_nested():
            session.add(note)
    except IntegrityError:
        # The same note arrived twice at the same moment: the other upload stored it.
        existing = session.scalar(select(Note).where(Note.client_id == note.client_id))
        if existing is None:
            raise
        return _update(session, existing, item, *_read(item), user=user)
    return Result(note.client_id, "created", note.id, note.version)


def _update(
    session: DbSession,
    note: Note,
    item: dict[str, Any],
    note_type: NoteType,
    fields: dict[str, Any],
    updated_at: datetime,
    *,
    user: User,
) -> Result:
    if note.author_id != user.id:
        raise Rejected({"client_id": "This note belongs to someone else."})
    fields = stamped(fields, note.activity, updated_at, note.fields.get("observed_at"))
    same = (
        note.fields == fields
        and note.type == note_type
        and note.activity_id == item.get("activity_id")
    )
    if same or updated_at <= note.client_updated_at:
        # A resend, or an older copy arriving late: the stored note stays as it is. A resend
        # still moves the clock on, so an older edit arriving after it cannot win.
        note.client_updated_at = max(note.client_updated_at, updated_at)
        return Result(note.client_id, "unchanged", note.id, note.version)
    if note.deleted_at is not None:
        raise Rejected({"client_id": "This note was deleted."})
    if note.locked_at is not None:
        raise Rejected({"client_id": "This note is locked: its debrief has been published."})
    if note.activity_id != item.get("activity_id"):
        note.activity_id = _slot(session, item.get("activity_id"), user).id
    note.type, note.fields, note.client_updated_at = note_type, fields, updated_at
    note.version += 1
    note.updated_at = utcnow()
    session.flush()
    return Result(note.client_id, "updated", note.id, note.version)


def sync(session: DbSession, items: Any, *, user: User) -> list[Result]:
    """Store a batch from a phone; each item succeeds or fails on its own.

    The notes new to the server, the usual case, are inserted together in one flush: one at a
    time, each in its own savepoint, the inserts were most of a batch's time. Anything else (a
    resend, an edit, the same note twice in the batch, a race lost to another upload) goes one
    item at a time, as save_item says."""
    if not isinstance(items, list):
        raise DomainError('Send {"items": [...]}, a list of notes.')
    if len(items) > MAX_BATCH:
        raise DomainError(f"Send at most {MAX_BATCH} notes at a time.")
    slots: dict[int, Activity] = {}  # checked once per batch: one request, one transaction
    results: list[Result | None] = [None] * len(items)
    fresh = _fresh(session, items, results, user=user, slots=slots)
    if fresh:
        try:
            with session.begin_nested():
                session.add_all(fresh.values())
        except IntegrityError:
            fresh = {}  # another upload stored some of them meanwhile: one at a time below
    for index, note in fresh.items():
        results[index] = Result(note.client_id, "created", note.id, note.version)
    done: list[Result] = []
    for index, item in enumerate(items):
        if (result := results[index]) is None:
            with session.begin_nested():
                result = save_item(session, item, user=user, slots=slots)
        done.append(result)
    return done


def _fresh(
    session: DbSession,
    items: list[Any],
    results: list[Result | None],
    *,
    user: User,
    slots: dict[int, Activity],
) -> dict[int, Note]:
    """Index -> new note, for the items whose client id the server has not seen (the first
    of each); an item refused here gets its result."""
    ids = {
        i: cid
        for i, item in enumerate(items)
        if isinstance(item, dict) and (cid := _client_id(item))
    }
    known = set(
        session.scalars(select(Note.client_id).where(Note.client_id.in_(set(ids.values()))))
    )
    fresh: dict[int, Note] = {}
    for index, client_id in ids.items():
        if client_id in known:
            continue
        known.add(client_id)  # a second copy in the batch is an update of the first
        try:
            fresh[index] = _new_note(session, client_id, items[index], user=user, slots=slots)
        except Rejected as rejected:
            results[index] = Result(client_id, "rejected", errors=rejected.errors)
    return fresh
