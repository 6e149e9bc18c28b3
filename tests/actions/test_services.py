"""The action register: who sees which actions, filters, owners linked, progress notes."""

from __future__ import annotations

import pytest

from app.actions import services
from app.actions.services import Filters, clean_filters, record_progress, register
from app.debriefs import board
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from tests.factories import make_user


def _whats(user, **filters) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.action.what for r in register(db.session, user, Filters(**filters))]


def test_typed_owner_matching_a_person_links_them(actions):
    assert actions.mine.owner_id == actions.owner.id
    assert actions.team.owner_id is None


def test_ambiguous_names_and_emails_stay_text(actions):
    make_user(name="Twin")
    make_user(name="Twin")
    by = actions.field.facilitator
    twin = board.save_action(db.session, actions.debrief, {"what": "B", "owner": "Twin"}, user=by)
    # An email is a contact detail: the board removes it, so it cannot name the owner.
    email = board.save_action(
        db.session, actions.debrief, {"what": "A", "owner": actions.owner.email}, user=by
    )
    assert twin.owner_id is None
    assert email.owner_id is None
    assert services.person_named(db.session, actions.owner.email.upper()) == actions.owner


def test_open_debrief_actions_are_for_its_people_only(actions):
    assert _whats(actions.owner) == ["Show the unit price", "Text a delivery window"]
    assert _whats(actions.field.organiser) == ["Show the unit price", "Text a delivery window"]
    assert _whats(actions.bystander) == []


def test_published_debrief_actions_are_for_every_reader(actions):
    actions.publish()
    assert _whats(actions.bystander) == ["Show the unit price", "Text a delivery window"]


def test_filters_mine_overdue_status_department_programme(actions):
    owner = actions.owner
    assert _whats(owner, mine=True) == ["Show the unit price"]
    assert _whats(owner, overdue=True) == ["Show the unit price"]
    assert _whats(owner, status="doing") == []
    assert _whats(owner, department=owner.department) == ["Show the unit price"]
    assert _whats(owner, department="Nowhere") == []
    assert _whats(owner, programme_id=actions.field.programme.id) == [
        "Show the unit price",
        "Text a delivery window",
    ]
    assert _whats(owner, programme_id=actions.field.programme.id + 1000) == []


@pytest.mark.parametrize(
    "args",
    [{"status": "finished"}, {"programme": "abc"}, {"programme": "99999999999"}],
)
def test_bad_filters_are_refused(args):
    with pytest.raises(DomainError):
        clean_filters(args)


def test_owner_records_progress_with_contacts_removed(actions):
    record = record_progress(
        db.session,
        actions.mine,
        status="doing",
        note="Asked the shelf team; call me on 07700 900123",
        user=actions.owner,
    )
    assert actions.mine.status == "doing"
    assert "07700" not in record.note
    assert record.author_id == actions.owner.id
    [row] = register(db.session, actions.owner, Filters(mine=True))
    assert [p.note for p in row.progress] == [record.note]


def test_organiser_and_facilitator_may_update_any_action_others_may_not(actions):
    record_progress(db.session, actions.team, status="doing", note="", user=actions.field.organiser)
    record_progress(
        db.session, actions.team, status="done", note="", user=actions.field.facilitator
    )
    actions.publish()
    with pytest.raises(NotAllowed):
        record_progress(db.session, actions.team, status="open", note="", user=actions.owner)
    with pytest.raises(NotAllowed):
        record_progress(db.session, actions.mine, status="done", note="", user=actions.bystander)
    assert actions.team.status == "done"


def test_bystander_cannot_even_find_an_open_debriefs_action(actions):
    with pytest.raises(NotFound):
        services.get_action(db.session, actions.mine.id, user=actions.bystander)


@pytest.mark.parametrize(
    ("status", "note"),
    [("finished", ""), (["doing"], ""), ("doing", "x" * 10_240), ("doing", 42), ("open", "")],
)
def test_hostile_progress_is_refused_and_changes_nothing(actions, status, note):
    version = actions.debrief.version
    with pytest.raises(DomainError):
        record_progress(db.session, actions.mine, status=status, note=note, user=actions.owner)
    db.session.rollback()
    assert actions.mine.status == "open"
    assert actions.debrief.version == version


def test_progress_on_a_published_debrief_keeps_working(actions):
    actions.publish()
    record_progress(db.session, actions.mine, status="done", note="Live", user=actions.owner)
    assert actions.mine.status == "done"
    assert _whats(actions.owner, overdue=True) == []
