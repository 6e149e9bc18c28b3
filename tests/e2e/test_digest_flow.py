"""Digests on a 360 px phone: choose daily on Account, then stop them from an email's link
without being signed in; axe, no sideways scroll and 44 px targets on both pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from itsdangerous import URLSafeSerializer
from playwright.sync_api import Browser, Page, expect

from app.digests.services import SALT, frequency_of
from app.extensions import db
from tests.e2e.test_journeys import SMALL_TARGETS
from tests.e2e.test_pages import check_page
from tests.e2e.test_signup_flow import sign_in
from tests.factories import make_user


@pytest.fixture
def narrow(browser: Browser, browser_context_args: dict) -> Iterator[Page]:
    context = browser.new_context(
        **{**browser_context_args, "viewport": {"width": 360, "height": 740}}
    )
    yield context.new_page()
    context.close()


def test_choose_daily_then_stop_digests_from_the_link(server: str, narrow: Page) -> None:
    user = make_user(name="Dana Digest")
    db.session.commit()
    page = narrow
    sign_in(page, server, user.email)
    assert check_page(page, f"{server}/account") == []
    expect(page.get_by_label("Weekly")).to_be_checked()
    page.get_by_label("Daily").check()
    page.get_by_role("button", name="Save how often").tap()
    expect(page.get_by_text("Your digest comes daily.")).to_be_visible()
    expect(page.get_by_label("Daily")).to_be_checked()
    assert frequency_of(db.session, user) == "daily"

    page.context.clear_cookies()  # the link works without signing in
    # Signed as the server signs it: it has its own key (tests/live_server.py).
    token = URLSafeSerializer("live-server-secret-key-for-tests-only", salt=SALT).dumps(
        [user.id, 0]
    )
    url = f"{server}/digests/unsubscribe/{token}"
    assert check_page(page, url) == []
    assert page.evaluate(SMALL_TARGETS) == []
    expect(page.get_by_role("heading", name="Stop digest emails?")).to_be_visible()
    page.get_by_role("button", name="Stop digest emails").tap()
    expect(page.get_by_role("heading", name="No more digests")).to_be_visible()
    assert check_page(page, page.url) == []
    db.session.rollback()  # a new transaction sees what the server wrote
    assert frequency_of(db.session, user) == "off"
