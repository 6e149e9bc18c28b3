"""An organiser on a phone: the setup checklist, a same-day copy of a slot, the roster of every
slot, confirming what cannot simply be undone (also without JavaScript), and the participation
table on a 360 px screen."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from app.accounts.models import Role
from app.extensions import db
from app.signups.services import sign_up
from tests.e2e.test_pages import check_page
from tests.e2e.test_signup_flow import sign_in
from tests.factories import make_activity, make_programme, make_user


def _draft_with_a_slot() -> tuple[int, int]:
    organiser = make_user(Role.ORGANISER, email="org@example.com")
    programme = make_programme(organiser, title="Closeness week", publish=False)
    slot = make_activity(programme, title="Calls in Lyon", hour=9, hours=2)
    sign_up(db.session, slot, user=make_user(name="Ann", department="=Sales"), by=organiser)
    db.session.commit()
    return programme.id, slot.id


def test_checklist_leads_to_publishing_and_a_same_day_copy(server: str, page: Page) -> None:
    programme_id, slot_id = _draft_with_a_slot()
    sign_in(page, server, "org@example.com")
    page.goto(f"{server}/programmes/{programme_id}")
    setup = page.locator("details.setup")
    expect(setup.get_by_text("Setup: 1 of 4 done")).to_be_visible()
    expect(setup.locator(".setup-step", has_text="Slots")).to_contain_text("Done")
    expect(setup.locator(".setup-step", has_text="Tasks")).to_contain_text("To do")
    # The Publish step leads to the Publish button, grouped with sign-up.
    setup.get_by_role("link", name="Publish").tap()
    status = page.get_by_role("group", name="Sign-up and debrief")
    status.get_by_role("button", name="Publish").tap()
    expect(page.get_by_text("Programme published.")).to_be_visible()
    expect(page.get_by_text("Setup: 2 of 4 done")).to_be_visible()

    # A second sitting the same day: the form offers the time the slot ends.
    page.goto(f"{server}/activities/{slot_id}")
    page.get_by_role("link", name="Duplicate").tap()
    starts = page.get_by_label("The copy starts")
    value = starts.input_value()
    assert value.endswith("T11:00"), value
    starts.fill("")
    page.get_by_role("button", name="Duplicate").tap()
    expect(page.get_by_text("Say when the copy starts.")).to_be_visible()
    expect(page.get_by_label("The copy starts")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("The copy starts").fill(value.replace("T11:00", "T14:30"))
    page.get_by_role("button", name="Duplicate").tap()
    expect(page.get_by_text("1 copy added.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calls in Lyon")
    expect(page.locator("dl.details")).to_contain_text(re.compile(r"2:30\s*PM|14:30"))


def test_roster_of_every_slot_downloads_from_the_programme_page(server: str, page: Page) -> None:
    programme_id, _ = _draft_with_a_slot()
    sign_in(page, server, "org@example.com")
    page.goto(f"{server}/programmes/{programme_id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Roster (CSV)").tap()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("slot,starts,place,status")
    assert "Calls in Lyon" in text and ",Ann," in text and "'=Sales" in text


def test_archiving_needs_the_box_ticked_even_without_javascript(
    server: str, browser: Browser, browser_context_args: dict
) -> None:
    programme_id, slot_id = _draft_with_a_slot()
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, server, "org@example.com")
    page.goto(f"{server}/activities/{slot_id}")
    page.get_by_role("link", name="Cancel this slot…").tap()
    expect(page.get_by_text("1 confirmed and 0 waiting")).to_be_visible()
    page.get_by_role("link", name="Keep it").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calls in Lyon")

    page.goto(f"{server}/programmes/{programme_id}")
    page.get_by_role("group", name="Close or archive").get_by_role("link", name="Archive…").tap()
    page.get_by_role("button", name="Archive").tap()
    expect(page.get_by_text("Tick “I understand” to go ahead.")).to_be_visible()
    page.get_by_label("I understand that it can no longer be changed").check()
    page.get_by_role("button", name="Archive").tap()
    expect(page.get_by_text("Programme archived.")).to_be_visible()
    expect(page.get_by_text("archived", exact=True)).to_be_visible()
    context.close()


def test_participation_table_and_organiser_pages_fit_a_360_px_phone(
    server: str, browser: Browser, browser_context_args: dict
) -> None:
    programme_id, slot_id = _draft_with_a_slot()
    context = browser.new_context(
        **{**browser_context_args, "viewport": {"width": 360, "height": 740}}
    )
    page = context.new_page()
    sign_in(page, server, "org@example.com")
    problems = []
    for path in (
        f"/programmes/{programme_id}",
        f"/programmes/{programme_id}/participation",
        f"/programmes/{programme_id}/publish",
        f"/programmes/{programme_id}/archive",
        f"/activities/{slot_id}/cancel",
        f"/activities/{slot_id}/duplicate",
    ):
        problems += check_page(page, server + path)
    assert problems == []
    page.goto(f"{server}/programmes/{programme_id}/participation")
    row = page.locator("table.cards-table tbody tr").first
    # Each slot is a card: its cells stack under the slot's name, each with its label.
    box = row.bounding_box()
    assert box is not None and box["width"] <= 360
    expect(row.get_by_role("cell").first).to_have_css("display", "flex")
    context.close()
