"""Signing up, schedules, calendars and rosters over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from icalendar import Calendar

from app.accounts.models import Role
from app.db import utcnow
from app.extensions import db
from app.signups.models import Signup
from app.signups.services import sign_up
from tests.factories import make_activity, make_programme, make_user, move_to


def test_one_tap_sign_up_then_schedule_then_cancel(client, login_as):
    login_as()
    slot = make_activity(make_programme(), title="Listening in, Lyon")
    response = client.form(f"/activities/{slot.id}/signup", follow_redirects=True)
    assert "You are signed up for “Listening in, Lyon”" in response.get_data(as_text=True)
    schedule = client.get("/schedule").get_data(as_text=True)
    assert "Listening in, Lyon" in schedule and "Confirmed" in schedule
    signup = db.session.query(Signup).one()
    response = client.form(f"/signups/{signup.id}/cancel", follow_redirects=True)
    assert "Your place is cancelled" in response.get_data(as_text=True)
    assert "Listening in, Lyon" not in client.get("/schedule").get_data(as_text=True)


def test_full_slot_offers_the_waitlist_and_says_so(client, login_as):
    login_as()
    slot = make_activity(make_programme(), capacity=1)
    sign_up(db.session, slot, user=make_user())
    page = client.get(f"/activities/{slot.id}").get_data(as_text=True)
    assert "Join the waitlist" in page
    response = client.form(f"/activities/{slot.id}/signup", follow_redirects=True)
    assert "you are on the waitlist" in response.get_data(as_text=True)


def test_refusal_is_shown_in_plain_words(client, login_as):
    person = login_as()
    programme = make_programme()
    first = make_activity(programme, hour=9, title="Morning calls")
    clash = make_activity(programme, hour=10)
    sign_up(db.session, first, user=person)
    response = client.form(f"/activities/{clash.id}/signup", follow_redirects=True)
    assert "already down for “Morning calls”" in response.get_data(as_text=True)


def test_a_draft_says_it_is_not_open_yet_rather_than_closed(client, login_as):
    organiser = login_as(Role.ORGANISER)
    slot = make_activity(make_programme(organiser, publish=False))
    db.session.commit()
    page = client.get(f"/activities/{slot.id}").get_data(as_text=True)
    assert "Draft — not open for sign-up yet." in page and "closed" not in page


def test_a_started_slot_offers_no_cancel_and_no_calendar(client, login_as):
    person = login_as()
    slot = make_activity(make_programme(), title="Morning calls")
    later = make_activity(slot.programme, hour=15, title="Afternoon calls")
    sign_up(db.session, slot, user=person)
    sign_up(db.session, later, user=person)
    move_to(slot, timedelta(minutes=-30))
    db.session.commit()
    schedule = client.get("/schedule").get_data(as_text=True)
    assert schedule.count("Add to calendar") == 1 and schedule.count(">Cancel<") == 1
    assert "Happening now" in schedule and "<h2>Past</h2>" not in schedule
    move_to(slot, timedelta(days=-2))
    db.session.commit()
    schedule = client.get("/schedule").get_data(as_text=True)
    past = schedule.index("<h2>Past</h2>")
    assert schedule.index("Afternoon calls") < past < schedule.index("Morning calls")
    move_to(slot, timedelta(minutes=-30))
    db.session.commit()
    page = client.get(f"/activities/{slot.id}").get_data(as_text=True)
    assert "Cancel my place" not in page and ".ics" not in page
    assert "You were signed up" in page and "Check in on arrival" in page
    assert client.get(f"/activities/{slot.id}/calendar.ics").status_code == 409
    mine = db.session.query(Signup).filter_by(activity_id=slot.id).one()
    refused = client.form(f"/signups/{mine.id}/cancel", follow_redirects=True)
    assert "your place stays on record" in refused.get_data(as_text=True)
    db.session.refresh(mine)
    assert mine.status == "confirmed"
    upcoming = client.get(f"/activities/{later.id}").get_data(as_text=True)
    assert "Cancel my place" in upcoming and "Check-in opens" in upcoming


def test_slot_ics_has_the_utc_times_and_place(client, login_as):
    login_as()
    slot = make_activity(make_programme(), title="Store visit", location="Paris store")
    response = client.get(f"/activities/{slot.id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Store visit" and str(event["LOCATION"]) == "Paris store"
    assert event.decoded("DTSTART") == slot.starts_at


def test_private_feed_lists_my_slots_and_can_be_renewed_and_revoked(client, login_as):
    person = login_as()
    slot = make_activity(make_programme(), title="My slot")
    sign_up(db.session, slot, user=person)
    client.form("/account/calendar/renew")
    db.session.refresh(person)
    first = person.calendar_token
    feed = client.get(f"/calendar/{first}.ics")
    assert feed.status_code == 200 and b"My slot" in feed.data
    client.form("/account/calendar/renew")
    db.session.refresh(person)
    assert client.get(f"/calendar/{first}.ics").status_code == 404
    client.form("/account/calendar/revoke")
    db.session.refresh(person)
    assert person.calendar_token is None


def test_unknown_feed_token_is_404(client):
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def _csv_rows(response):  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_roster_csv_neutralises_formulas(client, login_as):
    organiser = login_as(Role.ORGANISER)
    slot = make_activity(make_programme(organiser))
    sign_up(db.session, slot, user=make_user(name='=HYPERLINK("http://x")', department="+1+1"))
    rows = _csv_rows(client.get(f"/activities/{slot.id}/people.csv"))
    assert rows[0][5] == "name" and rows[0][7] == "department"
    assert rows[1][5] == '\'=HYPERLINK("http://x")' and rows[1][7] == "'+1+1"


def test_programme_roster_csv_has_every_slot_person_status_and_check_in(client, login_as):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser)
    calls = make_activity(programme, title="Calls", capacity=1)
    shop = make_activity(programme, day=1, title="@shop", location="-Lyon")
    ann = make_user(name="Ann", department="Sales")
    sign_up(db.session, calls, user=ann)
    sign_up(db.session, calls, user=make_user(name="+Bob", department="=1+1"))
    came = sign_up(db.session, shop, user=make_user(name="Cy", department="Finance"))
    came.arrived_at = utcnow()
    response = client.get(f"/programmes/{programme.id}/roster.csv")
    assert response.mimetype == "text/csv"
    assert 'filename="roster-programme-' in response.headers["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == [
        "slot",
        "starts",
        "place",
        "status",
        "position",
        "name",
        "email",
        "department",
        "checked in",
    ]
    people = [(r[0], r[2], r[3], r[4], r[5], r[7], r[8]) for r in rows[1:]]
    assert people == [
        ("Calls", "Lyon call centre", "confirmed", "1", "Ann", "Sales", "no"),
        ("Calls", "Lyon call centre", "waitlisted", "1", "'+Bob", "'=1+1", ""),
        ("'@shop", "'-Lyon", "confirmed", "1", "Cy", "Finance", "yes"),
    ]
    assert rows[1][1] == f"{programme.starts_on.isoformat()} 10:00"  # in the programme's zone


def test_programme_roster_csv_is_linked_from_the_participation_page(client, login_as):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser)
    page = client.get(f"/programmes/{programme.id}/participation").get_data(as_text=True)
    assert f'href="/programmes/{programme.id}/roster.csv"' in page


@pytest.mark.parametrize("roles", [(), (Role.ORGANISER,), (Role.FACILITATOR,)])
def test_programme_roster_csv_is_refused_to_people_who_do_not_organise_it(client, login_as, roles):
    programme = make_programme()
    sign_up(db.session, make_activity(programme), user=make_user(email="secret@example.com"))
    login_as(*roles)
    response = client.get(f"/programmes/{programme.id}/roster.csv")
    assert response.status_code in (403, 404)
    assert "secret@example.com" not in response.get_data(as_text=True)


def test_programme_roster_csv_needs_signing_in(client):
    programme = make_programme()
    response = client.get(f"/programmes/{programme.id}/roster.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_programme_roster_csv_of_a_missing_or_others_draft_programme_is_404(client, login_as):
    login_as(Role.ORGANISER)
    draft = make_programme(publish=False)
    assert client.get(f"/programmes/{draft.id}/roster.csv").status_code == 404
    assert client.get("/programmes/9999/roster.csv").status_code == 404


def test_organiser_adds_moves_and_removes_people(client, login_as, outbox):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser)
    slot = make_activity(programme, capacity=1)
    other = make_activity(programme, day=1)
    ann, bob = (
        make_user(name="Ann", email="ann@example.com"),
        make_user(name="Bob", email="bob@example.com"),
    )
    assert "Ann added" in client.form(
        f"/activities/{slot.id}/people", {"email": ann.email}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Bob put on the waitlist" in client.form(
        f"/activities/{slot.id}/people", {"email": bob.email}, follow_redirects=True
    ).get_data(as_text=True)
    page = client.form(f"/activities/{slot.id}/people", {"email": "ghost@example.com"}).get_data(
        as_text=True
    )
    assert "No account for ghost@example.com" in page
    ann_signup = db.session.query(Signup).filter_by(user_id=ann.id).one()
    client.form(f"/signups/{ann_signup.id}/move", {"to": str(other.id)})
    statuses = {
        s.user_id: (s.activity_id, s.status)
        for s in db.session.query(Signup).filter(Signup.status != "cancelled")
    }
    assert statuses == {ann.id: (other.id, "confirmed"), bob.id: (slot.id, "confirmed")}
    assert any("bob@example.com" in m and "You have a place" in m for m in outbox())
    page = client.form(f"/signups/{ann_signup.id}/move", {"to": "abc"}, follow_redirects=True)
    assert "Pick the slot" in page.get_data(as_text=True)


def test_cancel_slot_tells_people(client, login_as, outbox):
    organiser = login_as(Role.ORGANISER)
    slot = make_activity(make_programme(organiser), title="Rainy day")
    sign_up(db.session, slot, user=make_user(email="x@example.com"))
    response = client.form(
        f"/activities/{slot.id}/cancel", {"understand": "y"}, follow_redirects=True
    )
    assert "1 person was told" in response.get_data(as_text=True)
    assert "Cancelled: Rainy day" in outbox()[0]


def test_once_sign_up_is_closed_the_pages_say_the_place_holds_instead_of_offering_cancel(
    client, login_as
):
    from app.programmes.services import change_status

    person = login_as()
    programme = make_programme()
    slot = make_activity(programme)
    sign_up(db.session, slot, user=person)
    change_status(db.session, programme, "close", by=programme.organisers[0])
    db.session.commit()
    for url in (f"/activities/{slot.id}", "/schedule"):
        page = client.get(url).get_data(as_text=True)
        assert "places no longer change" in page, url
        assert "/cancel" not in page, url
