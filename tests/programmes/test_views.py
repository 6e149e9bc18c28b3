"""Programme and slot pages over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.extensions import db
from app.programmes.models import Activity, Programme
from app.signups.services import sign_up
from tests.factories import make_activity, make_programme, make_user, move_to


def programme_form(**changes):  # type: ignore[no-untyped-def]
    return {
        "title": "Closeness week",
        "purpose": "Meet customers",
        "customer_question": "Why?",
        "starts_on": "2030-03-02",
        "ends_on": "2030-03-06",
        "timezone": "Europe/Paris",
        "signup_opens_at": "2030-02-01T09:00",
        "signup_closes_at": "2030-03-01T17:00",
        **changes,
    }


def test_home_says_now_only_during_a_slot_and_keeps_the_past(client, login_as):
    person = login_as()
    programme = make_programme()
    went = make_activity(programme, title="Last week's calls")
    sign_up(db.session, went, user=person)
    move_to(went, timedelta(days=-7))
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "You have not signed up" not in home and "Nothing coming up" in home
    assert "Past" in home and "Last week&#39;s calls" in home
    soon = make_activity(programme, title="Shop floor")
    sign_up(db.session, soon, user=person)
    move_to(soon, timedelta(hours=2))
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "Next: Shop floor" in home and "Happening now" not in home
    move_to(soon, timedelta(minutes=-10))
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "Happening now</span> Shop floor" in home and "Check in now" in home


def test_the_main_navigation_marks_the_page_you_are_on(client, login_as):
    login_as()
    current = re.compile(r'<a href="([^"]+)" aria-current="page">')
    for path, marked in (("/", "/"), ("/notes", "/notes"), ("/notes/new", "/notes")):
        page = client.get(path).get_data(as_text=True)
        assert current.findall(page) == [marked], path
    account = client.get("/account").get_data(as_text=True)
    assert "Sign out" in account and "/people" not in account  # people: organisers only


def test_organiser_creates_a_draft_programme(client, login_as):
    login_as(Role.ORGANISER)
    response = client.form("/programmes/new", programme_form())
    assert response.status_code == 302
    programme = db.session.scalar(select(Programme))
    assert (
        programme.status == "draft" and programme.signup_opens_at.hour == 8
    )  # 09:00 Paris = 08:00 UTC


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": "2030-03-01"}, "ends before it starts"),
        ({"timezone": "Nowhere/City"}, "not a known time zone"),
        ({"signup_closes_at": "2030-01-01T09:00"}, "Sign-up must close after it opens"),
        ({"starts_on": "not a date"}, "Not a valid date value"),
        ({"title": "x" * 300}, "Field cannot be longer than 200"),
        ({"title": "<script>alert(1)</script>", "ends_on": "2020-01-01"}, "&lt;script&gt;"),
    ],
)
def test_bad_programme_input_is_explained_and_nothing_saved(client, login_as, changes, message):
    login_as(Role.ORGANISER)
    response = client.form("/programmes/new", programme_form(**changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Programme)) == 0


def test_error_is_tied_to_its_field(client, login_as):
    login_as(Role.ORGANISER)
    page = client.form("/programmes/new", programme_form(ends_on="2030-03-01")).get_data(
        as_text=True
    )
    assert 'id="ends_on-error"' in page and 'aria-describedby="ends_on-error"' in page


def test_organiser_adds_a_slot_and_bad_capacity_is_refused(client, login_as):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser)
    day = programme.starts_on.isoformat()
    slot = {
        "kind": "shopper_interview",
        "title": "Shelf talk",
        "location": "Lyon store",
        "starts_at": f"{day}T10:00",
        "ends_at": f"{day}T12:00",
        "capacity": "0",
    }
    page = client.form(f"/programmes/{programme.id}/activities/new", slot).get_data(as_text=True)
    assert "Places must be between 1 and 1000" in page
    slot["capacity"] = "4"
    slot["ends_at"] = f"{day}T09:00"
    page = client.form(f"/programmes/{programme.id}/activities/new", slot).get_data(as_text=True)
    assert "ends before it starts" in page
    slot["ends_at"] = f"{day}T12:00"
    slot["kind"] = "unknown"
    assert "Not a valid choice" in client.form(
        f"/programmes/{programme.id}/activities/new", slot
    ).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0
    slot["kind"] = "shopper_interview"
    assert client.form(f"/programmes/{programme.id}/activities/new", slot).status_code == 302
    assert db.session.scalar(select(Activity)).title == "Shelf talk"


def test_programme_page_filters_slots(client, login_as):
    login_as()
    programme = make_programme()
    make_activity(programme, kind="call_listening", title="Calls in Lyon")
    make_activity(
        programme,
        day=1,
        kind="customer_observation",
        title="Watch the checkout",
        location="Paris store",
    )
    page = client.get(f"/programmes/{programme.id}?kind=customer_observation").get_data(
        as_text=True
    )
    assert "Watch the checkout" in page and "Calls in Lyon" not in page
    page = client.get(f"/programmes/{programme.id}?place=lyon").get_data(as_text=True)
    assert "Calls in Lyon" in page and "Watch the checkout" not in page
    day2 = (programme.starts_on + timedelta(days=1)).isoformat()
    page = client.get(f"/programmes/{programme.id}?day={day2}").get_data(as_text=True)
    assert "Watch the checkout" in page and "Calls in Lyon" not in page


def test_user_text_is_escaped_on_pages(client, login_as):
    login_as()
    programme = make_programme(title="<img src=x onerror=alert(1)>")
    make_activity(programme, title="<script>alert(2)</script>")
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "<script>alert(2)" not in page and "&lt;script&gt;alert(2)" in page
    assert "<img src=x" not in page


def _queries_for(client, count_queries, url):  # type: ignore[no-untyped-def]
    client.get(url)  # warm caches
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_programme_page_and_schedule_queries_do_not_grow_with_slots(
    client, login_as, count_queries
):
    person = login_as()
    programme = make_programme(length=10)
    counts = []
    for n in (3, 30):
        while len(programme.activities) < n:
            i = len(programme.activities)
            slot = make_activity(programme, day=i % 10, hour=8 + i // 10, hours=1, capacity=2)
            sign_up(db.session, slot, user=person)
            sign_up(db.session, slot, user=make_user())
        counts.append(
            (
                _queries_for(client, count_queries, f"/programmes/{programme.id}"),
                _queries_for(client, count_queries, "/schedule"),
                _queries_for(client, count_queries, "/"),
            )
        )
    assert counts[0] == counts[1]


def test_participation_page_for_organisers(client, login_as):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser)
    slot = make_activity(programme, capacity=4, title="Quiet slot")
    sign_up(db.session, slot, user=make_user(department="Finance"))
    page = client.get(f"/programmes/{programme.id}/participation").get_data(as_text=True)
    assert "Quiet slot" in page and "Finance" in page and "1 of 4" in page


def test_publish_button_changes_the_status(client, login_as):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser, publish=False)
    response = client.form(f"/programmes/{programme.id}/publish", follow_redirects=True)
    assert "Programme published" in response.get_data(as_text=True)
    response = client.form(f"/programmes/{programme.id}/publish", follow_redirects=True)
    assert "cannot be published" in response.get_data(as_text=True)


def test_duplicate_form_makes_a_series(client, login_as):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser)
    slot = make_activity(programme)
    assert (
        client.form(
            f"/activities/{slot.id}/duplicate", {"copies": "99", "every_days": "1"}
        ).status_code
        == 200
    )
    assert (
        client.form(
            f"/activities/{slot.id}/duplicate", {"copies": "2", "every_days": "1"}
        ).status_code
        == 302
    )
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 3
