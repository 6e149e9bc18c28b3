"""On phones: an organiser writes a task for a slot; the employee on that slot reads the briefing,
acknowledges it and sees the task; an employee on another slot does not see it."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from app.accounts.models import Role
from app.extensions import db
from app.signups.services import sign_up
from tests.e2e.test_signup_flow import sign_in
from tests.factories import make_activity, make_programme, make_user

QUESTION = "What makes people hesitate at the shelf?"


def test_task_and_briefing_reach_the_right_person(
    server: str, page: Page, browser: Browser, browser_context_args: dict
) -> None:
    organiser = make_user(Role.ORGANISER, email="org@example.com")
    programme = make_programme(organiser, title="Closeness week")
    shelf = make_activity(programme, title="Shelf watching", kind="customer_observation")
    calls = make_activity(programme, day=1, title="Calls in Lyon")
    sign_up(db.session, shelf, user=make_user(name="Ann", email="ann@example.com"))
    sign_up(db.session, calls, user=make_user(name="Bob", email="bob@example.com"))
    ids = {"programme": programme.id, "shelf": shelf.id}
    db.session.commit()

    # The organiser writes the task for the shelf slot, on a phone.
    sign_in(page, server, "org@example.com")
    page.goto(f"{server}/programmes/{ids['programme']}")
    page.locator("#main").get_by_role("link", name="Tasks", exact=True).tap()
    page.get_by_role("link", name="Write a task").tap()
    page.get_by_label("Question to answer").fill(QUESTION)
    page.get_by_label("Prompts, one per line").fill("Look at the moment they compare prices")
    page.get_by_label("Everyone on one slot").check()
    page.get_by_label("Slot", exact=True).select_option(str(ids["shelf"]))
    page.get_by_role("button", name="Save task").tap()
    expect(page.get_by_text("Task saved.")).to_be_visible()

    # Ann, on the shelf slot: home shows what is next, the briefing to do and her task.
    ann_context = browser.new_context(**browser_context_args)
    ann = ann_context.new_page()
    sign_in(ann, server, "ann@example.com")
    expect(ann.get_by_role("heading", name="Next: Shelf watching")).to_be_visible()
    expect(ann.get_by_text(QUESTION)).to_be_visible()
    ann.get_by_role("link", name="Briefing: read and acknowledge the briefing pack").tap()
    expect(
        ann.get_by_text("Watch and listen first; ask questions only afterwards.")
    ).to_be_visible()
    ann.get_by_role("button", name="I have read the rules of observation").tap()
    expect(ann.get_by_text("You are ready to go out.")).to_be_visible()
    ann.get_by_role("link", name="Home").tap()
    expect(ann.get_by_role("link", name="Briefing done")).to_be_visible()
    ann.goto(f"{server}/activities/{ids['shelf']}")
    expect(ann.get_by_role("heading", name="Your task")).to_be_visible()
    expect(ann.get_by_text("Look at the moment they compare prices")).to_be_visible()
    ann_context.close()

    # Bob, on another slot, never sees it.
    bob_context = browser.new_context(**browser_context_args)
    bob = bob_context.new_page()
    sign_in(bob, server, "bob@example.com")
    expect(bob.get_by_role("heading", name="Next: Calls in Lyon")).to_be_visible()
    expect(bob.get_by_text(QUESTION)).to_have_count(0)
    bob.get_by_role("link", name="My tasks").first.tap()
    expect(bob.get_by_text("No task yet.")).to_be_visible()
    expect(bob.get_by_text(QUESTION)).to_have_count(0)
    bob_context.close()
