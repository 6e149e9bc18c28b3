"""Two programmes whose debriefs are published: the library has something to find."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.accounts.models import Role, User
from app.briefings.services import acknowledge
from app.debriefs import board as ops
from app.debriefs.models import Debrief, Insight
from app.debriefs.services import DebriefInput, create_debrief, publish
from app.extensions import db
from app.programmes.models import ActivityKind
from app.signups.services import sign_up
from tests.debriefs.conftest import Field, write_note
from tests.debriefs.conftest import fieldwork as fieldwork
from tests.factories import make_activity, make_programme, make_user

LATER_NOTE = {
    "customer": "couple in their 70s",
    "channel": "web",
    "did": "Scrolled between the 500 g and the 1 kg pack on the product page several times",
    "said": ["Which one works out cheaper per kilo?", "Write to me at gran@example.org"],
    "tags": ["value", "price"],
}


@dataclass
class Library:
    field: Field
    first: Debrief
    later: Debrief
    prices: Insight  #: first programme: prices per kilo
    stairs: Insight  #: first programme: stairs
    value: Insight  #: later programme: which pack is better value
    reader: User


def published(field: Field) -> tuple[Debrief, Insight, Insight]:
    debrief = field.open_debrief()
    v = debrief.version
    theme = ops.move_cards(
        db.session, debrief, [field.notes[0].id], new_theme="Prices", seen=v, user=field.facilitator
    )
    assert theme is not None
    prices = ops.save_insight(
        db.session,
        debrief,
        {
            "statement": "Customers cannot compare prices per kilo",
            "so_what": "Show unit prices on every shelf label",
            "theme_id": theme.id,
            "evidence": [field.notes[0].id],
        },
        user=field.facilitator,
    )
    stairs = ops.save_insight(
        db.session,
        debrief,
        {"statement": "Older shoppers struggle with stairs", "evidence": [field.notes[1].id]},
        user=field.facilitator,
    )
    ops.save_action(
        db.session,
        debrief,
        {"what": "Add unit prices to labels", "owner": "Store design", "status": "open"},
        user=field.facilitator,
    )
    publish(db.session, debrief, by=field.facilitator)
    return debrief, prices, stairs


@pytest.fixture
def library(fieldwork: Field) -> Library:
    first, prices, stairs = published(fieldwork)
    programme = make_programme(fieldwork.organiser, title="Online shop week")
    slot = make_activity(programme, kind=ActivityKind.CUSTOMER_OBSERVATION, title="Watch the app")
    person = make_user(name="Webb Watcher", department="Digital")
    sign_up(db.session, slot, user=person)
    acknowledge(db.session, programme, user=person)
    note = write_note(person, slot, LATER_NOTE)
    later = create_debrief(
        db.session,
        programme,
        DebriefInput(title="Online debrief", starts_at=first.starts_at, location="Room 2"),
        by=fieldwork.facilitator,
    )
    value = ops.save_insight(
        db.session,
        later,
        {
            "statement": "People could not tell which pack was better value",
            "so_what": "Compare sizes for them",
            "evidence": [note.id],
        },
        user=fieldwork.facilitator,
    )
    publish(db.session, later, by=fieldwork.facilitator)
    db.session.commit()
    reader = make_user(Role.EMPLOYEE, name="Rita Reader", department="Finance")
    db.session.commit()
    return Library(fieldwork, first, later, prices, stairs, value, reader)
