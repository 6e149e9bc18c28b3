"""For you on a phone: follow a channel, see the feed fill when a debrief is published, read
an insight, mark it read; follow a search from the library; axe on the new pages."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.debriefs import board as ops
from app.debriefs.services import publish
from app.extensions import db
from tests.e2e.test_pages import check_page
from tests.e2e.test_signup_flow import sign_in
from tests.factories import make_user


def test_follow_a_channel_see_it_published_read_it_and_mark_it_read(
    server: str, page: Page, fieldwork
) -> None:
    reader = make_user(name="Rita Reader", department="Finance")
    db.session.commit()
    sign_in(page, server, reader.email)
    home_tab = page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")
    expect(page.get_by_role("heading", name="For you")).to_be_visible()
    expect(
        page.get_by_text("Nothing yet: insights from published debriefs come here.")
    ).to_be_visible()

    # Account → Subscriptions: follow the call centre and turn the defaults off.
    page.get_by_role("link", name="Account").first.tap()
    page.get_by_role("link", name="Subscriptions: what comes to you in For you").tap()
    page.get_by_label("A channel (where it was heard)").select_option("call centre")
    page.get_by_role("button", name="Follow").first.tap()
    expect(page.get_by_text("Followed: what it brings shows in For you.")).to_be_visible()
    expect(page.locator(".followed")).to_contain_text("Call centre")
    page.get_by_role("button", name="Turn the defaults off").tap()
    expect(page.get_by_text("The defaults are off.")).to_be_visible()
    assert check_page(page, f"{server}/account/subscriptions") == []

    # A debrief is published whose insight rests on a call.
    debrief = fieldwork.open_debrief()
    call = fieldwork.notes[2]
    ops.save_insight(
        db.session,
        debrief,
        {
            "statement": "Refunds are the first thing callers ask for",
            "so_what": "Put the refund steps on the first screen",
            "evidence": [call.id],
        },
        user=fieldwork.facilitator,
    )
    shelf = fieldwork.notes[0]  # heard in a store: not followed, so not in the feed
    ops.save_insight(
        db.session,
        debrief,
        {"statement": "Unit prices hide", "evidence": [shelf.id]},
        user=fieldwork.facilitator,
    )
    publish(db.session, debrief, by=fieldwork.facilitator)
    db.session.commit()

    # Home says so, with a badge on the Home tab.
    page.goto(server)
    expect(home_tab).to_contain_text("1 new for you")
    section = page.locator("section.for-you")
    expect(section).to_contain_text("Refunds are the first thing callers ask for")
    expect(section).to_contain_text("You follow: Call centre")
    expect(section).to_contain_text("“I want my money back”")
    expect(section).not_to_contain_text("Unit prices hide")

    # All for you, read the insight, come back and mark it read.
    section.get_by_role("link", name="All for you").tap()
    expect(page.get_by_role("heading", name="For you", level=1)).to_be_visible()
    assert check_page(page, f"{server}/for-you") == []
    page.get_by_role("link", name="Refunds are the first thing callers ask for").tap()
    expect(page.get_by_text("Put the refund steps on the first screen")).to_be_visible()
    page.go_back()
    page.get_by_role("button", name="Mark as read").tap()
    expect(page.get_by_text("Marked as read.")).to_be_visible()
    expect(page.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(home_tab).not_to_contain_text("new for you")


def test_follow_a_search_from_the_library_on_a_phone(server: str, page: Page, fieldwork) -> None:
    reader = make_user(department="Finance")
    debrief = fieldwork.open_debrief()
    ops.save_insight(
        db.session,
        debrief,
        {"statement": "Stairs stop older shoppers", "evidence": [fieldwork.notes[1].id]},
        user=fieldwork.facilitator,
    )
    publish(db.session, debrief, by=fieldwork.facilitator)
    db.session.commit()
    sign_in(page, server, reader.email)
    page.goto(f"{server}/library?q=stairs")
    page.get_by_role("button", name="Follow this search").tap()
    expect(page.get_by_text("Search followed.")).to_be_visible()
    expect(page.get_by_text("You follow this search")).to_be_visible()  # said by the page itself
    expect(page.get_by_role("button", name="Follow this search")).to_have_count(0)
    page.goto(f"{server}/account/subscriptions")
    expect(page.locator(".followed")).to_contain_text("Search “stairs”")
    page.get_by_role("button", name="Get a feed address for this search").tap()
    address = page.get_by_label("Feed address of this search").input_value()
    assert address.startswith(server) and address.endswith(".atom")
    response = page.request.get(address)
    assert response.ok and b"Stairs stop older shoppers" in response.body()
