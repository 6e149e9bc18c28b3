"""With no signal the app still opens, notes wait on the phone, and each arrives exactly once."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from sqlalchemy import select

from app.briefings.services import acknowledge
from app.capture.models import Note
from app.extensions import db
from app.signups.services import sign_up
from tests.e2e.test_signup_flow import sign_in
from tests.factories import jpeg_bytes, make_activity, make_programme, make_user
from tests.live_server import ROOT


def stored_notes() -> list[Note]:
    db.session.rollback()  # see what the server committed
    return list(db.session.scalars(select(Note)))


def signed_in_on_a_slot(page: Page, server: str, email: str, **slot: Any) -> int:
    """A person with a place on a slot and the briefing done, signed in on this phone."""
    programme = make_programme()
    activity = make_activity(programme, **slot)
    person = make_user(email=email)
    sign_up(db.session, activity, user=person)
    acknowledge(db.session, programme, user=person)
    slot_id = activity.id
    db.session.commit()
    sign_in(page, server, email)
    return slot_id


def pending(page: Page) -> int:
    return page.evaluate("""() => new Promise((resolve) => {
        const open = indexedDB.open('listening-post', 1);
        open.onsuccess = () => {
            const request = open.result.transaction('outbox').objectStore('outbox').count();
            request.onsuccess = () => { resolve(request.result); open.result.close(); };
        };
    })""")


def open_step(page: Page, title: str) -> None:
    """Open one step of the form (Customer is open to begin with)."""
    page.locator("details.step:not([open]) > summary").filter(has_text=title).tap()


def observe(page: Page, server: str, slot_id: int, words: str) -> None:
    page.goto(f"{server}/activities/{slot_id}/notes/new/observation")
    page.get_by_label("The customer, in a few anonymous words").fill("woman, 30s, with a pram")
    open_step(page, "Observe")
    page.get_by_label("What they did").fill(words)
    page.get_by_label("What they said, in their own words").fill("Is there a lift?")
    page.get_by_role("button", name="Save note").tap()
    expect(page.get_by_role("heading", name="My notes")).to_be_visible()


def test_notes_made_offline_arrive_exactly_once(
    server: str, page: Page, context: BrowserContext
) -> None:
    slot_id = signed_in_on_a_slot(
        page, server, "ann@example.com", kind="customer_observation", title="Watch the entrance"
    )
    page.goto(f"{server}/activities/{slot_id}/notes/new/observation")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # now controlled by the worker: visited pages are kept for offline use
    page.goto(f"{server}/activities/{slot_id}/notes/new/call_note")
    page.goto(f"{server}/notes")

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="My notes")).to_be_visible()  # the app still opens
    for n in range(3):
        observe(page, server, slot_id, f"Stopped at the door, looked for a ramp ({n})")
    page.goto(f"{server}/activities/{slot_id}/notes/new/call_note")
    page.get_by_label("Reason for the call").fill("Lift out of order")
    page.get_by_role("button", name="Save note").tap()
    expect(page.get_by_text("4 notes waiting to send").first).to_be_visible()
    assert pending(page) == 4 and stored_notes() == []

    saved = page.locator("[data-saved-list] > li.slot")
    expect(saved).to_have_count(0)
    context.set_offline(False)
    expect(page.get_by_text("All notes sent at").first).to_be_visible(timeout=15000)
    expect(saved).to_have_count(4)  # under "Saved" without a reload
    notes = stored_notes()
    assert len(notes) == 4 and len({n.client_id for n in notes}) == 4
    assert sorted(n.type for n in notes) == [
        "call_note",
        "observation",
        "observation",
        "observation",
    ]
    assert pending(page) == 0


def test_a_note_saved_online_shows_under_saved_at_once(server: str, page: Page) -> None:
    slot_id = signed_in_on_a_slot(
        page, server, "sam@example.com", kind="customer_observation", title="Watch the tills"
    )
    observe(page, server, slot_id, "Queued at the self-checkout, then gave up")
    saved = page.locator("[data-saved-list] > li.slot")
    expect(saved).to_have_count(1)
    expect(saved.first).to_contain_text("Observation: Watch the tills")
    expect(page.get_by_text("No notes saved yet.")).to_have_count(0)
    assert len(stored_notes()) == 1


def test_cut_in_the_middle_of_a_sync_neither_duplicates_nor_loses(
    server: str, browser: Browser, browser_context_args: dict
) -> None:
    # Requests a service worker handles bypass page.route, so this phone runs without one.
    context = browser.new_context(**browser_context_args, service_workers="block")
    page = context.new_page()
    slot_id = signed_in_on_a_slot(page, server, "bob@example.com")

    cut = {"done": False}

    def lose_the_answer(route: Route) -> None:
        if cut["done"]:
            route.continue_()
            return
        route.fetch()  # the server stores the note…
        cut["done"] = True
        route.abort("internetdisconnected")  # …but the phone never hears back

    page.route("**/api/v1/sync", lose_the_answer)
    observe(page, server, slot_id, "Compared two prices")
    expect(page.get_by_text("1 note waiting to send").first).to_be_visible(timeout=15000)
    assert len(stored_notes()) == 1 and pending(page) == 1

    page.get_by_role("button", name="Send now").tap()
    expect(page.get_by_text("All notes sent at").first).to_be_visible(timeout=15000)
    assert len(stored_notes()) == 1 and pending(page) == 0
    context.close()


def test_a_refused_note_stays_with_its_reason(server: str, page: Page) -> None:
    slot_id = signed_in_on_a_slot(page, server, "cy@example.com")
    page.goto(f"{server}/activities/{slot_id}/notes/new/observation")
    open_step(page, "Observe")
    page.get_by_label("What they did").fill("Asked about delivery")
    open_step(page, "Make sense")
    page.get_by_label("Tags").fill("x" * 41)
    page.get_by_role("button", name="Save note").tap()
    expect(
        page.get_by_text("refused: tags: is too long (41 characters; at most 40)")
    ).to_be_visible()
    assert pending(page) == 1 and stored_notes() == []

    # The note goes back into its form with everything typed, and is sent once fixed.
    page.get_by_role("button", name="Fix and resend").tap()
    open_step(page, "Observe")
    expect(page.get_by_label("What they did")).to_have_value("Asked about delivery")
    open_step(page, "Make sense")
    page.get_by_label("Tags").fill("delivery")
    page.get_by_role("button", name="Save note").tap()
    expect(page.get_by_text("All notes sent at").first).to_be_visible(timeout=15000)
    [note] = stored_notes()
    observed = note.fields.pop("observed_at")  # stamped when the phone saved it
    assert note.fields == {"did": "Asked about delivery", "tags": ["delivery"]} and observed
    assert pending(page) == 0


def test_an_app_update_keeps_the_pages_opened_for_offline_use(
    server: str, page: Page, context: BrowserContext
) -> None:
    slot_id = signed_in_on_a_slot(page, server, "dee@example.com")
    page.goto(f"{server}/activities/{slot_id}/notes/new/observation")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # controlled: this page is now kept for offline use

    # A new version of the worker installs and activates, clearing the caches it does not own.
    source = (ROOT / "static/sw.js").read_text()
    bumped = re.sub(r"const VERSION = '[^']+'", "const VERSION = 'lp-shell-next'", source)
    context.route(
        "**/sw.js?next",
        lambda route: route.fulfill(body=bumped, content_type="text/javascript"),
    )
    page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.register('/sw.js?next');
        const worker = registration.installing || registration.waiting || registration.active;
        if (worker.state !== 'activated') {
            await new Promise((done) => worker.addEventListener('statechange',
                () => worker.state === 'activated' && done()));
        }
    }""")
    assert "lp-shell-next" in page.evaluate("caches.keys()")
    assert not [n for n in page.evaluate("caches.keys()") if n.startswith("lp-shell-v")]

    context.set_offline(True)
    page.goto(f"{server}/activities/{slot_id}/notes/new/observation")
    expect(page.get_by_role("heading", name="New observation")).to_be_visible()


