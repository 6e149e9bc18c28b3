"""A programme whose people went out and wrote notes, ready to debrief."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

import pytest

from app.accounts.models import Role, User
from app.briefings.services import acknowledge
from app.capture.models import Note
from app.capture.photos import attach_photo, prepare
from app.capture.sync import sync
from app.db import utcnow
from app.debriefs.models import Debrief
from app.debriefs.services import DebriefInput, create_debrief
from app.extensions import db
from app.programmes.models import Activity, ActivityKind, Programme
from app.signups.services import sign_up
from tests.factories import jpeg_bytes, make_activity, make_programme, make_user


@dataclass
class Field:
    programme: Programme
    organiser: User
    facilitator: User
    people: list[User]
    slots: list[Activity]
    notes: list[Note]

    def open_debrief(self, by: User | None = None, **changes: object) -> Debrief:
        data = DebriefInput(title="Debrief: closeness week", starts_at=utcnow(), location="Room 4")
        for name, value in changes.items():
            setattr(data, name, value)
        return create_debrief(db.session, self.programme, data, by=by or self.facilitator)


OBSERVATIONS = [
    {
        "customer": "woman, 30s, with a pram",
        "did": "Compared two boxes, put the big one back",
        "said": ["Why is the big one dearer per gram?", "Call me on 07700 900123"],
        "task_answer": "The unit price is hidden",
        "tags": ["price", "shelf"],
    },
    {
        "customer": "man, 60s",
        "did": "Asked staff where the lift is",
        "said": ["I can't carry this up the stairs"],
        "task_answer": "Staff said to write to lifts@example.com",
        "tags": ["access"],
    },
]
CALL = {
    "reason": "Parcel not delivered",
    "customer_type": "new customer",
    "moments": [{"at": 65, "what": "Asks for a refund", "words": "I want my money back"}],
    "effort": 6,
    "tags": ["delivery"],
}


def write_note(person: User, slot: Activity, fields: dict, kind: str = "observation") -> Note:  # type: ignore[type-arg]
    item = {
        "client_id": str(uuid.uuid4()),
        "type": kind,
        "activity_id": slot.id,
        "fields": fields,
        "updated_at": "2030-01-01T10:00:00+00:00",
    }
    [result] = sync(db.session, [item], user=person)
    assert result.status == "created", result.errors
    return db.session.get_one(Note, result.id)


@pytest.fixture
def fieldwork() -> Field:
    organiser = make_user(Role.ORGANISER, name="Olu Organiser")
    programme = make_programme(organiser, title="Closeness week")
    shop = make_activity(programme, kind=ActivityKind.CUSTOMER_OBSERVATION, title="Watch the shelf")
    calls = make_activity(programme, day=1, kind=ActivityKind.CALL_LISTENING, title="Calls in Lyon")
    people = [make_user(name=f"Person {n}") for n in range(3)]
    for person, slot in zip(people, (shop, shop, calls), strict=True):
        sign_up(db.session, slot, user=person)
        acknowledge(db.session, programme, user=person)
    notes = [
        write_note(people[0], shop, OBSERVATIONS[0]),
        write_note(people[1], shop, OBSERVATIONS[1]),
        write_note(people[2], calls, CALL, kind="call_note"),
    ]
    attach_photo(
        db.session,
        notes[0],
        prepare(io.BytesIO(jpeg_bytes((400, 300)))),
        client_id=str(uuid.uuid4()),
        shows_person=False,
        consent=False,
        user=people[0],
    )
    facilitator = make_user(Role.FACILITATOR, name="Fay Facilitator")
    return Field(programme, organiser, facilitator, people, [shop, calls], notes)
