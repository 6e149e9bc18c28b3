"""Briefing, task, readiness and check-in rules, called directly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.briefings import services, tasks
from app.briefings.readiness import readiness, send_reminders
from app.briefings.services import BriefingRequired, SessionInput
from app.briefings.tasks import TaskInput
from app.db import utcnow
from app.errors import Conflict, DomainError, NotAllowed
from app.extensions import db
from app.signups import attendance
from app.signups.services import sign_up
from app.timefmt import format_local
from tests.factories import (
    make_activity,
    make_briefing_session,
    make_programme,
    make_user,
    move_to,
)


def test_pack_starts_from_the_rules_of_observation():
    programme = make_programme(customer_question="Why do shoppers hesitate?")
    pack = services.get_pack(db.session, programme)
    assert "Watch and listen first" in pack.body and "Why do shoppers hesitate?" in pack.body
    assert "Never write a customer's name or contact details" in pack.body
    assert pack.required


def test_only_the_programmes_organisers_edit_the_pack():
    programme = make_programme()
    with pytest.raises(NotAllowed):
        services.save_pack(
            db.session, programme, body="x", required=False, by=make_user(Role.ORGANISER)
        )
    with pytest.raises(DomainError, match="too long"):
        services.save_pack(
            db.session, programme, body="x" * 50_001, required=True, by=programme.organisers[0]
        )
    services.save_pack(
        db.session, programme, body="## Ours", required=False, by=programme.organisers[0]
    )
    assert services.get_pack(db.session, programme).body == "## Ours"


def test_briefing_is_done_after_acknowledging_when_there_are_no_sessions():
    programme = make_programme()
    person = make_user()
    with pytest.raises(BriefingRequired, match="acknowledge the briefing pack"):
        services.require_briefing(db.session, programme, person)
    first = services.acknowledge(db.session, programme, user=person)
    again = services.acknowledge(db.session, programme, user=person)
    assert again.acknowledged_at == first.acknowledged_at
    services.require_briefing(db.session, programme, person)  # no longer raises


def test_with_sessions_the_person_must_also_attend_one():
    programme = make_programme()
    briefing = make_briefing_session(programme)
    person = make_user()
    services.acknowledge(db.session, programme, user=person)
    with pytest.raises(BriefingRequired, match="attend a briefing session"):
        services.require_briefing(db.session, programme, person)
    booking = services.join_session(db.session, briefing, programme, user=person)
    services.mark_attended(
        db.session, booking, programme, attended=True, by=programme.organisers[0]
    )
    assert services.briefing_status(db.session, programme, person).done


def test_briefing_not_required_lets_people_go_out():
    programme = make_programme()
    services.save_pack(
        db.session, programme, body="Read me", required=False, by=programme.organisers[0]
    )
    services.require_briefing(db.session, programme, make_user())


def test_briefing_sessions_never_overfill_and_one_per_person():
    programme = make_programme()
    small, other = (
        make_briefing_session(programme, capacity=1),
        make_briefing_session(programme, days_before=2),
    )
    person = make_user()
    services.join_session(db.session, small, programme, user=person)
    with pytest.raises(Conflict, match="full"):
        services.join_session(db.session, small, programme, user=make_user())
    with pytest.raises(Conflict, match="already booked"):
        services.join_session(db.session, other, programme, user=person)
    booking = services.my_booking(db.session, programme, person)
    services.leave_session(db.session, booking, by=person)
    db.session.refresh(small)
    assert small.seats_taken == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"capacity": 0}, "between 1 and 1000"),
        ({"hours": -1}, "ends before it starts"),
        ({"online_url": "ftp://x"}, "https://"),
        ({"location": ""}, "place or an online link"),
    ],
)
def test_bad_session_input_is_refused(change, message):
    programme = make_programme()
    start = utcnow() + timedelta(days=1)
    data = SessionInput(
        starts_at=start,
        ends_at=start + timedelta(hours=change.pop("hours", 1)),
        location=change.pop("location", "Room"),
        online_url=change.pop("online_url", ""),
        capacity=change.pop("capacity", 5),
    )
    with pytest.raises(DomainError, match=message):
        services.create_session(db.session, programme, data, by=programme.organisers[0])


def test_tasks_reach_exactly_the_people_they_are_for():
    programme = make_programme()
    calls = make_activity(programme, kind="call_listening", title="Calls")
    store = make_activity(programme, day=1, kind="customer_observation", title="Store")
    on_calls, on_store, named, nobody = (
        make_user(),
        make_user(),
        make_user(email="n@example.com"),
        make_user(),
    )
    sign_up(db.session, calls, user=on_calls)
    sign_up(db.session, store, user=on_store)
    by = programme.organisers[0]
    slot_task = tasks.create_task(
        db.session,
        programme,
        TaskInput(question="What do callers ask first?", scope="slot", activity_id=calls.id),
        by=by,
    )
    kind_task = tasks.create_task(
        db.session,
        programme,
        TaskInput(
            question="Where do shoppers hesitate?", scope="kind", kind="customer_observation"
        ),
        by=by,
    )
    named_task = tasks.create_task(
        db.session,
        programme,
        TaskInput(question="Compare the two stores", scope="people", emails=["N@example.com"]),
        by=by,
    )

    def questions(user):  # type: ignore[no-untyped-def]
        return [t.id for t in tasks.my_tasks(db.session, user)]

    assert questions(on_calls) == [slot_task.id]
    assert questions(on_store) == [kind_task.id]
    assert questions(named) == [named_task.id]
    assert questions(nobody) == []
    tasks.retire_task(db.session, slot_task, programme, by=by)
    assert questions(on_calls) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (TaskInput(question="", scope="slot"), "Question is required"),
        (TaskInput(question="Q", scope="everyone"), "Choose who the task is for"),
        (TaskInput(question="Q", scope="slot", activity_id=999), "Pick a slot"),
        (TaskInput(question="Q", scope="kind", kind="skydiving"), "Pick a kind"),
        (TaskInput(question="Q", scope="people", emails=[]), "at least one person"),
        (
            TaskInput(question="Q", scope="people", emails=["ghost@example.com"]),
            "No account for ghost",
        ),
        (TaskInput(question="Q" * 501, scope="people", emails=["x@example.com"]), "too long"),
    ],
)
def test_bad_task_input_is_refused(data, message):
    programme = make_programme()
    with pytest.raises(DomainError, match=message):
        tasks.create_task(db.session, programme, data, by=programme.organisers[0])


def test_another_programmes_slot_cannot_be_targeted():
    programme, other = make_programme(), make_programme()
    foreign = make_activity(other)
    with pytest.raises(DomainError, match="Pick a slot of this programme"):
        tasks.create_task(
            db.session,
            programme,
            TaskInput(question="Q", scope="slot", activity_id=foreign.id),
            by=programme.organisers[0],
        )


def test_readiness_board_and_reminders(outbox):
    programme = make_programme()
    slot = make_activity(programme)
    ready, unready = make_user(name="Ready"), make_user(name="Unready", email="u@example.com")
    sign_up(db.session, slot, user=ready)
    sign_up(db.session, slot, user=unready)
    services.acknowledge(db.session, programme, user=ready)
    tasks.create_task(
        db.session,
        programme,
        TaskInput(question="Q", scope="people", emails=[ready.email]),
        by=programme.organisers[0],
    )
    board = readiness(db.session, programme, by=programme.organisers[0])
    [(_, people)] = board.slots
    state = {p.user.name: (p.acknowledged, p.has_task) for p in people}
    assert state == {"Ready": (True, True), "Unready": (False, False)}
    assert send_reminders(db.session, programme, by=programme.organisers[0]) == 1
    db.session.commit()
    [mail] = outbox()
    assert "u@example.com" in mail and "briefing" in mail


def test_organisers_choose_whether_a_session_is_needed_and_the_gate_says_what_is_missing():
    programme = make_programme()
    slot = make_activity(programme)
    person = make_user()
    sign_up(db.session, slot, user=person)
    briefing = make_briefing_session(programme)
    organiser = programme.organisers[0]
    status = services.briefing_status(db.session, programme, person)
    assert status.missing(programme.timezone) == [
        "read and acknowledge the briefing pack",
        "book and attend a briefing session",
    ]
    services.acknowledge(db.session, programme, user=person)
    services.join_session(db.session, briefing, programme, user=person)
    when = format_local(briefing.starts_at, programme.timezone)
    with pytest.raises(BriefingRequired, match=f"attend the briefing session on {when}"):
        services.require_briefing(db.session, programme, person)
    services.save_pack(
        db.session, programme, body="Listen.", required=True, session_required=False, by=organiser
    )
    assert services.briefing_status(db.session, programme, person).done
    services.require_briefing(db.session, programme, person)  # the pack is enough now
    assert readiness(db.session, programme, by=organiser).not_ready() == []


def test_check_in_by_code_or_near_the_start():
    programme = make_programme()
    slot = make_activity(programme)
    person = make_user()
    sign_up(db.session, slot, user=person)
    for code in (None, slot.checkin_code):  # days ahead: not by code either
        with pytest.raises(Conflict, match=r"Check-in opens .*, 30 minutes before the start"):
            attendance.check_in(db.session, slot, user=person, code=code)
    move_to(slot, timedelta(minutes=25))
    with pytest.raises(DomainError, match="does not match"):
        attendance.check_in(db.session, slot, user=person, code="WRONG1")
    signup = attendance.check_in(db.session, slot, user=person, code=slot.checkin_code.lower())
    assert signup.arrived_at is not None
    with pytest.raises(Conflict, match="confirmed place"):
        attendance.check_in(db.session, slot, user=make_user(), code=slot.checkin_code)


def test_check_in_closes_when_the_slot_ends():
    slot = make_activity(make_programme())
    person, late = make_user(), make_user()
    sign_up(db.session, slot, user=person)
    sign_up(db.session, slot, user=late)
    move_to(slot, timedelta(hours=-1), hours=2)  # under way: "I'm here" without a code
    assert attendance.check_in(db.session, slot, user=person).arrived_at is not None
    move_to(slot, timedelta(hours=-3), hours=2)  # over
    with pytest.raises(Conflict, match="This slot is over; ask an organiser"):
        attendance.check_in(db.session, slot, user=late, code=slot.checkin_code)


def test_im_here_works_from_half_an_hour_before(monkeypatch):
    programme = make_programme()
    slot = make_activity(programme)
    person = make_user()
    sign_up(db.session, slot, user=person)
    monkeypatch.setattr(
        "app.signups.attendance.utcnow", lambda: slot.starts_at - timedelta(minutes=20)
    )
    assert attendance.check_in(db.session, slot, user=person).arrived_at is not None


def test_organiser_marks_no_show_and_arrival():
    programme = make_programme()
    slot = make_activity(programme)
    signup = sign_up(db.session, slot, user=make_user())
    organiser = programme.organisers[0]
    attendance.mark_arrival(db.session, signup, arrived=False, by=organiser)
    assert signup.no_show and signup.arrived_at is None
    attendance.mark_arrival(db.session, signup, arrived=True, by=organiser)
    assert not signup.no_show and signup.arrived_at is not None
    with pytest.raises(NotAllowed):
        attendance.mark_arrival(db.session, signup, arrived=True, by=signup.user)


def test_every_slot_gets_its_own_check_in_code():
    programme = make_programme()
    codes = {make_activity(programme, day=n % 5, hour=8 + n).checkin_code for n in range(10)}
    assert len(codes) == 10 and all(len(c) == 6 for c in codes)