def test_a_photo_taken_offline_arrives_once_with_its_note(
    server: str, page: Page, context: BrowserContext
) -> None:
    slot_id = signed_in_on_a_slot(page, server, "eve@example.com", kind="customer_observation")
    page.goto(f"{server}/activities/{slot_id}/notes/new/observation")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    page.goto(f"{server}/notes")
    page.goto(f"{server}/activities/{slot_id}/notes/new/observation")

    context.set_offline(True)
    open_step(page, "Observe")
    page.get_by_label("What they did").fill("Showed me the broken handle")
    page.get_by_label("Choose photos").set_input_files(
        files=[{"name": "handle.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((3000, 2000))}]
    )
    page.get_by_label("Someone can be recognised in a photo").check()
    page.get_by_role("button", name="Save note").tap()
    expect(page.get_by_text("confirm they agreed to the photo")).to_be_visible()
    assert pending(page) == 0  # nothing queued until the consent is settled

    page.get_by_label("They agreed to be photographed").check()
    page.get_by_role("button", name="Save note").tap()
    expect(page.get_by_text("1 note and 1 photo waiting to send").first).to_be_visible()

    context.set_offline(False)
    expect(page.get_by_text("All notes sent at").first).to_be_visible(timeout=15000)
    [note] = stored_notes()
    [photo] = note.photos
    assert (photo.width, photo.height) == (1600, 1067) and photo.consent
    assert pending(page) == 0


def test_camera_shots_and_chosen_photos_show_as_previews_to_remove(server: str, page: Page) -> None:
    slot_id = signed_in_on_a_slot(page, server, "fay@example.com", kind="customer_observation")
    page.goto(f"{server}/activities/{slot_id}/notes/new/observation")
    open_step(page, "Observe")
    camera = page.get_by_label("Take a photo")
    expect(camera).to_have_attribute("capture", "environment")  # opens the camera on a phone

    def photo(name: str, size: tuple[int, int]) -> dict[str, Any]:
        return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_bytes(size)}

    camera.set_input_files(files=[photo("shelf.jpg", (800, 600))])
    camera.set_input_files(files=[photo("label.jpg", (600, 800))])
    page.get_by_label("Choose photos").set_input_files(files=[photo("aisle.jpg", (640, 480))])
    previews = page.get_by_role("list", name="Photos chosen").get_by_role("img")
    expect(previews).to_have_count(3)
    page.get_by_role("button", name="Remove photo 2").tap()
    expect(previews).to_have_count(2)
    page.get_by_label("What they did").fill("Pointed at the shelf label")
    page.get_by_role("button", name="Save note").tap()
    expect(page.get_by_text("All notes sent at").first).to_be_visible(timeout=15000)
    [note] = stored_notes()
    assert sorted((p.width, p.height) for p in note.photos) == [(640, 480), (800, 600)]


def test_one_visit_online_is_enough_for_the_field_pages_to_open_offline(
    server: str, page: Page, context: BrowserContext
) -> None:
    # Signing in lands on the home page: nothing else is opened.
    signed_in_on_a_slot(
        page, server, "fay@example.com", kind="customer_observation", title="Watch the tills"
    )
    kept = """async () => (await (await caches.open('lp-pages')).keys())
        .map((r) => new URL(r.url).pathname)"""
    for _ in range(50):  # the worker fetches them in the background
        if {"/schedule", "/tasks", "/notes", "/notes/new"} <= set(page.evaluate(kept)):
            break
        page.wait_for_timeout(200)

    context.set_offline(True)
    for path, heading in [
        ("/schedule", "My schedule"),
        ("/tasks", "My tasks"),
        ("/notes", "My notes"),
        ("/notes/new", "New note"),
    ]:
        page.goto(server + path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    page.get_by_role("link", name="New observation").tap()
    expect(page.get_by_role("heading", name="New observation")).to_be_visible()


def test_offline_every_field_of_every_step_goes_into_the_outbox(
    server: str, page: Page, context: BrowserContext
) -> None:
    slot_id = signed_in_on_a_slot(page, server, "gus@example.com", kind="shopper_interview")
    observation = f"{server}/activities/{slot_id}/notes/new/observation"
    call = f"{server}/activities/{slot_id}/notes/new/call_note"
    page.goto(observation)
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    page.goto(call)
    context.set_offline(True)

    page.goto(observation)
    page.get_by_label("When it happened").fill("2030-01-01T10:15")
    page.get_by_label("The customer, in a few anonymous words").fill("man, 70s, with a stick")
    page.get_by_label("Channel").fill("Store")
    page.get_by_label("Where").fill("Aisle 4")
    open_step(page, "Observe")
    page.get_by_label("What they did").fill("Bent down to the bottom shelf twice")
    page.get_by_label("What they said, in their own words").fill("Why so low?\nMy back")
    page.get_by_label("A roadblock").check()
    page.get_by_label("Their own words for things").check()
    open_step(page, "Ask")
    page.get_by_label("The customer agreed to answer").check()
    page.get_by_label("What I asked").fill("What were you looking for?")
    page.get_by_label("What they answered").fill("The big pack")
    open_step(page, "Make sense")
    page.get_by_label("Needs").fill("Reach it standing")
    page.get_by_label("Pain points").fill("Heavy packs low down")
    page.get_by_label("Delights").fill("Staff helped")
    page.get_by_label("What surprised me").fill("He did not ask for help")
    page.get_by_role("radio", name="2", exact=True).check()
    page.get_by_label("My answer to my task").fill("Shelf height")
    page.get_by_label("Tags").fill("shelf, access")
    for title in ("Customer", "Observe", "Ask", "Make sense"):  # all closed again
        page.locator("details.step[open] > summary").filter(has_text=title).tap()
    expect(page.locator("details.step[open]")).to_have_count(0)
    page.get_by_role("button", name="Save note").tap()
    expect(page.get_by_text("1 note waiting to send").first).to_be_visible()

    page.goto(call)
    page.get_by_label("Reason for the call").fill("Parcel lost")
    page.get_by_label("Type of customer").fill("business")
    page.get_by_label("How long the call lasted").fill("6:05")
    open_step(page, "Moments")
    page.get_by_label("Time into the call").first.fill("00:40")
    page.get_by_label("What happened").first.fill("Gives the tracking number")
    page.get_by_label("Their words").first.fill("It says delivered, it is not")
    open_step(page, "How it went")
    page.get_by_role("radio", name="6", exact=True).check()
    page.locator("[name=mood_start][value='1']").check()
    page.locator("[name=mood_end][value='4']").check()
    page.get_by_role("radio", name="Yes").check()
    open_step(page, "Make sense")
    page.get_by_label("Root cause").fill("Left at the wrong door")
    page.get_by_label("What we could do better").fill("Photo on delivery")
    page.get_by_role("button", name="Save note").tap()
    expect(page.get_by_text("2 notes waiting to send").first).to_be_visible()

    context.set_offline(False)
    expect(page.get_by_text("All notes sent at").first).to_be_visible(timeout=15000)
    seen, heard = sorted(stored_notes(), key=lambda n: n.type, reverse=True)
    assert seen.fields == {
        "observed_at": seen.fields["observed_at"],
        "customer": "man, 70s, with a stick",
        "channel": "Store",
        "place": "Aisle 4",
        "did": "Bent down to the bottom shelf twice",
        "said": ["Why so low?", "My back"],
        "labels": ["own_words", "roadblock"],
        "consent": True,
        "asked": "What were you looking for?",
        "answered": "The big pack",
        "needs": ["Reach it standing"],
        "pain_points": ["Heavy packs low down"],
        "delights": ["Staff helped"],
        "surprised": "He did not ask for help",
        "mood": 2,
        "task_answer": "Shelf height",
        "tags": ["shelf", "access"],
    }
    assert seen.fields["observed_at"].startswith("2030-01-01")
    heard.fields.pop("observed_at")
    assert heard.fields == {
        "reason": "Parcel lost",
        "customer_type": "business",
        "duration": 365,
        "moments": [
            {"at": 40, "what": "Gives the tracking number", "words": "It says delivered, it is not"}
        ],
        "effort": 6,
        "mood_start": 1,
        "mood_end": 4,
        "resolved_first_contact": True,
        "root_cause": "Left at the wrong door",
        "do_better": "Photo on delivery",
    }
