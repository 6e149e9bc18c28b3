"""On a phone: sign in, find a slot, sign up, see it, cancel; the waiting person gets the place."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from app.extensions import db
from tests.factories import PASSWORD, make_activity, make_programme, make_user


def sign_in(page: Page, server: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_sign_up_cancel_and_waitlist_promotion_on_a_phone(
    server: str, page: Page, browser: Browser, browser_context_args: dict
) -> None:
    programme = make_programme(title="Closeness week")
    make_activity(programme, title="Calls in Lyon", capacity=1, kind="call_listening")
    make_activity(programme, day=1, title="Watch the checkout", kind="customer_observation")
    ann = make_user(name="Ann", email="ann@example.com")
    bob = make_user(name="Bob", email="bob@example.com")
    programme_id = programme.id
    db.session.commit()

    # Ann, on her phone: finds the call-listening slot with the filter and takes the last place.
    assert page.viewport_size and page.viewport_size["width"] < 500
    sign_in(page, server, ann.email)
    page.get_by_role("link", name="Closeness week").tap()
    page.get_by_label("Kind").select_option("call_listening")
    expect(page.get_by_text("1 of 2 slots")).to_be_visible()
    expect(page.get_by_role("heading", name="Watch the checkout")).to_have_count(0)
    page.get_by_role("button", name="Sign up").tap()
    expect(page.get_by_text("You are signed up for “Calls in Lyon”")).to_be_visible()

    # Bob, on another phone: the slot is full, so he joins the waitlist.
    bob_context = browser.new_context(**browser_context_args)
    bob_page = bob_context.new_page()
    sign_in(bob_page, server, bob.email)
    bob_page.goto(f"{server}/programmes/{programme_id}")
    slot = bob_page.locator("li.slot", has_text="Calls in Lyon")
    expect(slot.get_by_text("Full · waitlist open")).to_be_visible()
    slot.get_by_role("button", name="Join the waitlist").tap()
    expect(
        bob_page.get_by_role("status").filter(has_text="so you are on the waitlist")
    ).to_be_visible()
    expect(slot.get_by_text("You are on the waitlist")).to_be_visible()

    # Ann sees it in her schedule and cancels (accepting the confirmation).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Schedule").tap()
    entry = page.locator("li.slot", has_text="Calls in Lyon")
    expect(entry.get_by_text("Confirmed")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    entry.get_by_role("button", name="Cancel").tap()
    expect(page.get_by_text("Your place is cancelled")).to_be_visible()
    expect(page.locator("li.slot", has_text="Calls in Lyon")).to_have_count(0)

    # Bob now has the place.
    bob_page.goto(f"{server}/schedule")
    expect(
        bob_page.locator("li.slot", has_text="Calls in Lyon").get_by_text("Confirmed")
    ).to_be_visible()
    bob_page.screenshot(path=str(_shot("schedule-after-promotion")))
    bob_context.close()


def _shot(name: str):  # type: ignore[no-untyped-def]
    from tests.conftest import TMP

    return TMP / f"{re.sub(r'[^a-z-]', '', name)}.png"
