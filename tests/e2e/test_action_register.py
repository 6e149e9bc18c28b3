"""The action register on a phone: an action's owner finds it from Account, filters to their
own, marks one doing with a progress note and sees it listed, then done: the colleague whose note
backed the insight it answers finds what came of it in For you; axe and no sideways scroll."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.debriefs import board as ops
from app.extensions import db
from tests.e2e.test_pages import check_page
from tests.e2e.test_signup_flow import sign_in


def test_owner_marks_an_action_doing_with_a_note_on_a_phone(
    server: str, page: Page, fieldwork
) -> None:
    debrief = fieldwork.open_debrief()
    owner, heard = fieldwork.people[0], fieldwork.people[1]
    insight = ops.save_insight(
        db.session,
        debrief,
        {"statement": "Shoppers cannot compare unit prices", "evidence": [fieldwork.notes[1].id]},
        user=fieldwork.facilitator,
    )
    for what, who in (
        ("Show the unit price on the shelf", owner.name),
        ("Text a window", "Logistics"),
    ):
        ops.save_action(
            db.session,
            debrief,
            {"what": what, "owner": who, "due_on": "2020-01-31", "insight_id": insight.id},
            user=fieldwork.facilitator,
        )
    db.session.commit()

    sign_in(page, server, owner.email)
    page.get_by_role("link", name="Account").first.tap()
    page.get_by_role("link", name="My actions: what I agreed to do at debriefs").tap()
    expect(page.get_by_role("heading", name="Action register")).to_be_visible()
    expect(page.get_by_label("Mine")).to_be_checked()
    expect(page.get_by_role("heading", name="1 action")).to_be_visible()
    assert check_page(page, page.url) == []

    # Every action, then back to mine with the filter form (a plain GET: no JS needed).
    page.get_by_role("link", name="Clear").tap()
    expect(page.get_by_role("heading", name="2 actions")).to_be_visible()
    page.get_by_label("Mine").check()
    page.get_by_role("button", name="Show").tap()
    expect(page).to_have_url(f"{server}/actions?mine=1&status=&programme=&department=")
    item = page.locator(".action-item", has_text="Show the unit price on the shelf")
    expect(item.get_by_text("Overdue")).to_be_visible()

    # Only one action is listed, so its update form is already open.
    expect(item.get_by_label("Doing")).to_be_visible()
    item.get_by_label("Doing").check()
    item.get_by_label("Progress note (optional)").fill("Spoke to the shelf team on Monday")
    item.get_by_role("button", name="Save progress").tap()

    expect(
        page.get_by_text("Progress saved: “Show the unit price on the shelf” is doing.")
    ).to_be_visible()
    item = page.locator(".action-item", has_text="Show the unit price on the shelf")
    expect(item.locator(".badge", has_text="Doing")).to_be_visible()
    expect(item.get_by_text("Spoke to the shelf team on Monday")).to_be_visible()
    assert "mine=1" in page.url
    assert check_page(page, page.url) == []

    # Done: the colleague whose note backed the insight hears what came of it.
    item.get_by_role("group", name="Status").get_by_label("Done").check()
    item.get_by_label("Progress note (optional)").fill("New shelf tickets in every store")
    item.get_by_role("button", name="Save progress").tap()
    expect(page.get_by_text("is done.")).to_be_visible()
    page.context.clear_cookies()
    sign_in(page, server, heard.email)
    page.goto(f"{server}/for-you")
    news = page.locator(".loop-news .feed-item", has_text="Show the unit price on the shelf")
    expect(news.get_by_text("New shelf tickets in every store")).to_be_visible()
    expect(news.get_by_text("Shoppers cannot compare unit prices")).to_be_visible()
    assert check_page(page, page.url) == []
    news.get_by_role("button", name="Mark as read").tap()
    expect(news.get_by_text("New", exact=True)).to_have_count(0)
