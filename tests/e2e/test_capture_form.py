"""The capture form on a phone: steps that open and close, and a call timer that survives."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.test_offline_capture import pending, signed_in_on_a_slot, stored_notes
from tests.e2e.test_pages import check_page


def step(page: Page, title: str):  # type: ignore[no-untyped-def]
    return page.locator("details.step").filter(has=page.locator(".step-title", has_text=title))


def test_steps_open_and_close_and_a_value_in_a_closed_step_is_saved(
    server: str, page: Page
) -> None:
    slot_id = signed_in_on_a_slot(page, server, "gil@example.com", kind="customer_observation")
    url = f"{server}/activities/{slot_id}/notes/new/observation"
    assert check_page(page, url) == []
    customer, observe, ask = step(page, "Customer"), step(page, "Observe"), step(page, "Ask")
    expect(customer).to_have_attribute("open", "")
    expect(page.get_by_label("What they did")).to_be_hidden()  # in a closed step

    page.get_by_label("The customer, in a few anonymous words").fill("man, 60s, in a hurry")
    observe.locator("summary").tap()
    expect(page.get_by_label("What they did")).to_be_visible()
    page.get_by_label("What they did").fill("Read every label twice")
    page.get_by_label("A roadblock").check()
    expect(observe.locator("[data-step-sum]")).to_have_text("2 of 4 filled in")
    observe.locator("summary").tap()  # closed again, with what was typed inside
    expect(page.get_by_label("What they did")).to_be_hidden()
    ask.locator("summary").tap()
    page.get_by_label("What they answered").fill("The small print is too small")
    ask.locator("summary").tap()
    expect(ask.locator("[data-step-sum]")).to_have_text("1 of 2 filled in")
    step(page, "Make sense").locator("summary").tap()
    page.get_by_role("radio", name="4", exact=True).check()  # their mood: 4 of 5
    save = page.get_by_role("button", name="Save note")
    expect(save).to_be_in_viewport()
    save.tap()
    expect(page.get_by_text("All notes sent at").first).to_be_visible(timeout=15000)
    [note] = stored_notes()
    note.fields.pop("observed_at")
    assert note.fields == {
        "customer": "man, 60s, in a hurry",
        "did": "Read every label twice",
        "labels": ["roadblock"],
        "answered": "The small print is too small",
        "mood": 4,
    }


def test_the_call_timer_keeps_running_across_a_reload_and_stops_into_the_duration(
    server: str, page: Page, context: BrowserContext
) -> None:
    slot_id = signed_in_on_a_slot(page, server, "hal@example.com", kind="call_listening")
    page.clock.install()
    page.goto(f"{server}/activities/{slot_id}/notes/new/call_note")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # controlled: the page is kept for offline use
    timer = page.get_by_role("timer", name="Call timer")
    expect(timer).to_have_text("00:00")
    page.get_by_role("button", name="Start").tap()
    expect(page.get_by_role("status").filter(has_text="Call timer started.")).to_have_count(1)
    expect(timer).to_have_attribute("aria-live", "off")  # not read out every second
    page.clock.run_for(65_000)
    expect(timer).to_have_text("01:05")

    page.get_by_role("button", name="Mark a moment").tap()
    expect(page.get_by_label("What happened").first).to_be_focused()  # its step opened
    expect(page.get_by_label("Time into the call").first).to_have_value("01:05")
    page.get_by_label("What happened").first.fill("Asks for a refund")
    page.get_by_label("Their words").first.fill("I want my money back")

    context.set_offline(True)
    page.reload()  # with no signal, from the worker's copy of the page
    page.clock.run_for(10_000)
    expect(timer).to_have_text(re.compile(r"01:1\d"))  # still running
    expect(page.get_by_label("What happened").first).to_have_value("Asks for a refund")
    page.clock.run_for(200_000)
    page.get_by_role("button", name="Stop").tap()
    stopped_message = page.get_by_role("status").filter(has_text="Call timer stopped at 04:3")
    expect(stopped_message).to_have_count(1)
    stopped = timer.inner_text()
    page.clock.run_for(30_000)
    expect(timer).to_have_text(stopped)  # stopped means stopped
    expect(page.get_by_label("How long the call lasted")).to_have_value(stopped)

    step(page, "How it went").locator("summary").tap()
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Save note").tap()
    expect(page.get_by_text("1 note waiting to send").first).to_be_visible()
    context.set_offline(False)
    expect(page.get_by_text("All notes sent at").first).to_be_visible(timeout=15000)
    [note] = stored_notes()
    minutes, seconds = map(int, stopped.split(":"))
    assert note.fields["duration"] == minutes * 60 + seconds
    assert note.fields["moments"] == [
        {"at": 65, "what": "Asks for a refund", "words": "I want my money back"}
    ]
    assert note.fields["resolved_first_contact"] is False
    assert pending(page) == 0

    # The next call note of this slot starts from 00:00.
    page.goto(f"{server}/activities/{slot_id}/notes/new/call_note")
    expect(timer).to_have_text("00:00")
    expect(page.get_by_role("button", name="Reset")).to_be_disabled()


def test_a_time_that_is_not_a_time_is_caught_on_the_phone(server: str, page: Page) -> None:
    slot_id = signed_in_on_a_slot(page, server, "ida@example.com", kind="call_listening")
    page.goto(f"{server}/activities/{slot_id}/notes/new/call_note")
    step(page, "Moments").locator("summary").tap()
    page.get_by_label("What happened").nth(1).fill("Hangs up")
    step(page, "Moments").locator("summary").tap()
    page.get_by_role("button", name="Save note").tap()
    expect(page.get_by_text("This moment needs its time into the call")).to_be_visible()
    expect(page.get_by_label("Time into the call").nth(1)).to_be_focused()
    assert pending(page) == 0
    page.get_by_label("Time into the call").nth(1).fill("3:20")
    page.get_by_role("button", name="Add a moment").tap()
    expect(page.get_by_label("Time into the call")).to_have_count(4)
    page.get_by_label("Time into the call").nth(3).fill("4:00")
    page.get_by_label("Their words").nth(3).fill("Goodbye then")
    page.get_by_role("button", name="Save note").tap()
    expect(page.get_by_text("All notes sent at").first).to_be_visible(timeout=15000)
    [note] = stored_notes()
    assert note.fields["moments"] == [
        {"at": 200, "what": "Hangs up", "words": ""},
        {"at": 240, "what": "", "words": "Goodbye then"},
    ]
