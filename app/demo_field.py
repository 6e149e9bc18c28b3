"""Demo: a closeness day that already happened, with notes from the field and an open debrief."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from app.accounts.models import User
from app.briefings.services import acknowledge
from app.capture.sync import sync
from app.db import utcnow
from app.debriefs import board
from app.debriefs.services import DebriefInput, create_debrief
from app.extensions import db
from app.programmes.models import ActivityKind
from app.programmes.services import (
    ActivityInput,
    ProgrammeInput,
    change_status,
    create_activity,
    create_programme,
)
from app.signups.services import sign_up
from app.timefmt import local_to_utc

TZ = "Europe/London"
OBSERVATIONS: list[dict[str, Any]] = [
    {
        "customer": "woman, 30s, with a pram",
        "did": "Compared two sizes of the same cereal for a long time, put the big one back",
        "said": ["Why is the big one dearer per gram?"],
        "pain_points": ["unit price hard to find"],
        "task_answer": "She could not tell which size was better value",
        "tags": ["price", "shelf"],
        "labels": ["roadblock"],
    },
    {
        "customer": "man, 60s, with reading glasses",
        "did": "Held the label at arm's length, then asked a colleague",
        "said": ["The print is too small to read"],
        "needs": ["larger print on labels"],
        "tags": ["labels", "access"],
    },
    {
        "customer": "two students sharing a basket",
        "did": "Scanned a QR code on the shelf, waited, gave up",
        "said": ["It's just loading forever"],
        "surprised": "They trusted the app more than the shelf label",
        "tags": ["app", "shelf"],
        "labels": ["workaround"],
    },
    {
        "customer": "woman, 50s, in a hurry",
        "did": "Asked for the price per kilo at the counter",
        "said": ["Just tell me which one is cheaper"],
        "task_answer": "Price per kilo would have saved her the question",
        "tags": ["price"],
    },
]
CALLS: list[dict[str, Any]] = [
    {
        "reason": "Charged twice for one order",
        "customer_type": "long-standing customer",
        "moments": [
            {
                "at": 20,
                "what": "Explains the double charge",
                "words": "I've been a customer for ten years",
            },
            {"at": 190, "what": "Transferred to billing", "words": "Not again, please"},
        ],
        "effort": 6,
        "mood_start": 2,
        "mood_end": 3,
        "resolved_first_contact": False,
        "root_cause": "Payment retried after a timeout",
        "tags": ["billing"],
    },
    {
        "reason": "Can't find the price per kilo on the website",
        "customer_type": "new customer",
        "moments": [{"at": 45, "what": "Reads out two prices", "words": "Which one is cheaper?"}],
        "effort": 4,
        "resolved_first_contact": True,
        "tags": ["price", "website"],
    },
]


def _at(day: date, hour: int) -> datetime:
    return local_to_utc(datetime.combine(day, time(hour)), TZ, field="start")


def load_past_day(organiser: User, facilitator: User, employees: list[User]) -> None:
    s = db.session
    day = utcnow().date() - timedelta(days=14)
    programme = create_programme(
        s,
        ProgrammeInput(
            title="Closeness day, two weeks ago",
            purpose="A first day in stores and on calls.",
            customer_question="How do people judge value for money?",
            starts_on=day,
            ends_on=day,
            timezone=TZ,
            signup_opens_at=utcnow() - timedelta(days=30),
            signup_closes_at=_at(day, 8),
        ),
        by=organiser,
    )
    slots = [
        create_activity(
            s,
            programme,
            ActivityInput(
                kind=kind,
                title=title,
                location=place,
                online_url="",
                starts_at=_at(day, 10),
                ends_at=_at(day, 13),
                capacity=4,
            ),
            by=organiser,
        )
        for kind, title, place in (
            (ActivityKind.CUSTOMER_OBSERVATION, "Watch the cereal aisle", "Leeds store"),
            (ActivityKind.CALL_LISTENING, "Listen in on billing calls", "Bristol call centre"),
        )
    ]
    change_status(s, programme, "publish", by=organiser)
    notes = [(slots[0], "observation", f) for f in OBSERVATIONS]
    notes += [(slots[1], "call_note", f) for f in CALLS]
    for n, (slot, kind, fields) in enumerate(notes):
        person = employees[6 + n % 6]
        sign_up(s, slot, user=person, by=organiser)  # after the deadline: an organiser adds them
        acknowledge(s, programme, user=person)
        item = {
            "client_id": str(uuid.uuid4()),
            "type": kind,
            "activity_id": slot.id,
            "fields": fields,
            "updated_at": _at(day, 12).isoformat(),
        }
        sync(s, [item], user=person)
    change_status(s, programme, "close", by=organiser)
    debrief = create_debrief(
        s,
        programme,
        DebriefInput(
            title="Debrief: value for money",
            starts_at=utcnow() + timedelta(days=1),
            location="Meeting room 2",
            online_url="https://meet.example.com/debrief",
        ),
        by=facilitator,
    )
    first = board.board_notes(s, debrief)
    board.move_cards(
        s,
        debrief,
        [first[0].id, first[3].id],
        new_theme="Price per kilo is hidden",
        seen=debrief.version,
        user=facilitator,
    )
