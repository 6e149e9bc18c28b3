"""The day as it happens, on a phone: the briefing gate, a slot under way, checking in."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from app.extensions import db
from app.signups.services import sign_up
from tests.e2e.test_signup_flow import sign_in
from tests.factories import make_activity, make_programme, make_user, move_to


def test_the_briefing_gate_comes_before_typing(server: str, page: Page) -> None:
    programme = make_programme(title="Closeness week")
    slot = make_activity(programme, title="Shelf watching", kind="customer_observation")
    sign_up(db.session, slot, user=make_user(email="gate@example.com"))
    slot_id = slot.id
    db.session.commit()
    sign_in(page, server, "gate@example.com")
    page.goto(f"{server}/activities/{slot_id}/notes/new/observation")
    expect(page.get_by_role("heading", name="Finish your briefing first")).to_be_visible()
    expect(page.get_by_text("Read and acknowledge the briefing pack")).to_be_visible()
    expect(page.get_by_label("What they did")).to_have_count(0)
    page.get_by_role("link", name="Open the briefing").tap()
    page.get_by_role("button", name="I have read the rules of observation").tap()
    expect(page.get_by_text("You are ready to go out.")).to_be_visible()
    page.goto(f"{server}/activities/{slot_id}/notes/new/observation")
    expect(page.get_by_label("The customer, in a few anonymous words")).to_be_visible()
    expect(page.get_by_label("When it happened")).to_be_visible()


def test_a_slot_under_way_checks_in_and_stays_on_record(server: str, page: Page) -> None:
    programme = make_programme(title="Closeness week")
    slot = make_activity(programme, title="Calls in Lyon")
    sign_up(db.session, slot, user=make_user(email="now@example.com"))
    move_to(slot, timedelta(minutes=-15))
    db.session.commit()
    sign_in(page, server, "now@example.com")
    expect(page.get_by_role("heading", name="Happening now Calls in Lyon")).to_be_visible()
    page.get_by_role("link", name="Check in now").tap()
    page.get_by_role("button", name="I'm here (no code)").tap()
    expect(page.get_by_text("You are checked in. Enjoy listening!")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel my place")).to_have_count(0)
    expect(page.get_by_role("link", name="Add to my calendar (.ics)")).to_have_count(0)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Schedule").tap()
    entry = page.locator("li.slot", has_text="Calls in Lyon")
    expect(entry.get_by_text("Happening now")).to_be_visible()
    expect(entry.get_by_role("button", name="Cancel")).to_have_count(0)


def test_a_person_switches_to_a_12_hour_clock_and_every_time_follows(
    server: str, page: Page
) -> None:
    programme = make_programme(title="Closeness week")
    slot = make_activity(programme, title="Calls in Lyon", hour=14)
    sign_up(db.session, slot, user=make_user(email="clock@example.com"))
    db.session.commit()
    sign_in(page, server, "clock@example.com")
    expect(page.get_by_text("14:00\u201316:00").first).to_be_visible()  # en-GB: 24 hours
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Account").tap()
    page.get_by_label("12-hour (2:30 pm)").check()
    page.get_by_role("button", name="Save how times are shown").tap()
    expect(page.get_by_text("Times are now shown your way.")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").tap()
    expect(page.get_by_text("2:00\u2009\u2013\u20094:00\u202fpm").first).to_be_visible()
    assert page.get_by_text("14:00").count() == 0
