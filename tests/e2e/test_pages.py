"""Every main page on a phone: no serious accessibility problem, nothing wider than the screen,
and the core flow works with JavaScript switched off."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from app.accounts.models import Role
from app.briefings.services import join_session
from app.briefings.tasks import TaskInput, create_task
from app.debriefs import board as ops
from app.extensions import db
from app.signups.services import sign_up
from tests.e2e.test_signup_flow import sign_in
from tests.factories import make_activity, make_briefing_session, make_programme, make_user


def check_page(page: Page, url: str) -> list[str]:
    response = page.goto(url)
    problems = []
    if response is not None and response.status >= 400:
        problems.append(f"{url}: answered {response.status}")
    results = Axe().run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            problems.append(
                f"{url}: {violation['id']} ({violation['impact']}): {violation['help']}"
            )
    # Against the phone's width: a page too wide makes a phone zoom out, widening innerWidth too.
    width = page.viewport_size["width"]  # type: ignore[index]
    overflow = page.evaluate("document.documentElement.scrollWidth") - width
    if overflow > 0:
        problems.append(f"{url}: {overflow}px wider than the screen")
    return problems


def test_pages_are_accessible_and_fit_a_phone(server: str, page: Page) -> None:
    organiser = make_user(Role.ORGANISER, Role.ADMIN, email="org@example.com")
    programme = make_programme(organiser, title="Closeness week")
    slot = make_activity(programme, title="Calls in Lyon", capacity=1)
    sign_up(db.session, slot, user=organiser)
    sign_up(db.session, slot, user=make_user())
    briefing = make_briefing_session(programme, capacity=5)
    join_session(db.session, briefing, programme, user=organiser)
    task = create_task(
        db.session,
        programme,
        TaskInput(question="Why?", scope="slot", activity_id=slot.id, prompts="Listen"),
        by=organiser,
    )
    ids = {"p": programme.id, "a": slot.id, "u": organiser.id, "b": briefing.id, "t": task.id}
    db.session.commit()

    problems = check_page(page, f"{server}/login") + check_page(page, f"{server}/forgot")
    sign_in(page, server, "org@example.com")
    for path in (
        "/",
        f"/programmes/{ids['p']}",
        f"/activities/{ids['a']}",
        "/schedule",
        "/account",
        f"/programmes/{ids['p']}/edit",
        f"/programmes/{ids['p']}/participation",
        f"/activities/{ids['a']}/people",
        f"/activities/{ids['a']}/edit",
        f"/activities/{ids['a']}/duplicate",
        f"/programmes/{ids['p']}/activities/new",
        "/programmes/new",
        "/people",
        f"/people/{ids['u']}",
        f"/programmes/{ids['p']}/briefing",
        f"/programmes/{ids['p']}/briefing/edit",
        f"/programmes/{ids['p']}/briefing/sessions/new",
        f"/briefing-sessions/{ids['b']}/attendance",
        f"/programmes/{ids['p']}/tasks",
        f"/programmes/{ids['p']}/tasks/new",
        f"/programmes/{ids['p']}/tasks/{ids['t']}/edit",
        f"/programmes/{ids['p']}/readiness",
        "/tasks",
        f"/activities/{ids['a']}/checkin",
        f"/activities/{ids['a']}/checkin-code",
    ):
        problems += check_page(page, server + path)
    # A form sent back with errors is checked too.
    page.goto(f"{server}/programmes/{ids['p']}/activities/new")
    page.get_by_role("button", name="Save slot").tap()
    expect(page.get_by_text("Say when the slot starts.")).to_be_visible()
    problems += check_page(page, page.url)
    assert problems == []


def test_sign_up_works_without_javascript(
    server: str, browser: Browser, browser_context_args: dict
) -> None:
    programme = make_programme(title="Closeness week")
    make_activity(programme, title="Calls in Lyon")
    make_user(email="nojs@example.com")
    db.session.commit()
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, server, "nojs@example.com")
    page.get_by_role("link", name="Closeness week").tap()
    page.get_by_role("button", name="Sign up").tap()
    expect(page.get_by_text("You are signed up for “Calls in Lyon”")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Schedule").tap()
    page.get_by_role("button", name="Cancel").tap()  # no confirm dialog without JavaScript
    expect(page.get_by_text("Your place is cancelled")).to_be_visible()
    context.close()


def test_capture_and_debrief_pages_are_accessible_and_fit_a_phone(
    server: str, page: Page, fieldwork
) -> None:
    debrief = fieldwork.open_debrief()
    ann, note, shop = fieldwork.people[0], fieldwork.notes[0], fieldwork.slots[0]
    ops.move_cards(
        db.session, debrief, [note.id], new_theme="Prices", seen=debrief.version, user=ann
    )
    ops.save_insight(
        db.session, debrief, {"statement": "Prices hide", "evidence": [note.id]}, user=ann
    )
    ops.save_action(db.session, debrief, {"what": "Label prices", "owner": "Retail"}, user=ann)
    ids = {"d": debrief.id, "n": note.id, "s": shop.id, "i": debrief.insights[0].id}
    db.session.commit()

    sign_in(page, server, ann.email)
    problems = []
    for path in (
        f"/activities/{ids['s']}/notes/new/observation",
        f"/activities/{ids['s']}/notes/new/call_note",
        "/notes",
        "/notes/new",
        f"/notes/{ids['n']}",
        f"/notes/{ids['n']}/edit",
        "/debriefs",
        f"/debriefs/{ids['d']}",
        f"/debriefs/{ids['d']}/insights/new?note_ids={ids['n']}",
        f"/debriefs/{ids['d']}/insights/{ids['i']}",
        "/offline",
    ):
        problems += check_page(page, server + path)
    # A note sent back with errors (the form posts as it would without JavaScript).
    page.goto(f"{server}/activities/{ids['s']}/notes/new/observation")
    page.evaluate("document.querySelector('form[data-capture]').dataset.capture = 'plain'")
    page.locator("details.step > summary").filter(has_text="Make sense").tap()
    page.get_by_label("Tags").fill("x" * 41)
    page.evaluate("document.querySelector('form[data-capture]').submit()")
    expect(page.get_by_text("The note is not saved yet")).to_be_visible()
    problems += check_page(page, page.url)
    assert problems == []
