"""A debrief with actions: one owned by a person who went out, one by a team."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.accounts.models import User
from app.debriefs import board
from app.debriefs.models import Action, Debrief
from app.debriefs.services import publish
from app.extensions import db
from tests.debriefs.conftest import Field, fieldwork  # noqa: F401  (the fixture)
from tests.factories import make_user


@dataclass
class Register:
    field: Field
    debrief: Debrief
    owner: User
    mine: Action
    team: Action
    bystander: User

    def publish(self) -> None:
        publish(db.session, self.debrief, by=self.field.organiser)
        db.session.commit()


@pytest.fixture
def actions(fieldwork: Field) -> Register:  # noqa: F811
    debrief = fieldwork.open_debrief()
    owner = fieldwork.people[0]
    by = fieldwork.facilitator
    mine = board.save_action(
        db.session,
        debrief,
        {"what": "Show the unit price", "owner": owner.name, "due_on": "2020-01-31"},
        user=by,
    )
    team = board.save_action(
        db.session,
        debrief,
        {"what": "Text a delivery window", "owner": "Logistics", "due_on": "2099-05-01"},
        user=by,
    )
    bystander = make_user(name="Bea Bystander", department="Finance")
    db.session.commit()
    return Register(fieldwork, debrief, owner, mine, team, bystander)
