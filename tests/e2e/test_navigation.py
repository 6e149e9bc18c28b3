"""Getting around: a tab bar under the thumb on a phone, a top bar on a desk."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from app.accounts.models import Role
from app.extensions import db
from tests.e2e.test_signup_flow import sign_in
from tests.factories import make_user


def test_the_tab_bar_sits_at_the_bottom_of_a_phone_and_marks_where_you_are(
    server: str, page: Page
) -> None:
    make_user(email="tab@example.com")
    db.session.commit()
    sign_in(page, server, "tab@example.com")
    tabs = page.get_by_role("navigation", name="Main")
    links = tabs.get_by_role("link")
    expect(links).to_have_text(["Home", "Schedule", "Notes", "Library", "Debriefs"])
    box, height = tabs.bounding_box(), page.viewport_size["height"]  # type: ignore[index]
    assert box and abs(box["y"] + box["height"] - height) <= 1  # fixed to the bottom edge
    for n in range(5):
        tab = links.nth(n).bounding_box()
        assert tab and tab["height"] >= 44 and tab["width"] >= 44
    expect(tabs.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")

    tabs.get_by_role("link", name="Library").tap()
    expect(page).to_have_url(re.compile(r"/library$"))
    expect(tabs.get_by_role("link", name="Library")).to_have_attribute("aria-current", "page")
    expect(tabs.get_by_role("link", name="Home")).not_to_have_attribute("aria-current", "page")
    # Scrolled to the end of a long page, the last of it is not hidden under the bar.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    last = page.locator("main > *").last.bounding_box()
    assert last and last["y"] + last["height"] <= tabs.bounding_box()["y"] + 1  # type: ignore[index]

    # Account and signing out are under Account.
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Account").tap()
    expect(page.get_by_role("link", name="My tasks")).to_be_visible()
    page.get_by_role("button", name="Sign out").tap()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_a_desk_keeps_a_top_bar(server: str, browser: Browser) -> None:
    make_user(Role.ORGANISER, email="desk@example.com")
    db.session.commit()
    desk = {"viewport": {"width": 1280, "height": 800}, "has_touch": True, "locale": "en-GB"}
    context = browser.new_context(**desk)
    page = context.new_page()
    sign_in(page, server, "desk@example.com")
    tabs = page.get_by_role("navigation", name="Main")
    box = tabs.bounding_box()
    assert box and box["y"] < 60  # in the bar at the top
    account = page.get_by_role("navigation", name="Account")
    for name in ("My tasks", "People", "Account"):
        expect(account.get_by_role("link", name=name)).to_be_visible()
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()
    context.close()
