"""The organisers' setup checklist, called directly."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.briefings.services import save_pack
from app.briefings.tasks import TaskInput, create_task, retire_task
from app.errors import NotAllowed
from app.extensions import db
from app.programmes.models import ActivityKind
from app.programmes.services import cancel_activity, change_status
from app.programmes.setup import setup_checklist
from tests.factories import make_activity, make_briefing_session, make_programme, make_user


def _states(programme):  # type: ignore[no-untyped-def]
    checklist = setup_checklist(db.session, programme, by=programme.organisers[0])
    return {s.key: (s.done, s.detail) for s in checklist.steps}, checklist


def _task(programme, **values):  # type: ignore[no-untyped-def]
    return create_task(
        db.session, programme, TaskInput(question="Why?", **values), by=programme.organisers[0]
    )


def test_a_new_draft_has_everything_to_do_in_order():
    programme = make_programme(publish=False)
    states, checklist = _states(programme)
    assert [s.key for s in checklist.steps] == ["slots", "briefing", "tasks", "publish"]
    assert checklist.done == 0 and not checklist.complete
    assert states["slots"] == (False, "No slots yet.")
    assert states["tasks"][0] is False and "No tasks yet" in states["tasks"][1]
    assert states["publish"] == (False, "Draft: only organisers can see it.")
    links = {s.key: (s.link_label, s.endpoint, s.anchor) for s in checklist.steps}
    assert links["slots"] == ("Add a slot", "programmes.new_activity", "")
    assert links["briefing"] == ("Write the briefing pack", "briefings.edit_pack", "")
    assert links["publish"] == ("Publish", "programmes.show", "status")


def test_a_programme_set_up_and_published_is_complete_with_counts():
    programme = make_programme()
    make_activity(programme, capacity=3)
    make_activity(programme, day=1, capacity=4)
    make_briefing_session(programme)
    save_pack(db.session, programme, body="Listen.", required=True, by=programme.organisers[0])
    _task(programme, scope="kind", kind=ActivityKind.CALL_LISTENING)
    states, checklist = _states(programme)
    assert checklist.complete and checklist.done == 4
    assert states["slots"] == (True, "2 slots, 7 places.")
    assert states["briefing"] == (True, "Pack written, 1 session scheduled.")
    assert states["tasks"] == (True, "1 task, one for every slot.")
    assert states["publish"] == (True, "Published: people can sign up.")


def test_tasks_stay_to_do_while_a_slot_has_none():
    programme = make_programme()
    covered = make_activity(programme)
    make_activity(programme, day=1, kind=ActivityKind.CUSTOMER_OBSERVATION)
    _task(programme, scope="slot", activity_id=covered.id)
    _task(programme, scope="people", emails=[make_user().email])  # answers for nobody's slot
    states, _ = _states(programme)
    assert states["tasks"] == (False, "2 tasks; 1 of 2 slots without one.")


def test_cancelled_slots_and_retired_tasks_do_not_count():
    programme = make_programme()
    slot = make_activity(programme)
    task = _task(programme, scope="slot", activity_id=slot.id)
    retire_task(db.session, task, programme, by=programme.organisers[0])
    assert _states(programme)[0]["tasks"][0] is False
    cancel_activity(db.session, slot, by=programme.organisers[0])
    assert _states(programme)[0]["slots"] == (False, "No slots yet.")


def test_pack_not_required_and_sign_up_closed_are_said():
    programme = make_programme()
    save_pack(db.session, programme, body="Listen.", required=False, by=programme.organisers[0])
    change_status(db.session, programme, "close", by=programme.organisers[0])
    states, _ = _states(programme)
    assert states["briefing"] == (
        True,
        "Pack written, no session scheduled. Not required before going out.",
    )
    assert states["publish"] == (True, "Sign-up closed: people are in the field.")


@pytest.mark.parametrize("roles", [(), (Role.ORGANISER,)])
def test_only_the_programme_s_organisers_see_its_checklist(roles):
    programme = make_programme()
    with pytest.raises(NotAllowed):
        setup_checklist(db.session, programme, by=make_user(*roles))


def test_checklist_queries_do_not_grow_with_slots_and_tasks(count_queries):
    programme = make_programme(length=5)
    counts = []
    for n in (1, 20):
        while len(programme.activities) < n:
            i = len(programme.activities)
            slot = make_activity(programme, day=i % 5, hour=8 + i // 5, hours=1)
            _task(programme, scope="slot", activity_id=slot.id)
        db.session.commit()
        db.session.expire_all()
        programme.organisers  # noqa: B018  (load what the page has loaded already)
        with count_queries() as statements:
            setup_checklist(db.session, programme, by=programme.organisers[0])
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 4
