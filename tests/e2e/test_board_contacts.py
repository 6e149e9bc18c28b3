"""On a phone, the board's fields warn while contact details are typed, and saving says what
was removed."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.extensions import db
from tests.e2e.test_signup_flow import sign_in

WARNING = "This looks like contact details. They are removed when you save"


def test_the_board_warns_while_typing_and_says_what_was_removed(
    server: str, page: Page, fieldwork
) -> None:
    debrief = fieldwork.open_debrief()
    db.session.commit()
    sign_in(page, server, fieldwork.people[0].email)
    page.goto(f"{server}/debriefs/{debrief.id}")

    name = page.get_by_label("New theme", exact=True)
    warning = page.locator("#theme-name-contacts")
    name.fill("Lifts")
    expect(warning).to_be_hidden()
    name.press_sequentially(", ring (415) 555-2671")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(WARNING)
    name.fill("Lifts")
    expect(warning).to_be_hidden()
    name.fill("Lifts, ring (415) 555-2671")
    page.get_by_role("button", name="Add theme").tap()
    expect(page.get_by_text("A phone number was removed from the theme's name")).to_be_visible()
    expect(page.get_by_role("heading", name="Lifts, ring [phone number removed]")).to_be_visible()

    # The insight form warns too, on each of its texts.
    page.get_by_label(f"Select card {fieldwork.notes[0].id}").check()
    page.get_by_role("button", name="Insight from these").tap()
    page.get_by_label("So what").fill("Write to lifts@example.com")
    expect(page.locator("#so_what-contacts")).to_be_visible()
    expect(page.locator("#statement-contacts")).to_be_hidden()
