"""The demo's history: three past programmes whose published debriefs feed the insight library."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask_migrate import downgrade
from sqlalchemy import func, select, text

from app.accounts.models import User
from app.capture.models import Note, NoteType
from app.capture.services import contacts_in, redacted_fields
from app.db import utcnow
from app.debriefs.board import load_board
from app.debriefs.models import Action, Debrief, DebriefStatus, Insight, Placement
from app.extensions import db
from app.insights import embeddings, services
from app.programmes.models import Activity, Programme
from app.signups.models import Signup, SignupStatus

#: Things every past programme heard, each in its own words.
RECURRING = {
    "value for money": ("price", "value", "deal"),
    "where the order is": ("delivery", "parcel", "order is ready"),
    "returns": ("return",),
}


def load(app, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("app.demo.upgrade", lambda: None)  # the test schema already exists
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result


def published() -> list[Debrief]:
    return list(
        db.session.scalars(
            select(Debrief)
            .where(Debrief.status == DebriefStatus.PUBLISHED)
            .order_by(Debrief.starts_at)
        )
    )


def counts() -> dict[str, int]:
    tables = (User, Programme, Activity, Signup, Note, Debrief, Placement, Insight, Action)
    return {t.__name__: db.session.scalar(select(func.count()).select_from(t)) for t in tables}


def test_demo_has_three_past_programmes_with_published_debriefs(app, monkeypatch):
    load(app, monkeypatch)
    debriefs = published()
    assert [d.programme.title for d in debriefs] == [
        "Call-centre listening week",
        "Stores closeness week",
        "Online shop week",
    ]
    today = utcnow().date()
    ages = [(today - d.programme.starts_on).days for d in debriefs]
    assert 250 <= ages[0] <= 290 and 140 <= ages[1] <= 165 and 55 <= ages[2] <= 70
    for debrief in debriefs:
        programme = debrief.programme
        assert programme.status == "in_field" and programme.ends_on < today
        # Published after its meeting, months ago, not while the demo loaded.
        assert debrief.published_at is not None
        assert debrief.starts_at < debrief.published_at < utcnow() - timedelta(weeks=4)
        assert debrief.starts_at.date() > programme.ends_on
        slots = programme.activities
        assert 3 <= len(slots) <= 5 and len({a.kind for a in slots}) == len(slots)
        signups = [s for a in slots for s in a.signups]
        assert all(s.status == SignupStatus.CONFIRMED and s.arrived_at for s in signups)
        assert len({s.user.department for s in signups}) >= 3
        notes = db.session.scalars(
            select(Note).where(Note.activity_id.in_([a.id for a in slots]))
        ).all()
        assert 8 <= len(notes) <= 14 and all(n.locked_at for n in notes)
        assert {n.type for n in notes} == set(NoteType)
        observations = [n for n in notes if n.type == NoteType.OBSERVATION]
        assert all(n.fields["channel"] and n.fields["said"] for n in observations)
        assert {s.user_id for s in signups} >= {n.author_id for n in notes}
        board = load_board(db.session, debrief, user=debrief.facilitator)
        assert 3 <= len(board.themes) <= 4
        assert all(board.cards_in(t.id) and board.votes[t.id] for t in board.themes)
        assert 3 <= len(debrief.insights) <= 5
        for insight in debrief.insights:
            assert insight.statement and insight.so_what and insight.theme_id
            assert 2 <= len(insight.evidence) <= 3
            assert {n.id for n in insight.evidence} <= {n.id for n in notes}
        assert 2 <= len(debrief.actions) <= 3
        assert all(a.owner and a.due_on for a in debrief.actions)
        assert {a.status for a in debrief.actions} & {"done"}
        assert {a.status for a in debrief.actions} & {"open", "doing"}


def test_history_insights_recur_across_programmes_and_one_pair_disagrees(app, monkeypatch):
    load(app, monkeypatch)
    statements = [[i.statement.lower() for i in d.insights] for d in published()]
    for topic, words in RECURRING.items():
        for found in statements:
            assert any(w in s for s in found for w in words), f"{topic} missing"
    self_checkout = [s for found in statements for s in found if "self-checkout" in s]
    assert any("avoid" in s for s in self_checkout) and any("prefer" in s for s in self_checkout)


def test_contact_details_typed_into_history_notes_are_redacted_when_shared(app, monkeypatch):
    load(app, monkeypatch)
    flagged = [n for n in db.session.scalars(select(Note)) if contacts_in(n)]
    assert {kind for n in flagged for kind in contacts_in(n)} == {"phone", "email"}
    assert all(n.locked_at for n in flagged)  # they are in published debriefs
    shared = json.dumps([redacted_fields(n) for n in flagged])
    assert "[phone number removed]" in shared and "[email removed]" in shared
    assert "07700 900456" not in shared and "@example.com" not in shared


def test_demo_loaded_twice_changes_nothing(app, monkeypatch):
    load(app, monkeypatch)
    before = counts()
    assert before["Debrief"] == 4 and before["Insight"] == 15
    again = load(app, monkeypatch)
    assert "already loaded" in again.output
    assert counts() == before


@pytest.fixture
def empty_database(app) -> Iterator[None]:  # type: ignore[no-untyped-def]
    db.drop_all()
    yield
    db.session.remove()
    downgrade(revision="base")
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.create_all()


def test_demo_builds_the_schema_and_loads_on_an_empty_database(app, empty_database):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo company loaded." in result.output
    assert [len(d.insights) for d in published()] == [5, 5, 5]


@pytest.mark.skipif(not embeddings.available(), reason="the model is not installed")
def test_heard_before_on_insight_pages_goes_both_ways(app, monkeypatch):
    load(app, monkeypatch)
    reader = db.session.scalars(select(User)).first()
    insights = [i.id for d in published() for i in d.insights]
    heard = {
        i: {s.insight_id for s in services.insight_page(db.session, i, user=reader).heard_before}
        for i in insights
    }
    pairs = {(a, b) for a, found in heard.items() for b in found}
    assert len(pairs) >= 6  # the recurring findings find each other
    assert {(b, a) for a, b in pairs} == pairs


def test_demo_people_own_actions_hear_what_came_of_one_and_see_one_carried(app, monkeypatch):
    """They own actions; one done action tells the people who heard it, and the coming week
    carries an open one into its briefing."""
    from app.actions.carry import promised
    from app.actions.loop import loop_news

    load(app, monkeypatch)
    owned = {
        a.what: a.owner_id
        for a in db.session.scalars(select(Action).where(Action.owner_id.is_not(None)))
    }
    employee = db.session.scalar(select(User).where(User.email == "employee1@example.com"))
    assert employee is not None
    assert owned["Text a one-hour delivery window on the morning of delivery"] == employee.id
    assert len(owned) == 2
    coming = db.session.scalar(
        select(Programme).where(Programme.title == "Customer closeness week")
    )
    assert coming is not None and coming.follows_id is not None
    assert [a.what for a in promised(db.session, coming)] == [
        "Cut the returns form to three steps, with no batch code"
    ]
    told = loop_news(db.session, db.session.scalars(select(User.id)).all())
    items = [i for found in told.values() for i in found]
    assert items and {i.what for i in items} == {
        "Put the courier's tracking link on the order page"
    }
    assert all("tracking link" in i.note for i in items)
    assert "employee3@example.com" in {db.session.get(User, u).email for u in told}  # README
