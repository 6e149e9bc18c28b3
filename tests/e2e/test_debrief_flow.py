"""Two people on one board from their phones; the facilitator publishes and downloads the PDF."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from app.extensions import db
from tests.debriefs.conftest import OBSERVATIONS, write_note
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
    page.get_by_label("Move to").select_option("new")
    page.get_by_label("Name of the new theme").fill("Shelf trouble")
    page.get_by_role("button", name="Move", exact=True).tap()
    expect(page.get_by_text("2 cards moved to “Shelf trouble”.")).to_be_visible()

    # Bob sees it within seconds without touching anything.
    expect(bob_page.get_by_role("heading", name="Shelf trouble")).to_be_visible(timeout=10_000)
    # A note Ann's phone synced late comes onto Bob's board the same way.
    write_note(ann, fieldwork.slots[0], {**OBSERVATIONS[0], "said": ["Is there a smaller pack?"]})
    db.session.commit()
    expect(bob_page.get_by_text("Is there a smaller pack?")).to_be_visible(timeout=10_000)
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


def test_ticking_cards_on_a_phone_brings_up_the_action_bar(
    server: str, page: Page, fieldwork
) -> None:
    debrief = fieldwork.open_debrief()
    ann = fieldwork.people[0]
    first, second, third = (n.id for n in fieldwork.notes)
    db.session.commit()
    sign_in(page, server, ann.email)
    page.goto(f"{server}/debriefs/{debrief.id}")
    bar = page.locator("#move-form")
    expect(bar).to_be_hidden()  # nothing ticked, no bar
    expect(page.get_by_text("Board version")).to_have_count(0)

    page.get_by_label(f"Select card {first}").check()
    page.get_by_label(f"Select card {second}").check()
    expect(bar).to_be_visible()
    expect(bar.get_by_text("2 cards ticked")).to_be_visible()
    # The bar is fixed at the bottom, just above the tab bar, and leaves it uncovered.
    tabs = page.get_by_role("navigation", name="Main")
    bar_box, tabs_box = bar.bounding_box(), tabs.bounding_box()
    assert bar_box and tabs_box
    assert abs(bar_box["y"] + bar_box["height"] - tabs_box["y"]) <= 2
    assert bar_box["width"] == page.viewport_size["width"]  # type: ignore[index]
    serious = [
        v["id"]
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []

    page.get_by_label(f"Select card {second}").uncheck()
    expect(bar.get_by_text("1 card ticked")).to_be_visible()
    bar.get_by_role("button", name="Untick all").tap()
    expect(bar).to_be_hidden()

    # With no theme yet, Insight from these goes straight to the form (no theme name needed).
    page.get_by_label(f"Select card {second}").check()
    bar.get_by_role("button", name="Insight from these").tap()
    expect(page.get_by_role("heading", name="New insight")).to_be_visible()
    page.go_back()

    # Move to a theme: a new one asks for its name.
    page.get_by_label(f"Select card {first}").check()
    page.get_by_label(f"Select card {second}").check()  # still ticked after Back
    expect(bar.get_by_text("2 cards ticked")).to_be_visible()
    expect(page.get_by_label("Name of the new theme")).to_be_visible()  # no theme yet
    page.get_by_label("Name of the new theme").fill("Shelf trouble")
    bar.get_by_role("button", name="Move", exact=True).tap()
    expect(page.get_by_text("2 cards moved to “Shelf trouble”.")).to_be_visible()
    expect(bar).to_be_hidden()
    theme = page.locator("section.theme", has=page.get_by_role("heading", name="Shelf trouble"))
    expect(theme.locator(".board-card")).to_have_count(2)

    # An existing theme needs no name.
    page.get_by_label(f"Select card {third}").check()
    page.get_by_label("Move to").select_option(label="Shelf trouble")
    expect(page.get_by_label("Name of the new theme")).to_be_hidden()
    bar.get_by_role("button", name="Move", exact=True).tap()
    expect(page.get_by_text("1 card moved to “Shelf trouble”.")).to_be_visible()
    expect(theme.locator(".board-card")).to_have_count(3)

    # Insight from these opens the insight form with the ticked cards as its evidence.
    page.get_by_label(f"Select card {first}").check()
    page.get_by_label(f"Select card {third}").check()
    bar.get_by_role("button", name="Insight from these").tap()
    expect(page.get_by_role("heading", name="New insight")).to_be_visible()
    evidence = page.get_by_role("group", name="Evidence").get_by_role("checkbox")
    expect(evidence).to_have_count(2)
    expect(page.get_by_label("Why is the big one dearer per gram?", exact=False)).to_be_checked()


def test_the_board_works_without_javascript(
    server: str, browser: Browser, browser_context_args: dict, fieldwork
) -> None:
    debrief = fieldwork.open_debrief()
    ann = fieldwork.people[0]
    first, second = fieldwork.notes[0].id, fieldwork.notes[1].id
    db.session.commit()
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, server, ann.email)
    page.goto(f"{server}/debriefs/{debrief.id}")
    expect(page.locator("#move-form")).to_be_visible()  # a plain form above the board
    page.get_by_label(f"Select card {first}").check()
    page.get_by_label(f"Select card {second}").check()
    page.get_by_label("Move to").select_option("new")
    page.get_by_label("Name of the new theme").fill("Shelf trouble")
    page.get_by_role("button", name="Move", exact=True).tap()
    expect(page.get_by_text("2 cards moved to “Shelf trouble”.")).to_be_visible()
    page.get_by_label(f"Select card {first}").check()
    page.get_by_role("button", name="Insight from these").tap()
    expect(page.get_by_role("heading", name="New insight")).to_be_visible()
    expect(page.get_by_role("group", name="Evidence").get_by_role("checkbox")).to_have_count(1)
    context.close()


def test_actions_read_as_a_list_and_open_to_edit_and_published_shows_findings_first(
    server: str, page: Page, fieldwork
) -> None:
    debrief = fieldwork.open_debrief()
    db.session.commit()
    sign_in(page, server, fieldwork.facilitator.email)
    page.goto(f"{server}/debriefs/{debrief.id}")
    page.get_by_label("What").fill("Add unit prices to shelf labels")
    page.get_by_label("Owner").fill("Retail team")
    page.get_by_label("Due").fill("2030-03-31")
    page.get_by_role("button", name="Add action").tap()
    expect(page.get_by_text("Action added.")).to_be_visible()

    # The action reads as one line of a list; its form stays folded until opened.
    item = page.locator(".agreed-list li").first
    expect(item).to_contain_text("Add unit prices to shelf labels")
    expect(item).to_contain_text("Retail team · due 31 Mar 2030 · Open")
    expect(item.get_by_label("Status")).to_be_hidden()
    item.get_by_text("Edit").tap()
    item.get_by_label("Status").select_option("doing")
    item.get_by_label("Owner").fill("Retail team, north")
    item.get_by_role("button", name="Save action").tap()
    expect(page.get_by_text("Action saved.")).to_be_visible()
    expect(page.locator(".agreed-list li").first).to_contain_text("Retail team, north")
    expect(page.locator(".agreed-list li").first).to_contain_text("Doing")

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish").tap()
    expect(page.get_by_text("Published: every reader can see it")).to_be_visible()
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert headings.index("Insights (0)") < headings.index("Actions (1)")
    assert headings.index("Actions (1)") < headings.index("Unsorted (3)")
    expect(page.locator(".agreed-list summary")).to_have_count(0)  # read only now
