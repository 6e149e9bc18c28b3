"""Sign-up rules, called directly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.db import utcnow
from app.errors import Conflict, NotAllowed
from app.extensions import db
from app.programmes.services import cancel_activity, change_status
from app.signups import attendance
from app.signups.export import safe_cell
from app.signups.models import SignupStatus
from app.signups.services import cancel, move, my_signups, programme_roster, roster, sign_up
from tests.factories import make_activity, make_programme, make_user, move_to


def test_sign_up_confirms_while_places_remain():
    slot = make_activity(make_programme(), capacity=2)
    first = sign_up(db.session, slot, user=make_user())
    assert first.status == SignupStatus.CONFIRMED
    assert slot.seats_taken == 1


def test_full_slot_puts_newcomer_on_waitlist():
    slot = make_activity(make_programme(), capacity=1)
    sign_up(db.session, slot, user=make_user())
    second = sign_up(db.session, slot, user=make_user())
    assert second.status == SignupStatus.WAITLISTED
    assert slot.seats_taken == 1


def test_cancel_promotes_first_waiting_person_and_tells_them(outbox):
    slot = make_activity(make_programme(), capacity=1)
    holder = sign_up(db.session, slot, user=make_user())
    first_waiting = sign_up(db.session, slot, user=make_user(name="Wanda Waiting"))
    second_waiting = sign_up(db.session, slot, user=make_user())
    promoted = cancel(db.session, holder, by=holder.user)
    db.session.commit()
    assert promoted is not None and promoted.id == first_waiting.id
    assert first_waiting.status == SignupStatus.CONFIRMED
    assert second_waiting.status == SignupStatus.WAITLISTED
    assert slot.seats_taken == 1
    mails = outbox()
    assert len(mails) == 1
    assert "Wanda Waiting" in mails[0] and "You have a place" in mails[0]


def test_no_mail_is_sent_when_the_change_rolls_back(outbox):
    slot = make_activity(make_programme(), capacity=1)
    holder = sign_up(db.session, slot, user=make_user())
    sign_up(db.session, slot, user=make_user())
    db.session.commit()
    cancel(db.session, holder, by=holder.user)
    db.session.rollback()
    assert outbox() == []


def test_leaving_the_waitlist_promotes_nobody():
    slot = make_activity(make_programme(), capacity=1)
    sign_up(db.session, slot, user=make_user())
    waiting = sign_up(db.session, slot, user=make_user())
    assert cancel(db.session, waiting, by=waiting.user) is None
    assert slot.seats_taken == 1


def test_cancelling_twice_is_refused():
    slot = make_activity(make_programme())
    signup = sign_up(db.session, slot, user=make_user())
    cancel(db.session, signup, by=signup.user)
    with pytest.raises(Conflict, match="already cancelled"):
        cancel(db.session, signup, by=signup.user)
    assert slot.seats_taken == 0


def test_signing_up_twice_is_refused():
    slot = make_activity(make_programme())
    person = make_user()
    sign_up(db.session, slot, user=person)
    with pytest.raises(Conflict, match="already signed up"):
        sign_up(db.session, slot, user=person)


def test_person_can_sign_up_again_after_cancelling():
    slot = make_activity(make_programme())
    person = make_user()
    signup = sign_up(db.session, slot, user=person)
    cancel(db.session, signup, by=person)
    again = sign_up(db.session, slot, user=person)
    assert again.id == signup.id and again.status == SignupStatus.CONFIRMED


def test_overlapping_slots_are_refused_with_the_clash_named():
    programme = make_programme()
    morning = make_activity(programme, hour=9, hours=3, title="Morning calls")
    overlapping = make_activity(programme, hour=11, hours=2)
    person = make_user()
    sign_up(db.session, morning, user=person)
    with pytest.raises(Conflict, match="Morning calls"):
        sign_up(db.session, overlapping, user=person)


def test_back_to_back_slots_do_not_overlap():
    programme = make_programme()
    person = make_user()
    sign_up(db.session, make_activity(programme, hour=9, hours=2), user=person)
    later = sign_up(db.session, make_activity(programme, hour=11, hours=2), user=person)
    assert later.status == SignupStatus.CONFIRMED


def test_waitlist_place_counts_as_holding_the_time():
    programme = make_programme()
    full = make_activity(programme, hour=9, capacity=1)
    sign_up(db.session, full, user=make_user())
    person = make_user()
    sign_up(db.session, full, user=person)
    with pytest.raises(Conflict, match="at that time"):
        sign_up(db.session, make_activity(programme, hour=10), user=person)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"signup_opens_at": utcnow() + timedelta(hours=2)}, "Sign-up opens"),
        (
            {
                "signup_opens_at": utcnow() - timedelta(days=3),
                "signup_closes_at": utcnow() - timedelta(hours=1),
            },
            "Sign-up closed",
        ),
    ],
)
def test_sign_up_only_while_the_window_is_open(change, message):
    slot = make_activity(make_programme(**change))
    with pytest.raises(Conflict, match=message):
        sign_up(db.session, slot, user=make_user())


def test_draft_and_closed_programmes_refuse_sign_up():
    draft = make_programme(publish=False)
    with pytest.raises(Conflict, match=r"^Draft — not open for sign-up yet\.$"):
        sign_up(db.session, make_activity(draft), user=make_user())
    published = make_programme()
    slot = make_activity(published)
    change_status(db.session, published, "close", by=published.organisers[0])
    with pytest.raises(Conflict, match="closed"):
        sign_up(db.session, slot, user=make_user())


def test_organiser_can_add_after_the_deadline_but_capacity_still_holds():
    programme = make_programme()
    slot = make_activity(programme, capacity=1)
    change_status(db.session, programme, "close", by=programme.organisers[0])
    organiser = programme.organisers[0]
    added = sign_up(db.session, slot, user=make_user(), by=organiser)
    extra = sign_up(db.session, slot, user=make_user(), by=organiser)
    assert (added.status, extra.status) == (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


def test_only_organisers_of_the_programme_add_other_people():
    slot = make_activity(make_programme())
    other_organiser = make_user(Role.ORGANISER)
    with pytest.raises(NotAllowed):
        sign_up(db.session, slot, user=make_user(), by=other_organiser)
    with pytest.raises(NotAllowed):
        sign_up(db.session, slot, user=make_user(), by=make_user())


def test_employee_cannot_cancel_someone_elses_signup():
    slot = make_activity(make_programme())
    signup = sign_up(db.session, slot, user=make_user())
    with pytest.raises(NotAllowed):
        cancel(db.session, signup, by=make_user())


def test_a_started_slot_is_on_record_the_person_cannot_cancel_an_organiser_can():
    slot = make_activity(make_programme())
    person, waiting = make_user(), make_user()
    mine = sign_up(db.session, slot, user=person)
    full = make_activity(slot.programme, capacity=1, hour=14)
    sign_up(db.session, full, user=make_user())
    queued = sign_up(db.session, full, user=waiting)
    assert queued.status == SignupStatus.WAITLISTED
    move_to(slot, timedelta(minutes=-5))
    move_to(full, timedelta(days=-1))
    with pytest.raises(Conflict, match="This slot has started, so your place stays on record"):
        cancel(db.session, mine, by=person)
    with pytest.raises(Conflict, match="has started"):
        cancel(db.session, queued, by=waiting)  # the waitlist too
    with pytest.raises(Conflict, match="already started"):
        sign_up(db.session, slot, user=make_user())
    assert mine.status == SignupStatus.CONFIRMED
    cancel(db.session, mine, by=slot.programme.organisers[0])
    assert mine.status == SignupStatus.CANCELLED


def test_once_checked_in_the_person_cannot_cancel():
    slot = make_activity(make_programme())
    person = make_user()
    mine = sign_up(db.session, slot, user=person)
    move_to(slot, timedelta(minutes=20))  # check-in is open, the slot has not started
    attendance.check_in(db.session, slot, user=person)
    with pytest.raises(Conflict, match="You are checked in, so your place stays on record"):
        cancel(db.session, mine, by=person)
    assert mine.status == SignupStatus.CONFIRMED


def test_move_frees_the_old_place_and_takes_the_new_one():
    programme = make_programme()
    old = make_activity(programme, hour=9, capacity=1)
    new = make_activity(programme, day=1, hour=9, capacity=1)
    signup = sign_up(db.session, old, user=make_user())
    waiting = sign_up(db.session, old, user=make_user())
    moved = move(db.session, signup, new, by=programme.organisers[0])
    assert moved.activity_id == new.id and moved.status == SignupStatus.CONFIRMED
    assert waiting.status == SignupStatus.CONFIRMED
    assert (old.seats_taken, new.seats_taken) == (1, 1)


def test_cancelling_a_slot_tells_its_people(outbox):
    slot = make_activity(make_programme(), capacity=1, title="Store visit")
    sign_up(db.session, slot, user=make_user())
    sign_up(db.session, slot, user=make_user())
    told = cancel_activity(db.session, slot, by=slot.programme.organisers[0])
    db.session.commit()
    assert told == 2
    assert slot.seats_taken == 0
    assert all("Cancelled: Store visit" in m for m in outbox()) and len(outbox()) == 2
    with pytest.raises(Conflict, match="cancelled"):
        sign_up(db.session, slot, user=make_user())


def test_schedule_and_roster_are_in_order():
    programme = make_programme()
    later = make_activity(programme, day=2)
    sooner = make_activity(programme, day=0, capacity=1)
    person = make_user()
    sign_up(db.session, later, user=person)
    sign_up(db.session, sooner, user=person)
    waiting = sign_up(db.session, sooner, user=make_user())
    assert [s.activity_id for s in my_signups(db.session, person)] == [sooner.id, later.id]
    r = roster(db.session, sooner, by=programme.organisers[0])
    assert [s.user_id for s in r.confirmed] == [person.id]
    assert [s.id for s in r.waitlist] == [waiting.id]


def test_programme_roster_lists_every_slot_in_time_order_with_its_people():
    programme = make_programme()
    later = make_activity(programme, day=1, capacity=1)
    first = make_activity(programme, capacity=2)
    empty = make_activity(programme, day=2)
    ann, bob, cy = make_user(name="Ann"), make_user(name="Bob"), make_user(name="Cy")
    sign_up(db.session, later, user=ann)
    sign_up(db.session, later, user=bob)  # waits
    sign_up(db.session, first, user=cy)
    gone = sign_up(db.session, first, user=make_user())
    cancel(db.session, gone, by=gone.user)
    rows = programme_roster(db.session, programme, by=programme.organisers[0])
    assert [a for a, _ in rows] == [first, later, empty]
    assert [[s.user.name for s in r.confirmed] for _, r in rows] == [["Cy"], ["Ann"], []]
    assert [[s.user.name for s in r.waitlist] for _, r in rows] == [[], ["Bob"], []]


def test_programme_roster_is_for_its_organisers_only():
    programme = make_programme()
    for person in (make_user(), make_user(Role.ORGANISER)):
        with pytest.raises(NotAllowed):
            programme_roster(db.session, programme, by=person)


def test_programme_roster_queries_do_not_grow_with_slots(count_queries):
    programme = make_programme(length=5)
    counts = []
    for n in (2, 20):
        while len(programme.activities) < n:
            i = len(programme.activities)
            slot = make_activity(programme, day=i % 5, hour=8 + i // 5, hours=1)
            sign_up(db.session, slot, user=make_user())
        db.session.commit()
        db.session.expire_all()
        organiser = programme.organisers[0]
        assert not organiser.is_admin  # roles loaded, as they are for the signed-in person
        with count_queries() as statements:
            rows = programme_roster(db.session, programme, by=organiser)
            [s.user.email for _, r in rows for s in r.confirmed]
        counts.append(len(statements))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_roster_cells_that_a_spreadsheet_would_run_start_with_a_quote(start):
    assert safe_cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert safe_cell(f"a{start}b") == f"a{start}b"


def test_an_archived_programme_keeps_its_slots_and_people_as_they_were():
    programme = make_programme()
    organiser = programme.organisers[0]
    slot = make_activity(programme, capacity=2)
    other = make_activity(programme, day=1)
    signup = sign_up(db.session, slot, user=make_user())
    change_status(db.session, programme, "archive", by=organiser)
    attempts = [
        lambda: cancel(db.session, signup, by=signup.user),
        lambda: cancel(db.session, signup, by=organiser),
        lambda: move(db.session, signup, other, by=organiser),
        lambda: sign_up(db.session, slot, user=make_user(), by=organiser),
        lambda: cancel_activity(db.session, slot, by=organiser),
        lambda: attendance.mark_arrival(db.session, signup, arrived=True, by=organiser),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict, match="archived"):
            attempt()
    assert signup.status == SignupStatus.CONFIRMED and slot.cancelled_at is None


def test_once_sign_up_is_closed_people_keep_their_place_and_organisers_can_change_it():
    programme = make_programme()
    slot = make_activity(programme)
    signup = sign_up(db.session, slot, user=make_user())
    change_status(db.session, programme, "close", by=programme.organisers[0])
    with pytest.raises(Conflict, match="Sign-up for this programme is closed"):
        cancel(db.session, signup, by=signup.user)
    cancel(db.session, signup, by=programme.organisers[0])
    assert signup.status == SignupStatus.CANCELLED


def test_a_slot_that_is_over_cannot_be_cancelled(outbox):
    programme = make_programme()
    slot = make_activity(programme)
    sign_up(db.session, slot, user=make_user())
    move_to(slot, timedelta(hours=-3))
    with pytest.raises(Conflict, match="over"):
        cancel_activity(db.session, slot, by=programme.organisers[0])
    db.session.commit()
    assert slot.cancelled_at is None and outbox() == []
