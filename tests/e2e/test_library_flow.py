"""The insight library on a phone: a reader searches, narrows, reads and stars an insight; a
facilitator writing an insight sees what other programmes heard before and links it; the
library works without JavaScript; its pages are accessible and fit a 360 px screen."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from app.briefings.services import acknowledge
from app.debriefs import board as ops
from app.debriefs.models import Debrief
from app.debriefs.services import DebriefInput, create_debrief, publish
from app.extensions import db
from app.insights import embeddings
from app.insights import services as library_services
from app.insights.models import InsightLink, LinkKind
from app.programmes.models import ActivityKind
from app.signups.services import sign_up
from tests.debriefs.conftest import write_note
from tests.e2e.test_pages import check_page
from tests.e2e.test_signup_flow import sign_in
from tests.factories import make_activity, make_programme, make_user
from tests.insights.conftest import Library
from tests.insights.conftest import library as library

VALUE = "People could not tell which pack was better value"
PRICES = "Customers cannot compare prices per kilo"
NEW_STATEMENT = "Shoppers cannot tell which pack is better value"
PHONE_360 = {"width": 360, "height": 780}


@dataclass
class Board:
    debrief: Debrief
    note_id: int


def open_board_of_a_third_programme(lib: Library) -> Board:
    """A third programme, in the field, whose debrief is open with one card on its board."""
    programme = make_programme(lib.field.organiser, title="Value for money week")
    slot = make_activity(
        programme, kind=ActivityKind.SHOPPER_INTERVIEW, title="Ask shoppers at the shelf"
    )
    person = make_user(name="Sam Shopper-Talker", department="Retail")
    sign_up(db.session, slot, user=person)
    acknowledge(db.session, programme, user=person)
    note = write_note(
        person,
        slot,
        {
            "customer": "student with a basket",
            "did": "Held two packs side by side, then took the small one",
            "said": ["No idea which one works out cheaper"],
            "tags": ["value"],
        },
    )
    debrief = create_debrief(
        db.session,
        programme,
        DebriefInput(title="Value week debrief", starts_at=lib.first.starts_at, location="Room 3"),
        by=lib.field.facilitator,
    )
    return Board(debrief, note.id)


def results_count(page: Page) -> int:
    title = page.locator("#results-title").inner_text()
    match = re.match(r"(\d+) result", title)
    assert match, title
    return int(match.group(1))


def search_box(page: Page) -> Locator:
    return page.get_by_role("searchbox", name=re.compile(r"^Search insights, themes"))


def narrow_down(page: Page) -> Locator:
    """The disclosure with the facets (closed on a phone until tapped)."""
    return page.locator("summary", has_text="Narrow down")


def facet_link(page: Page, facet: str, value: str) -> Locator:
    """A value's link under one facet's heading in "Narrow down" (its name ends with a count)."""
    return page.get_by_role("region", name=facet).get_by_role(
        "link", name=re.compile(rf"^✓? ?{re.escape(value)} \d+$")
    )


def problems_here(page: Page, what: str) -> list[str]:
    """The checks of `check_page`, on the page as it is now (after typing or opening things)."""
    problems = [
        f"{what}: {v['id']} ({v['impact']}): {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{what}: {overflow}px wider than the screen")
    return problems


def test_reader_searches_narrows_and_stars_an_insight(
    server: str, page: Page, library: Library
) -> None:
    reader_email = library.reader.email
    db.session.commit()

    sign_in(page, server, reader_email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").tap()
    expect(page.get_by_role("heading", name="Library", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Newest insights")).to_be_visible()

    search_box(page).fill("price")
    page.get_by_role("button", name="Search", exact=True).tap()
    expect(page.get_by_role("link", name=PRICES)).to_be_visible()
    expect(page.get_by_role("link", name=VALUE)).to_be_visible()
    found = results_count(page)

    # Narrow down: the channel first, then a tag; the URL keeps the words and both facets.
    narrow_down(page).tap()
    store = facet_link(page, "Channel", "store")
    counted = int(store.locator(".count").inner_text())
    store.tap()
    expect(page).to_have_url(re.compile(r"channel=store"))
    by_channel = results_count(page)
    assert 1 <= by_channel == counted < found  # the count said what picking it shows
    expect(page.get_by_role("link", name=VALUE)).to_have_count(0)
    expect(narrow_down(page)).to_have_text("Narrow down 1 picked")
    narrow_down(page).tap()
    facet_link(page, "Tag", "shelf").tap()
    expect(page).to_have_url(re.compile(r"tag=shelf"))
    assert "channel=store" in page.url and "q=price" in page.url
    assert 1 <= results_count(page) <= by_channel
    chips = page.get_by_role("list", name="Narrowed to")
    expect(chips.get_by_role("link", name=re.compile("Channel: store"))).to_be_visible()
    expect(chips.get_by_role("link", name=re.compile("Tag: shelf"))).to_be_visible()

    page.get_by_role("link", name=PRICES).tap()
    expect(page.get_by_role("heading", name=PRICES, level=1)).to_be_visible()
    expect(page.get_by_text("Show unit prices on every shelf label")).to_be_visible()
    evidence = page.get_by_role("region", name="Evidence")
    expect(evidence.get_by_text("“Why is the big one dearer per gram?”")).to_be_visible()
    expect(evidence.get_by_text("[phone number removed]", exact=False)).to_be_visible()
    expect(evidence.get_by_role("img", name="Photo from this note")).to_be_visible()
    heard = page.get_by_role("region", name="Heard before")
    if embeddings.available():
        # By meaning: the online shop's customer asked which pack "works out cheaper per kilo".
        expect(heard.get_by_role("link", name=VALUE)).to_be_visible()
        expect(page.get_by_text("Heard in 2 programmes")).to_be_visible()
    else:  # by words the two share only "compare": not enough to call it the same thing
        expect(heard.get_by_text("No other programme had found this before.")).to_be_visible()

    page.get_by_role("button", name="Star", exact=True).tap()
    expect(page.get_by_text("Starred: it is in your starred insights.")).to_be_visible()
    expect(page.get_by_role("button", name="Starred", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_role("link", name="Back to the results").tap()  # the search as it was
    expect(chips.get_by_role("link", name=re.compile("Tag: shelf"))).to_be_visible()
    page.get_by_role("link", name="My starred insights").tap()
    expect(page.get_by_role("heading", name="Starred insights", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=PRICES)).to_be_visible()
    expect(page.get_by_role("link", name=VALUE)).to_have_count(0)


def test_facilitator_links_a_new_insight_to_one_heard_before(
    server: str, page: Page, library: Library
) -> None:
    board = open_board_of_a_third_programme(library)
    fay, value_id = library.field.facilitator, library.value.id
    debrief_id, note_id, fay_email, fay_id = board.debrief.id, board.note_id, fay.email, fay.id
    db.session.commit()

    sign_in(page, server, fay_email)
    page.goto(f"{server}/debriefs/{debrief_id}")
    page.get_by_label(f"Select card {note_id}").check()
    page.get_by_role("button", name="Insight from these").tap()
    expect(page.get_by_role("heading", name="New insight")).to_be_visible()
    # The cards ticked were posted: no form token (nor anything else) in the address.
    expect(page).to_have_url(re.compile(rf"/debriefs/{debrief_id}/insights/new$"))
    expect(page.get_by_label("No idea which one works out cheaper", exact=False)).to_be_checked()

    # Heard before refreshes as she types (half a second after the last key).
    page.get_by_label("Statement").press_sequentially(NEW_STATEMENT, delay=15)
    suggestion = page.locator(f'#heard-list li[data-insight="{value_id}"]')
    expect(suggestion).to_be_visible(timeout=15_000)
    expect(suggestion.get_by_role("link", name=VALUE)).to_be_visible()
    expect(page.get_by_role("button", name="Check heard before")).to_be_hidden()
    suggestion.get_by_label("Confirms", exact=True).check()
    page.get_by_label("So what").fill("Show the price per 100 g in big print")
    page.get_by_role("button", name="Save insight").tap()
    expect(page.get_by_text("Insight added.")).to_be_visible()
    expect(page.locator(".task-question", has_text=NEW_STATEMENT)).to_be_visible()

    db.session.commit()  # a fresh read: the server wrote the link
    [link] = db.session.scalars(select(InsightLink).where(InsightLink.to_id == value_id)).all()
    assert link.kind == LinkKind.CONFIRMS
    assert link.from_insight.statement == NEW_STATEMENT
    assert link.from_insight.debrief_id == debrief_id and link.by_id == fay_id

    # Once the debrief is published, the earlier insight shows it is confirmed.
    debrief = db.session.get_one(Debrief, debrief_id)
    publish(db.session, debrief, by=fay)
    db.session.commit()
    page.goto(f"{server}/library/insights/{value_id}")
    heard = page.get_by_role("region", name="Heard before")
    confirmed = heard.get_by_role("listitem").filter(has_text=NEW_STATEMENT)
    expect(confirmed.get_by_text("Confirms", exact=True)).to_be_visible()


def test_library_searches_and_narrows_without_javascript(
    server: str, browser: Browser, browser_context_args: dict, library: Library
) -> None:
    reader_email = library.reader.email
    db.session.commit()
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, server, reader_email)
    page.get_by_role("link", name="Library").tap()
    search_box(page).fill("price")
    page.get_by_role("button", name="Search", exact=True).tap()
    expect(page.get_by_role("link", name=PRICES)).to_be_visible()
    everywhere = results_count(page)

    narrow_down(page).tap()
    facet_link(page, "Channel", "web").tap()
    expect(page).to_have_url(re.compile(r"q=price&channel=web|channel=web&q=price"))
    assert results_count(page) < everywhere
    expect(page.get_by_role("link", name=PRICES)).to_have_count(0)
    expect(page.get_by_role("link", name=VALUE)).to_be_visible()
    # A new search keeps the facet.
    search_box(page).fill("pack")
    page.get_by_role("button", name="Search", exact=True).tap()
    expect(page).to_have_url(re.compile(r"channel=web"))
    expect(page.get_by_role("link", name=VALUE)).to_be_visible()
    # Taking the chip away widens the search again.
    page.get_by_role("link", name=re.compile("Channel: web")).tap()
    expect(page).not_to_have_url(re.compile(r"channel="))
    context.close()


@pytest.mark.parametrize("width", [360, 412])
def test_library_pages_are_accessible_and_fit_a_phone(
    server: str, page: Page, library: Library, width: int
) -> None:
    lib = library
    organiser = lib.field.organiser
    board = open_board_of_a_third_programme(lib)
    draft = ops.save_insight(
        db.session,
        board.debrief,
        {"statement": NEW_STATEMENT, "evidence": [board.note_id]},
        user=lib.field.facilitator,
    )
    library_services.set_star(db.session, lib.value.id, user=organiser, on=True)
    library_services.withdraw(
        db.session, "insight", lib.stairs.id, "Names a store manager by role", by=organiser
    )
    ids = {
        "p": lib.prices.id,
        "v": lib.value.id,
        "d": board.debrief.id,
        "i": draft.id,
        "n": board.note_id,
    }
    email = organiser.email
    db.session.commit()
    page.set_viewport_size({**PHONE_360, "width": width})

    sign_in(page, server, email)
    problems: list[str] = []
    for path in (
        "/library",
        "/library?q=price&channel=web",  # a facet picked: chips to take it away
        f"/library/insights/{ids['p']}",  # with a photo and heard before
        f"/library/insights/{ids['v']}",
        "/library/starred",
        "/library/withdrawals",
        f"/debriefs/{ids['d']}/insights/{ids['i']}",  # suggestions rendered by the server
    ):
        problems += check_page(page, server + path)

    page.goto(f"{server}/library?q=better+value")
    narrow_down(page).tap()
    expect(page.get_by_role("region", name="Channel")).to_be_visible()
    problems += problems_here(page, "/library with results and facets open")

    page.goto(f"{server}/library/insights/{ids['p']}")
    page.get_by_text("Withdraw from the library").tap()
    expect(page.get_by_label("Why it should not be shared")).to_be_visible()
    problems += problems_here(page, "insight page with the withdraw form open")

    page.goto(f"{server}/debriefs/{ids['d']}/insights/new?note_ids={ids['n']}")
    page.get_by_label("Statement").fill("Nobody can tell which pack is better value")
    expect(page.locator(f'#heard-list li[data-insight="{ids["v"]}"]')).to_be_visible(timeout=15_000)
    problems += problems_here(page, "insight form with suggestions from heard.js")
    assert problems == []
