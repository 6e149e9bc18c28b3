"""Two people on one board from their phones; the facilitator publishes and downloads the PDF."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from app.extensions import db
from tests.e2e.test_signup_flow import sign_in


def test_two_people_sort_cards_together_and_the_facilitator_publishes(
    server: str, page: Page, browser: Browser, browser_context_args: dict, fieldwork
) -> None:
    debrief = fieldwork.open_debrief()
    ann, bob, fay = fieldwork.people[0], fieldwork.people[1], fieldwork.facilitator
    board = f"{server}/debriefs/{debrief.id}"
    db.session.commit()

    # Bob watches the board on his phone.
    bob_context = browser.new_context(**browser_context_args)
    bob_page = bob_context.new_page()
    sign_in(bob_page, server, bob.email)
    bob_page.goto(board)
    expect(bob_page.get_by_text("Why is the big one dearer per gram?")).to_be_visible()

    # Ann ticks two cards and moves them into a new theme.
    sign_in(page, server, ann.email)
    page.goto(board)
    page.get_by_label(f"Select card {fieldwork.notes[0].id}").check()
    page.get_by_label(f"Select card {fieldwork.notes[1].id}").check()
    page.get_by_label("Move the selected cards to").select_option("new")
    page.get_by_label("Name of the new theme").fill("Shelf trouble")
    page.get_by_role("button", name="Move selected").tap()
    expect(page.get_by_text("2 cards moved to “Shelf trouble”.")).to_be_visible()

    # Bob sees it within seconds without touching anything.
    expect(bob_page.get_by_role("heading", name="Shelf trouble")).to_be_visible(timeout=10_000)
    bob_page.get_by_role("button", name="+ Dot on Shelf trouble").tap()
    expect(bob_page.get_by_text("Dot placed: 4 left.")).to_be_visible()
    bob_context.close()

    # The facilitator publishes and takes the PDF.
    fay_context = browser.new_context(**browser_context_args, accept_downloads=True)
    fay_page = fay_context.new_page()
    sign_in(fay_page, server, fay.email)
    fay_page.goto(board)
    fay_page.on("dialog", lambda dialog: dialog.accept())
    fay_page.get_by_role("button", name="Publish").tap()
    expect(fay_page.get_by_text("Published: every reader can see it")).to_be_visible()
    with fay_page.expect_download() as download:
        fay_page.get_by_role("link", name="PDF (A4)").tap()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    fay_context.close()
