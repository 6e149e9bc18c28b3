"""Programme and slot pages over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.briefings.tasks import TaskInput, create_task
from app.extensions import db
from app.programmes import services
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
    start = (programme.starts_on + timedelta(days=1)).isoformat() + "T10:00"
    form = {"starts_at": start, "copies": "99", "every_days": "1"}
    assert client.form(f"/activities/{slot.id}/duplicate", form).status_code == 200
    response = client.form(f"/activities/{slot.id}/duplicate", {**form, "copies": "2"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/programmes/{programme.id}"
    )
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 3


def test_duplicate_offers_right_after_the_original_and_makes_a_same_day_copy(client, login_as):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser)
    slot = make_activity(programme, hour=9, hours=2, title="Morning calls")
    day = programme.starts_on.isoformat()
    page = client.get(f"/activities/{slot.id}/duplicate").get_data(as_text=True)
    assert f'value="{day}T11:00"' in page  # the original ends at 11:00
    response = client.form(
        f"/activities/{slot.id}/duplicate",
        {"starts_at": f"{day}T11:00", "copies": "1", "every_days": "1"},
        follow_redirects=True,
    )
    assert "1 copy added." in response.get_data(as_text=True)
    copy = db.session.scalars(select(Activity).where(Activity.id != slot.id)).one()
    assert copy.title == "Morning calls" and copy.starts_at == slot.ends_at
    assert copy.ends_at - copy.starts_at == timedelta(hours=2)
    assert response.request.path == f"/activities/{copy.id}"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_at": ""}, "Say when the copy starts."),
        ({"starts_at": "tomorrow"}, "Not a valid datetime value"),
        ({"starts_at": "2099-01-01T10:00"}, "The slot must fall within the programme"),
        ({"copies": "3", "every_days": "0"}, "at least 1 day between them"),
        ({"copies": "0"}, "Between 1 and 50."),
        ({"copies": ""}, "Say how many copies to make."),
        ({"every_days": "x"}, "Not a valid integer value"),
    ],
)
def test_duplicate_form_says_what_is_wrong_and_keeps_what_was_typed(
    client, login_as, changes, message
):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser)
    slot = make_activity(programme)
    form = {
        "starts_at": programme.starts_on.isoformat() + "T15:30",
        "copies": "1",
        "every_days": "1",
        **changes,
    }
    response = client.form(f"/activities/{slot.id}/duplicate", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert 'aria-invalid="true"' in page
    if changes.get("starts_at", "x"):
        assert f'value="{form["starts_at"]}"' in page
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 1


def test_programme_page_shows_organisers_the_checklist_and_grouped_actions(client, login_as):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser, publish=False)
    make_activity(programme)
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Setup: 1 of 4 done" in page and 'class="card setup" open' in page
    assert "1 slot, 3 places." in page and "Write the briefing pack" in page
    assert f'href="/programmes/{programme.id}#status"' in page  # the Publish step
    for group in ("Prepare", "Follow sign-up", "Sign-up and debrief", "Close or archive"):
        assert f">{group}</h3>" in page
    assert f'href="/programmes/{programme.id}/roster.csv"' in page
    # Archiving is a link to its confirmation page, not a one-click form.
    assert f'href="/programmes/{programme.id}/archive"' in page
    assert f'action="/programmes/{programme.id}/archive"' not in page


def test_people_who_do_not_organise_see_no_checklist_or_organiser_actions(client, login_as):
    login_as(Role.ORGANISER)
    programme = make_programme()
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Setup:" not in page and "roster.csv" not in page and "Archive" not in page
    assert "Briefing" in page


@pytest.mark.parametrize(("action", "status"), [("close", "in_field"), ("archive", "archived")])
def test_closing_and_archiving_ask_for_a_ticked_box_first(client, login_as, action, status):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser)
    url = f"/programmes/{programme.id}/{action}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="understand"' in page and "Keep it as it is" in page
    refused = client.form(url)
    assert refused.status_code == 200
    assert "Tick “I understand” to go ahead." in refused.get_data(as_text=True)
    assert db.session.get(Programme, programme.id).status == "published"
    done = client.form(url, {"understand": "y"}, follow_redirects=True)
    assert f"Programme {services.PAST_TENSE[action]}." in done.get_data(as_text=True)
    assert db.session.get(Programme, programme.id).status == status


def test_confirming_without_the_form_token_changes_nothing(client, login_as):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser)
    response = client.post(f"/programmes/{programme.id}/archive", data={"understand": "y"})
    assert response.status_code == 400
    assert db.session.get(Programme, programme.id).status == "published"


@pytest.mark.parametrize("roles", [(), (Role.ORGANISER,)])
def test_only_its_organisers_reach_the_confirmation_pages(client, login_as, roles):
    login_as(*roles)
    programme = make_programme()
    slot = make_activity(programme)
    for url in (f"/programmes/{programme.id}/archive", f"/activities/{slot.id}/cancel"):
        assert client.get(url).status_code in (403, 404)
        assert client.form(url, {"understand": "y"}).status_code in (403, 404)
    assert db.session.get(Programme, programme.id).status == "published"
    assert not db.session.get(Activity, slot.id).is_cancelled


def test_cancelling_a_slot_says_who_will_be_told_and_needs_the_box(client, login_as, outbox):
    organiser = login_as(Role.ORGANISER)
    slot = make_activity(make_programme(organiser), title="Rainy day", capacity=1)
    sign_up(db.session, slot, user=make_user(email="x@example.com"))
    sign_up(db.session, slot, user=make_user())
    page = client.get(f"/activities/{slot.id}/cancel").get_data(as_text=True)
    assert "1 confirmed and 1 waiting: all 2 will be told by email" in page
    refused = client.form(f"/activities/{slot.id}/cancel").get_data(as_text=True)
    assert "Tick “I understand”" in refused and not db.session.get(Activity, slot.id).is_cancelled
    assert outbox() == []
    done = client.form(f"/activities/{slot.id}/cancel", {"understand": "y"}, follow_redirects=True)
    assert "Slot cancelled; 2 people were told." in done.get_data(as_text=True)
    assert db.session.get(Activity, slot.id).is_cancelled


def test_organiser_s_programme_page_queries_do_not_grow_with_slots_and_tasks(
    client, login_as, count_queries
):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser, length=10)
    counts = []
    for n in (3, 30):
        while len(programme.activities) < n:
            i = len(programme.activities)
            slot = make_activity(programme, day=i % 10, hour=8 + i // 10, hours=1)
            sign_up(db.session, slot, user=make_user())
            create_task(
                db.session,
                programme,
                TaskInput(question="Why?", scope="slot", activity_id=slot.id),
                by=organiser,
            )
        counts.append(_queries_for(client, count_queries, f"/programmes/{programme.id}"))
    assert counts[0] == counts[1]


def test_publish_page_lists_what_is_not_set_up_yet(client, login_as):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser, publish=False)
    page = client.get(f"/programmes/{programme.id}/publish").get_data(as_text=True)
    assert "Not everything is set up yet" in page and "No slots yet." in page
    assert 'name="understand"' not in page  # publishing can be undone by closing sign-up
