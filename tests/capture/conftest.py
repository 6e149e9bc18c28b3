"""Fixtures for field capture."""

from __future__ import annotations

import pytest

from app.briefings.services import acknowledge
from app.extensions import db
from app.signups.services import sign_up
from tests.factories import make_activity, make_programme, make_user


@pytest.fixture
def field():  # type: ignore[no-untyped-def]
    """A person with a confirmed place on a slot and the briefing done."""
    programme = make_programme()
    slot = make_activity(programme)
    person = make_user()
    sign_up(db.session, slot, user=person)
    acknowledge(db.session, programme, user=person)
    return person, slot
