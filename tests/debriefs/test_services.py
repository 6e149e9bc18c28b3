"""Debriefs: who is invited and who may see, the board's moves and clashes, publishing."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.capture.services import update_note
from app.debriefs import board as ops
from app.debriefs.models import DebriefStatus
from app.debriefs.services import can_view, get_debrief, open_debriefs_for, publish
from app.errors import Conflict, DomainError, NotAllowed, NotFound
from app.extensions import db
from app.programmes.models import ActivityKind
from app.signups.models import Signup
from tests.debriefs.conftest import OBSERVATIONS, write_note
from tests.factories import make_user


def test_everyone_who_went_out_is_invited_but_not_no_shows(fieldwork):
    no_show = db.session.query(Signup).filter_by(user_id=fieldwork.people[1].id).one()
    no_show.no_show = True
    debrief = fieldwork.open_debrief()
    assert {p.id for p in debrief.invitees} == {fieldwork.people[0].id, fieldwork.people[2].id}
    assert debrief.facilitator_id == fieldwork.facilitator.id


def test_only_facilitators_and_organisers_open_a_debrief(fieldwork):
    with pytest.raises(NotAllowed):
        fieldwork.open_debrief(by=fieldwork.people[0])
    assert fieldwork.open_debrief(by=fieldwork.organiser).facilitator_id == fieldwork.organiser.id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "bad\x00title"}, "NUL"),
        ({"activity_ids": [999_999]}, "slots of this programme"),
        ({"kinds": ["nonsense"]}, "at least one slot"),
        ({"online_url": "javascript:alert(1)"}, "http"),
    ],
)
def test_bad_debrief_input_is_refused(fieldwork, changes, message):
    with pytest.raises(DomainError, match=message):
        fieldwork.open_debrief(**changes)


def test_kinds_choose_the_slots_covered(fieldwork):
    debrief = fieldwork.open_debrief(kinds=[ActivityKind.CALL_LISTENING])
    assert [a.title for a in debrief.activities] == ["Calls in Lyon"]
    assert [p.id for p in debrief.invitees] == [fieldwork.people[2].id]


def test_cards_show_the_strongest_quote_with_contact_details_removed(fieldwork):
    debrief = fieldwork.open_debrief()
    board = ops.load_board(db.session, debrief, user=fieldwork.facilitator)
    by_note = {c.note_id: c for c in board.cards}
    first, call = by_note[fieldwork.notes[0].id], by_note[fieldwork.notes[2].id]
    assert first.quote == "Why is the big one dearer per gram?"
    assert first.customer == "woman, 30s, with a pram" and first.photo_id is not None
    assert call.quote == "I want my money back" and call.customer == "new customer"
    second = write_note(
        fieldwork.people[0], fieldwork.slots[0], {"said": ["Call me on 07700 900123"]}
    )
    board = ops.load_board(db.session, debrief, user=fieldwork.facilitator)
    assert next(c for c in board.cards if c.note_id == second.id).quote == (
        "Call me on [phone number removed]"
    )


def test_cards_move_into_a_new_theme_and_back(fieldwork):
    debrief = fieldwork.open_debrief()
    ids = [fieldwork.notes[0].id, fieldwork.notes[1].id]
    theme = ops.move_cards(
        db.session,
        debrief,
        ids,
        new_theme="Hidden prices",
        seen=debrief.version,
        user=fieldwork.people[0],
    )
    board = ops.load_board(db.session, debrief, user=fieldwork.people[0])
    assert [c.note_id for c in board.cards_in(theme.id)] == ids
    ops.move_cards(db.session, debrief, ids[:1], seen=debrief.version, user=fieldwork.people[0])
    board = ops.load_board(db.session, debrief, user=fieldwork.people[0])
    assert [c.note_id for c in board.cards_in(None)] == [ids[0], fieldwork.notes[2].id]


def test_a_move_made_on_an_old_board_does_not_undo_someone_elses(fieldwork):
    debrief = fieldwork.open_debrief()
    seen = debrief.version
    a = ops.create_theme(db.session, debrief, "Prices", user=fieldwork.people[0])
    b = ops.create_theme(db.session, debrief, "Access", user=fieldwork.people[1])
    ops.move_cards(
        db.session,
        debrief,
        [fieldwork.notes[0].id],
        to_theme=a.id,
        seen=seen + 2,
        user=fieldwork.people[0],
    )
    with pytest.raises(ops.StaleWrite, match="moved by someone else"):
        ops.move_cards(
            db.session,
            debrief,
            [fieldwork.notes[0].id],
            to_theme=b.id,
            seen=seen,
            user=fieldwork.people[1],
        )
    # Moving a card no one touched since is fine on an old version.
    ops.move_cards(
        db.session,
        debrief,
        [fieldwork.notes[1].id],
        to_theme=b.id,
        seen=seen,
        user=fieldwork.people[1],
    )


def test_renaming_a_theme_someone_just_renamed_is_refused_and_shows_theirs(fieldwork):
    debrief = fieldwork.open_debrief()
    theme = ops.create_theme(db.session, debrief, "Prices", user=fieldwork.people[0])
    seen = debrief.version
    ops.update_theme(
        db.session,
        debrief,
        theme.id,
        {"name": "Hidden unit prices"},
        seen=seen,
        user=fieldwork.people[0],
    )
    with pytest.raises(ops.StaleWrite, match="“Hidden unit prices”"):
        ops.update_theme(
            db.session,
            debrief,
            theme.id,
            {"name": "Price anxiety"},
            seen=seen,
            user=fieldwork.people[1],
        )
    assert theme.name == "Hidden unit prices"
    with pytest.raises(DomainError, match="version"):
        ops.update_theme(
            db.session, debrief, theme.id, {"name": "x"}, seen="7", user=fieldwork.people[1]
        )


def test_merging_takes_cards_dots_and_insights_along(fieldwork):
    debrief = fieldwork.open_debrief()
    a = ops.move_cards(
        db.session,
        debrief,
        [fieldwork.notes[0].id],
        new_theme="Prices",
        seen=debrief.version,
        user=fieldwork.people[0],
    )
    b = ops.move_cards(
        db.session,
        debrief,
        [fieldwork.notes[1].id],
        new_theme="Shelves",
        seen=debrief.version,
        user=fieldwork.people[0],
    )
    ops.vote(db.session, debrief, b.id, add=True, user=fieldwork.people[0])
    insight = ops.save_insight(
        db.session,
        debrief,
        {"statement": "Shelves hide prices", "theme_id": b.id},
        user=fieldwork.people[0],
    )
    ops.merge_themes(
        db.session, debrief, b.id, a.id, seen=debrief.version, user=fieldwork.people[1]
    )
    board = ops.load_board(db.session, debrief, user=fieldwork.people[0])
    assert [t.name for t in board.themes] == ["Prices"]
    assert len(board.cards_in(a.id)) == 2 and board.votes[a.id] == 1 and insight.theme_id == a.id
    with pytest.raises(DomainError, match="two different"):
        ops.merge_themes(
            db.session, debrief, a.id, a.id, seen=debrief.version, user=fieldwork.people[1]
        )


def test_each_person_has_five_dots(fieldwork):
    debrief = fieldwork.open_debrief()
    theme = ops.create_theme(db.session, debrief, "Prices", user=fieldwork.people[0])
    left = [
        ops.vote(db.session, debrief, theme.id, add=True, user=fieldwork.people[0])
        for _ in range(5)
    ]
    assert left == [4, 3, 2, 1, 0]
    with pytest.raises(Conflict, match="all 5 of your dots"):
        ops.vote(db.session, debrief, theme.id, add=True, user=fieldwork.people[0])
    assert ops.vote(db.session, debrief, theme.id, add=False, user=fieldwork.people[0]) == 1
    with pytest.raises(Conflict, match="no dot"):
        ops.vote(db.session, debrief, theme.id, add=False, user=fieldwork.people[1])


def test_an_insight_is_backed_by_cards_of_this_board_only(fieldwork):
    debrief = fieldwork.open_debrief(kinds=[ActivityKind.CUSTOMER_OBSERVATION])
    data = {
        "statement": "Unit prices are hidden",
        "so_what": "Show them",
        "evidence": [fieldwork.notes[0].id],
    }
    insight = ops.save_insight(db.session, debrief, data, user=fieldwork.people[0])
    assert [n.id for n in insight.evidence] == [fieldwork.notes[0].id]
    with pytest.raises(NotFound, match="evidence"):
        ops.save_insight(
            db.session,
            debrief,
            {**data, "evidence": [fieldwork.notes[2].id]},
            user=fieldwork.people[0],
        )
    for bad in ({"statement": ""}, {"statement": "x" * 501}, {"statement": "ok", "evidence": "1"}):
        with pytest.raises(DomainError):
            ops.save_insight(db.session, debrief, bad, user=fieldwork.people[0])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"what": "", "owner": "Ann"}, "What is required"),
        ({"what": "Show unit prices", "owner": ""}, "Owner is required"),
        ({"what": "Show unit prices", "owner": "Ann", "due_on": "31/03/2030"}, "due date"),
        ({"what": "Show unit prices", "owner": "Ann", "status": "someday"}, "open, doing or done"),
    ],
)
def test_bad_actions_are_refused(fieldwork, data, message):
    debrief = fieldwork.open_debrief()
    with pytest.raises(DomainError, match=message):
        ops.save_action(db.session, debrief, data, user=fieldwork.people[0])


def test_actions_are_agreed_and_updated_on_the_version_seen(fieldwork):
    debrief = fieldwork.open_debrief()
    action = ops.save_action(
        db.session,
        debrief,
        {"what": "Show unit prices", "owner": "Retail team", "due_on": "2030-03-31"},
        user=fieldwork.people[0],
    )
    seen = debrief.version
    ops.save_action(
        db.session,
        debrief,
        {"status": "doing"},
        action_id=action.id,
        seen=seen,
        user=fieldwork.people[0],
    )
    with pytest.raises(ops.StaleWrite):
        ops.save_action(
            db.session,
            debrief,
            {"owner": "Me"},
            action_id=action.id,
            seen=seen,
            user=fieldwork.people[1],
        )
    assert (action.status, action.owner, str(action.due_on)) == (
        "doing",
        "Retail team",
        "2030-03-31",
    )


def test_who_sees_and_changes_a_debrief(fieldwork):
    debrief = fieldwork.open_debrief()
    outsider = make_user()
    assert can_view(debrief, fieldwork.people[0]) and can_view(debrief, fieldwork.organiser)
    assert not can_view(debrief, outsider)
    with pytest.raises(NotFound):
        get_debrief(db.session, debrief.id, user=outsider)
    with pytest.raises(NotAllowed):
        ops.create_theme(db.session, debrief, "Mine", user=outsider)
    with pytest.raises(NotAllowed):
        publish(db.session, debrief, by=fieldwork.people[0])
    publish(db.session, debrief, by=fieldwork.facilitator)
    assert debrief.status == DebriefStatus.PUBLISHED and can_view(debrief, outsider)
    with pytest.raises(Conflict, match="published"):
        ops.create_theme(db.session, debrief, "Late", user=fieldwork.people[0])


def test_home_lists_the_open_debriefs_a_person_leads_or_is_invited_to(fieldwork):
    first, second = fieldwork.open_debrief(), fieldwork.open_debrief(title="Second look")
    others = fieldwork.open_debrief(by=fieldwork.organiser)
    publish(db.session, first, by=fieldwork.facilitator)
    assert set(open_debriefs_for(db.session, fieldwork.people[0])) == {others, second}
    assert open_debriefs_for(db.session, fieldwork.facilitator) == [second]
    assert open_debriefs_for(db.session, make_user()) == []


def test_publishing_locks_the_notes(fieldwork):
    debrief = fieldwork.open_debrief()
    publish(db.session, debrief, by=fieldwork.organiser)
    note = fieldwork.notes[0]
    assert note.locked_at is not None
    with pytest.raises(Conflict, match="locked"):
        update_note(
            db.session, note, OBSERVATIONS[1], base_version=note.version, user=fieldwork.people[0]
        )


def test_the_board_takes_the_same_number_of_queries_however_big(fieldwork):
    debrief = fieldwork.open_debrief()

    def queries() -> int:
        count = 0

        def _count(*_args):  # type: ignore[no-untyped-def]
            nonlocal count
            count += 1

        db.session.commit()
        event.listen(db.engine, "before_cursor_execute", _count)
        try:
            with Session(db.engine) as request_session:  # empty, as each request's is
                user = request_session.get(User, fieldwork.facilitator.id)
                found = get_debrief(request_session, debrief.id, user=user)
                ops.load_board(request_session, found, user=user)
                assert all(len(i.evidence) == 1 for i in found.insights)  # as the page shows
        finally:
            event.remove(db.engine, "before_cursor_execute", _count)
        return count

    def insight_on(note_id: int) -> None:
        data = {"statement": f"Insight {note_id}", "evidence": [note_id]}
        ops.save_insight(db.session, debrief, data, user=fieldwork.people[0])

    insight_on(fieldwork.notes[0].id)
    small = queries()
    for n in range(15):
        note = write_note(
            fieldwork.people[n % 2], fieldwork.slots[0], {"did": f"Looked ({n})", "tags": [f"t{n}"]}
        )
        ops.move_cards(
            db.session,
            debrief,
            [note.id],
            new_theme=f"Theme {n}",
            seen=debrief.version,
            user=fieldwork.people[0],
        )
        insight_on(note.id)
    assert queries() == small


def test_others_can_be_invited_by_email(fieldwork):
    guest = make_user(email="guest@example.com")
    debrief = fieldwork.open_debrief(also_invite=[" Guest@Example.com ", fieldwork.people[0].email])
    assert guest in debrief.invitees and len(debrief.invitees) == 4
    with pytest.raises(DomainError, match="No active account for nobody@example"):
        fieldwork.open_debrief(also_invite=["nobody@example.com"])
