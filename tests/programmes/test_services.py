"""Programme and slot rules, called directly."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from app.accounts.models import Role
from app.errors import Conflict, DomainError, NotAllowed, NotFound
from app.extensions import db
from app.programmes.models import ProgrammeStatus
from app.programmes.services import (
    ActivityInput,
    change_status,
    create_activity,
    duplicate_activity,
    find_activities,
    get_programme,
    participation,
    update_activity,
    visible_programmes,
)
from app.signups.services import sign_up
from app.timefmt import in_zone, local_to_utc
from tests.factories import local, make_activity, make_programme, make_user


def slot_input(programme, **changes):  # type: ignore[no-untyped-def]
    start = local(programme, 0, 10)
    values = {
        "kind": "call_listening",
        "title": "Calls",
        "location": "Lyon",
        "online_url": "",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "capacity": 3,
    }
    return ActivityInput(**{**values, **changes})


def test_only_organisers_create_programmes():
    with pytest.raises(NotAllowed):
        make_programme(make_user())


def test_programme_starts_as_draft_visible_only_to_its_organisers():
    programme = make_programme(publish=False)
    stranger = make_user()
    assert programme.status == ProgrammeStatus.DRAFT
    assert programme not in visible_programmes(db.session, stranger)
    assert programme in visible_programmes(db.session, programme.organisers[0])
    assert programme in visible_programmes(db.session, make_user(Role.ADMIN))
    published = make_programme()
    assert published in visible_programmes(db.session, stranger)
    with pytest.raises(NotFound):
        get_programme(db.session, programme.id, user=stranger)
    assert get_programme(db.session, programme.id, user=programme.organisers[0]) is programme


def test_life_cycle_publish_close_archive():
    programme = make_programme(publish=False)
    organiser = programme.organisers[0]
    for action, status in (
        ("publish", "published"),
        ("close", "in_field"),
        ("archive", "archived"),
    ):
        change_status(db.session, programme, action, by=organiser)
        assert programme.status == status
    with pytest.raises(Conflict, match="archived cannot be published"):
        change_status(db.session, programme, "publish", by=organiser)


def test_another_organiser_cannot_change_a_programme():
    programme = make_programme()
    with pytest.raises(NotAllowed):
        change_status(db.session, programme, "close", by=make_user(Role.ORGANISER))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at_offset": -1}, "ends before it starts"),
        ({"capacity": 0}, "Capacity must be between"),
        ({"capacity": -3}, "Capacity must be between"),
        ({"capacity": "ten"}, "whole number"),
        ({"kind": "sky_diving"}, "Unknown kind"),
        ({"day": 30}, "within the programme"),
        ({"title": "x" * 201}, "too long"),
        ({"title": "  "}, "Title is required"),
        ({"title": "bad\x00byte"}, "NUL"),
        ({"online_url": "javascript:alert(1)"}, "https://"),
        ({"location": ""}, "place or an online link"),
    ],
)
def test_bad_slot_input_is_refused_and_nothing_is_saved(changes, message):
    programme = make_programme()
    data = slot_input(programme)
    if "ends_at_offset" in changes:
        data = replace(
            data, ends_at=data.starts_at + timedelta(hours=changes.pop("ends_at_offset"))
        )
    if "day" in changes:
        start = local(programme, changes.pop("day"), 10)
        data = replace(data, starts_at=start, ends_at=start + timedelta(hours=1))
    data = replace(data, **changes)
    with pytest.raises(DomainError, match=message):
        create_activity(db.session, programme, data, by=programme.organisers[0])
    assert programme.activities == []


def test_programme_dates_out_of_order_are_refused():
    with pytest.raises(DomainError, match="ends before it starts"):
        make_programme(length=-2)


def test_unknown_time_zone_is_refused():
    with pytest.raises(DomainError, match="not a known time zone"):
        make_programme(timezone="Mars/Olympus")


def test_times_are_stored_in_utc_and_shown_in_the_programme_zone():
    programme = make_programme()
    start = local_to_utc(
        datetime.combine(programme.starts_on, datetime.min.time()).replace(hour=10),
        "Europe/Paris",
        field="t",
    )
    slot = create_activity(
        db.session,
        programme,
        slot_input(programme, starts_at=start, ends_at=start + timedelta(hours=1)),
        by=programme.organisers[0],
    )
    db.session.commit()
    db.session.expire_all()
    assert slot.starts_at.utcoffset() == timedelta(0)
    assert in_zone(slot.starts_at, "Europe/Paris").hour == 10


def test_local_time_skipped_by_a_clock_change_is_refused():
    with pytest.raises(DomainError, match="does not exist"):
        local_to_utc(datetime(2026, 3, 29, 2, 30), "Europe/Paris", field="starts_at")


def test_capacity_cannot_drop_below_confirmed_people():
    programme = make_programme()
    slot = make_activity(programme, capacity=3)
    for _ in range(2):
        sign_up(db.session, slot, user=make_user())
    with pytest.raises(DomainError, match="2 people are confirmed"):
        update_activity(
            db.session, slot, slot_input(programme, capacity=1), by=programme.organisers[0]
        )


def test_duplicate_makes_a_daily_series_at_the_same_local_time():
    programme = make_programme(length=5)
    slot = make_activity(programme, hour=9)
    copies = duplicate_activity(
        db.session, slot, copies=3, every_days=1, by=programme.organisers[0]
    )
    assert [in_zone(c.starts_at, programme.timezone).hour for c in copies] == [9, 9, 9]
    assert [(c.starts_at - slot.starts_at).days for c in copies] == [1, 2, 3]


def test_duplicate_past_the_programme_end_is_refused_whole():
    programme = make_programme(length=2)
    slot = make_activity(programme)
    with pytest.raises(DomainError, match="within the programme"):
        duplicate_activity(db.session, slot, copies=3, every_days=1, by=programme.organisers[0])


def test_finds_slots_by_kind_day_and_place_in_the_database():
    programme = make_programme()
    calls = make_activity(programme, kind="call_listening", location="Lyon call centre")
    store = make_activity(programme, day=1, kind="customer_observation", location="Paris store")
    make_activity(programme, day=2, location="100% organic_shop")

    def found(**filters):  # type: ignore[no-untyped-def]
        return find_activities(db.session, programme, **filters).slots

    assert found(kind="customer_observation") == [store]
    assert found(day=programme.starts_on.isoformat()) == [calls]
    assert found(place="PARIS") == [store]
    assert found(place="%") == found(place="100%") and len(found(place="%")) == 1
    assert found(place="c_ll") == []
    with pytest.raises(DomainError, match="Pick a day"):
        found(day="someday")


def test_local_day_filter_uses_the_programme_time_zone():
    programme = make_programme()
    late = make_activity(programme, day=0, hour=23, hours=1)  # 23:00 Paris is 22:00 UTC
    assert find_activities(db.session, programme, day=programme.starts_on.isoformat()).slots == [
        late
    ]


def test_slots_come_a_page_at_a_time():
    programme = make_programme(length=3)
    slots = [make_activity(programme, day=n % 3, hour=8 + n // 3, hours=1) for n in range(7)]
    first = find_activities(db.session, programme, per_page=3)
    last = find_activities(db.session, programme, per_page=3, page=99)
    assert (first.matching, first.total, first.pages) == (7, 7, 3)
    assert first.slots == sorted(slots, key=lambda a: a.starts_at)[:3]
    assert last.page == 3 and len(last.slots) == 1


def test_participation_counts_fill_underfilled_and_departments():
    programme = make_programme()
    busy = make_activity(programme, capacity=2)
    quiet = make_activity(programme, day=1, capacity=4)
    sign_up(db.session, busy, user=make_user(department="Sales"))
    sign_up(db.session, busy, user=make_user(department="Finance"))
    sign_up(db.session, busy, user=make_user(department="Sales"))  # waitlisted
    sign_up(db.session, quiet, user=make_user(department="Sales"))
    p = participation(db.session, programme, by=programme.organisers[0])
    assert [(a.id, c, w) for a, c, w in p.slots] == [(busy.id, 2, 1), (quiet.id, 1, 0)]
    assert p.underfilled == [quiet]
    assert p.by_department == [("Sales", 2), ("Finance", 1)]
    assert (p.people, p.seats, p.taken) == (3, 6, 3)


def test_duplicate_can_make_a_copy_later_the_same_day():
    programme = make_programme()
    slot = make_activity(programme, hour=9, hours=2)
    [copy] = duplicate_activity(
        db.session,
        slot,
        starts_at=local(programme, 0, 14),
        copies=1,
        every_days=1,
        by=programme.organisers[0],
    )
    start, end = (in_zone(t, programme.timezone) for t in (copy.starts_at, copy.ends_at))
    assert start.date() == programme.starts_on and (start.hour, end.hour) == (14, 16)
    assert (copy.title, copy.capacity, copy.location) == (slot.title, slot.capacity, slot.location)


def test_duplicate_series_starts_at_the_chosen_time():
    programme = make_programme(length=5)
    slot = make_activity(programme, hour=9)
    copies = duplicate_activity(
        db.session,
        slot,
        starts_at=local(programme, 1, 15),
        copies=3,
        every_days=1,
        by=programme.organisers[0],
    )
    starts = [in_zone(c.starts_at, programme.timezone) for c in copies]
    assert [(s.date() - programme.starts_on).days for s in starts] == [1, 2, 3]
    assert {s.hour for s in starts} == {15}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"copies": 3, "every_days": 0}, "every_days", "at least 1 day between them"),
        ({"copies": 0}, "copies", "between 1 and 50"),
        ({"every_days": 40}, "every_days", "0 to 31 days"),
        ({"day": 9}, "starts_at", "within the programme"),
    ],
)
def test_duplicate_refuses_bad_input_with_its_field(changes, field, message):
    programme = make_programme(length=2)
    slot = make_activity(programme)
    values = {
        "copies": 1,
        "every_days": 1,
        "starts_at": local(programme, changes.pop("day", 0), 14),
    }
    with pytest.raises(DomainError, match=message) as refused:
        duplicate_activity(db.session, slot, by=programme.organisers[0], **{**values, **changes})
    assert refused.value.field == field
