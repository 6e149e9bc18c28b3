"""The pages a person opens most take the same number of queries with N objects as with 3N: a page
that grows with what it lists (a lazy load per row) slows down as a programme fills up.

The programme page, My schedule and the home screen are checked in tests/programmes/test_views.py,
the library in tests/insights/test_views.py and For you in tests/feeds/test_views.py; the pages
below are the rest of the ones issue 12 lists, each measured as a page, through the app."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable

from app.accounts.models import Role
from app.briefings.services import acknowledge
from app.briefings.tasks import TaskInput, create_task
from app.capture.photos import attach_photo, prepare
from app.debriefs import board as ops
from app.extensions import db
from app.signups.services import sign_up
from tests.debriefs.conftest import fieldwork as fieldwork
from tests.debriefs.conftest import write_note
from tests.factories import jpeg_bytes, make_activity, make_programme, make_user

__all__ = ["fieldwork"]


def _count(client, count_queries, url: str) -> int:  # type: ignore[no-untyped-def]
    assert client.get(url).status_code == 200  # warm per-process caches
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def _at_n_and_3n(grow: Callable[[int], None], measure: Callable[[], list[int]], n: int = 4):
    """Grow to n of everything, measure, grow to 3n, measure again."""
    grow(n)
    db.session.commit()
    few = measure()
    grow(3 * n)
    db.session.commit()
    many = measure()
    return few, many


def _photo(note, person) -> None:  # type: ignore[no-untyped-def]
    attach_photo(
        db.session,
        note,
        prepare(io.BytesIO(jpeg_bytes((64, 48)))),
        client_id=str(uuid.uuid4()),
        shows_person=False,
        consent=False,
        user=person,
    )


def test_my_notes_and_a_note_form_take_the_same_queries_however_many_notes(
    client, login_as, count_queries
):  # type: ignore[no-untyped-def]
    person = login_as()
    organiser = make_user(Role.ORGANISER)
    programme = make_programme(organiser, length=10)
    slots: list = []
    notes: list = []

    def grow(n: int) -> None:
        while len(slots) < n:
            i = len(slots)
            slot = make_activity(programme, day=i % 10, hour=8 + i // 10, hours=1)
            sign_up(db.session, slot, user=person)
            slots.append(slot)
            create_task(
                db.session,
                programme,
                TaskInput(question=f"Ask about {i}", scope="slot", activity_id=slots[0].id),
                by=organiser,
            )
        acknowledge(db.session, programme, user=person)
        while len(notes) < n:
            i = len(notes)
            note = write_note(person, slots[i], {"did": f"Looked ({i})", "tags": [f"t{i}"]})
            _photo(note, person)
            notes.append(note)

    def measure() -> list[int]:
        return [
            _count(client, count_queries, "/notes"),
            _count(client, count_queries, "/notes/new"),
            _count(client, count_queries, f"/activities/{slots[0].id}/notes/new/observation"),
            _count(client, count_queries, f"/notes/{notes[0].id}/edit"),
            _count(client, count_queries, f"/notes/{notes[0].id}"),
        ]

    few, many = _at_n_and_3n(grow, measure)
    assert client.get("/notes").get_data(as_text=True).count("photo ·") == 12
    assert few == many


def test_the_debrief_board_takes_the_same_queries_however_many_cards(
    client, fieldwork, count_queries
):  # type: ignore[no-untyped-def]
    debrief = fieldwork.open_debrief()
    db.session.commit()
    client.sign_in(fieldwork.facilitator)
    cards: list = []

    def grow(n: int) -> None:
        while len(cards) < n:
            i = len(cards)
            person = fieldwork.people[i % 2]
            note = write_note(person, fieldwork.slots[0], {"did": f"Card {i}", "tags": [f"t{i}"]})
            _photo(note, person)
            cards.append(note)
            ops.move_cards(
                db.session,
                debrief,
                [note.id],
                new_theme=f"Theme {i}",
                seen=debrief.version,
                user=fieldwork.facilitator,
            )
            theme = debrief.themes[-1]
            voter = [fieldwork.facilitator, *fieldwork.people][i % 4]  # five dots each
            ops.vote(db.session, debrief, theme.id, add=True, user=voter)
            ops.save_insight(
                db.session,
                debrief,
                {"statement": f"Insight {i}", "theme_id": theme.id, "evidence": [note.id]},
                user=fieldwork.facilitator,
            )
            ops.save_action(
                db.session,
                debrief,
                {"what": f"Action {i}", "owner": "Store design", "status": "open"},
                user=fieldwork.facilitator,
            )

    def measure() -> list[int]:
        return [
            _count(client, count_queries, f"/debriefs/{debrief.id}"),
            _count(client, count_queries, f"/debriefs/{debrief.id}?tag=t1"),
            _count(client, count_queries, "/debriefs"),
        ]

    few, many = _at_n_and_3n(grow, measure)
    page = client.get(f"/debriefs/{debrief.id}").get_data(as_text=True)
    assert "Card 11" in page and "Insight 11" in page and "Action 11" in page
    assert few == many


def test_a_sync_batch_checks_the_place_and_the_briefing_once_per_slot(count_queries):  # type: ignore[no-untyped-def]
    from app.capture.sync import sync

    programme = make_programme()
    slots = [make_activity(programme, day=d) for d in range(2)]
    person = make_user()
    for slot in slots:
        sign_up(db.session, slot, user=person)
    acknowledge(db.session, programme, user=person)
    db.session.commit()

    def checks(n: int) -> tuple[int, int]:
        items = [
            {
                "client_id": str(uuid.uuid4()),
                "type": "observation",
                "activity_id": slots[i % 2].id,
                "fields": {"did": f"Looked ({i})"},
                "updated_at": "2030-01-01T10:00:00+00:00",
            }
            for i in range(n)
        ]
        with count_queries() as statements:
            results = sync(db.session, items, user=person)
        assert [r.status for r in results] == ["created"] * n
        db.session.commit()
        looked_up = [s for s in statements if "signups" in s or "briefing" in s]
        return len(looked_up), len(statements)

    few, many = checks(4), checks(12)
    assert few[0] == many[0]
    # What is left per note: looking up its client id, its insert, and two savepoints (one so that
    # a bad note fails alone, one so that a race on the client id is caught): 6 statements.
    assert many[1] - few[1] <= 8 * 6


def test_earlier_actions_carried_and_loop_news_take_the_same_queries_however_many(
    client, fieldwork, count_queries
):  # type: ignore[no-untyped-def]
    """The programme page (open actions of its predecessors), the briefing (what we promised)
    and For you (what came of what you heard) as actions grow."""
    from app.actions import carry
    from app.actions.services import record_progress

    debrief = fieldwork.open_debrief()
    organiser, person = fieldwork.organiser, fieldwork.people[0]
    later = make_programme(organiser, title="Spring week", days_ahead=40)
    carry.set_follows(db.session, later, fieldwork.programme.id, by=organiser)
    insight = ops.save_insight(
        db.session,
        debrief,
        {"statement": "Prices are hidden", "evidence": [fieldwork.notes[0].id]},
        user=fieldwork.facilitator,
    )
    db.session.commit()
    client.sign_in(person)
    made: list = []

    def grow(n: int) -> None:
        while len(made) < n:
            i = len(made)
            data = {"what": f"Action {i}", "owner": person.name, "insight_id": insight.id}
            action = ops.save_action(db.session, debrief, data, user=fieldwork.facilitator)
            carry.carry(db.session, later, action.id, by=organiser)
            if i % 2:  # half done, with a note: loop news for the note's author
                record_progress(db.session, action, status="done", note=f"N{i}", user=person)
            made.append(action)

    def measure() -> list[int]:
        return [
            _count(client, count_queries, f"/programmes/{later.id}"),
            _count(client, count_queries, f"/programmes/{later.id}/briefing"),
            _count(client, count_queries, "/for-you"),
        ]

    few, many = _at_n_and_3n(grow, measure)
    assert "Action 10" in client.get(f"/programmes/{later.id}").get_data(as_text=True)
    assert "N11" in client.get("/for-you").get_data(as_text=True)
    assert few == many
