"""The three journeys walked on the narrowest common phone (360 px) over the demo company:
every page fits the screen, has no serious accessibility finding, and nothing a thumb must hit
is under 44 px high."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.accounts.models import Role
from app.capture.models import Note
from app.debriefs.models import Debrief, DebriefStatus, Insight
from app.demo import PASSWORD
from app.extensions import db
from app.programmes.models import Activity, Programme, ProgrammeStatus
from app.webhooks.models import Webhook, WebhookAttempt, WebhookMessage
from app.webhooks.services import new_secret
from tests.e2e.test_pages import check_page
from tests.e2e.test_signup_flow import sign_in
from tests.factories import PASSWORD as PASSWORD_FOR_TESTS
from tests.factories import make_user

# What a thumb must hit: links that stand on their own (a link inside a sentence is exempt,
# as in WCAG 2.5.8), buttons and form controls. A radio or box drawn by its label is measured
# by the label.
SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    let box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || box.right <= 0) continue;  // not shown
    if (el.closest('.skip') || !el.checkVisibility({visibilityProperty: true})) continue;
    if (el.matches('input[type=checkbox], input[type=radio], input[type=file]')) {
      const label = el.closest('label') || document.querySelector(`label[for="${el.id}"]`);
      if (!label) { small.push(`${el.outerHTML.slice(0, 80)} has no label to tap`); continue; }
      box = label.getBoundingClientRect();
    }
    const inText = el.parentElement.textContent.trim() !== el.textContent.trim();
    if (el.tagName === 'A' && inText) continue;
    if (box.height < 43.5) small.push(`${Math.round(box.height)}px: ${el.outerHTML.slice(0, 100)}`);
  }
  return small;
}"""


@pytest.fixture
def demo(app: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setattr("app.demo.upgrade", lambda: None)  # the test schema already exists
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    current = db.session.scalars(
        select(Programme).where(Programme.status == ProgrammeStatus.PUBLISHED)
    ).first()
    assert current is not None
    published = db.session.scalars(
        select(Debrief).where(Debrief.status == DebriefStatus.PUBLISHED)
    ).first()
    open_debrief = db.session.scalars(
        select(Debrief).where(Debrief.status != DebriefStatus.PUBLISHED)
    ).first()
    slot = db.session.scalars(
        select(Activity).where(Activity.programme_id == current.id).order_by(Activity.starts_at)
    ).first()
    assert published and open_debrief and slot
    insight = published.insights[0]
    note = db.session.scalars(select(Note)).first()
    assert isinstance(insight, Insight) and note
    db.session.commit()
    return {
        "programme": current.id,
        "slot": slot.id,
        "published": published.id,
        "debrief": open_debrief.id,
        "insight": insight.id,
        "note": note.id,
    }


@pytest.fixture
def phone(browser: Browser, browser_context_args: dict) -> Iterator[Page]:
    context = browser.new_context(
        **{**browser_context_args, "viewport": {"width": 360, "height": 740}}
    )
    yield context.new_page()
    context.close()


def sign_in_demo(page: Page, server: str, email: str) -> None:
    sign_in(page, server, email, PASSWORD)  # the demo's shared password


def walk(page: Page, server: str, steps: list[str]) -> list[str]:
    """Each step a tab of the bottom bar (tapped, as a thumb would) or a path to open."""
    problems: list[str] = []
    for step in steps:
        if step.startswith("/"):
            problems += check_page(page, server + step)
        else:
            tab = page.get_by_role("navigation", name="Main").get_by_role("link", name=step)
            # Wait for the tap's own navigation: the page before it is already "loaded".
            with page.expect_navigation():
                tab.tap()
            problems += check_page(page, page.url)
        problems += [f"{page.url}: {s}" for s in page.evaluate(SMALL_TARGETS)]
    return problems


def test_the_employee_s_day(server: str, phone: Page, demo: dict[str, int]) -> None:
    sign_in_demo(phone, server, "employee1@example.com")
    steps = ["Home", "Schedule", "Notes", "Library", "Debriefs"]
    steps += [
        f"/programmes/{demo['programme']}",
        f"/activities/{demo['slot']}",
        f"/programmes/{demo['programme']}/briefing",
        f"/activities/{demo['slot']}/notes/new/observation",
        f"/activities/{demo['slot']}/notes/new/call_note",
        f"/library/insights/{demo['insight']}",
        "/library?q=price",
        "/library/starred",
        f"/debriefs/{demo['published']}",
        "/tasks",
        "/account",
    ]
    problems = walk(phone, server, steps)
    assert problems == [], "\n".join(problems)


def test_the_organiser_s_setup(server: str, phone: Page, demo: dict[str, int]) -> None:
    sign_in_demo(phone, server, "organiser@example.com")
    programme, slot = demo["programme"], demo["slot"]
    steps = [
        "Home",
        f"/programmes/{programme}",
        f"/programmes/{programme}/edit",
        f"/programmes/{programme}/activities/new",
        f"/activities/{slot}/edit",
        f"/activities/{slot}/duplicate",
        f"/activities/{slot}/people",
        f"/programmes/{programme}/participation",
        f"/programmes/{programme}/briefing/edit",
        f"/programmes/{programme}/tasks",
        f"/programmes/{programme}/readiness",
        "/people",
        "/programmes/new",
        "/library/withdrawals",
    ]
    problems = walk(phone, server, steps)
    assert problems == [], "\n".join(problems)


def test_the_facilitator_s_debrief(server: str, phone: Page, demo: dict[str, int]) -> None:
    sign_in_demo(phone, server, "facilitator@example.com")
    debrief = demo["debrief"]
    steps = [
        "Debriefs",
        f"/debriefs/{debrief}",
        f"/debriefs/{debrief}/insights/new",
        f"/debriefs/{demo['published']}",
        f"/library/insights/{demo['insight']}",
        "Library",
    ]
    problems = walk(phone, server, steps)
    assert problems == [], "\n".join(problems)


def test_dark_mode_keeps_every_text_readable(
    server: str, browser: Browser, browser_context_args: dict, demo: dict[str, int]
) -> None:
    """The system's dark setting turns the colours round; axe checks their contrast."""
    context = browser.new_context(**browser_context_args, color_scheme="dark")
    page = context.new_page()
    sign_in_demo(page, server, "facilitator@example.com")
    assert (
        page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
        == "rgb(15, 20, 25)"
    )
    steps = [
        "Home",
        "Library",
        f"/library/insights/{demo['insight']}",
        f"/debriefs/{demo['debrief']}",
        f"/debriefs/{demo['published']}",
        f"/activities/{demo['slot']}/notes/new/observation",
        "/account",
    ]
    problems = walk(page, server, steps)
    context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_design_token_resolves(server: str, browser: Browser, scheme: str) -> None:
    """A token that refers to itself or to nothing is silently dropped by the browser, taking
    backgrounds and focus rings with it."""
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{server}/login")
    empty = page.evaluate(
        """() => {
          const names = new Set();
          const walk = (rules) => { for (const rule of rules) {
            if (rule.cssRules) walk(rule.cssRules);
            if (rule.selectorText === ':root') {
              for (const name of rule.style) if (name.startsWith('--')) names.add(name);
            }
          } };
          for (const sheet of document.styleSheets) walk(sheet.cssRules);
          const style = getComputedStyle(document.documentElement);
          return [...names].filter((n) => !style.getPropertyValue(n).trim()).concat(
            names.size < 20 ? ['too few tokens found'] : []);
        }"""
    )
    context.close()
    assert empty == []


def _check_here(page: Page) -> list[str]:
    """check_page's checks on the page as it is (a form sent back, an answer to a POST)."""
    problems = [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    overflow = page.evaluate("document.documentElement.scrollWidth") - 360
    problems += [f"{page.url}: {overflow}px wider than the screen"] if overflow > 0 else []
    return problems + [f"{page.url}: {s}" for s in page.evaluate(SMALL_TARGETS)]


def test_the_admin_s_webhooks(server: str, phone: Page) -> None:
    admin = make_user(Role.ADMIN, email="webhooks-admin@example.com")
    hook = Webhook(
        url="https://hooks.example.com/listening-post/incoming?team=stores",
        events="insight.published action.updated",
        secret=new_secret(),
    )
    db.session.add(hook)
    db.session.flush()
    message = WebhookMessage(
        webhook_id=hook.id, msg_id="msg_1", key="k", event="insight.published", payload="{}"
    )
    db.session.add(message)
    db.session.flush()
    for number, code, error in [(1, 503, "The receiver answered 503."), (2, 200, "")]:
        db.session.add(
            WebhookAttempt(
                message_id=message.id,
                webhook_id=hook.id,
                number=number,
                status_code=code,
                error=error,
                duration_ms=180,
            )
        )
    db.session.commit()
    sign_in(phone, server, admin.email, PASSWORD_FOR_TESTS)
    problems = walk(phone, server, ["/account", "/admin/webhooks", f"/admin/webhooks/{hook.id}"])

    # An address inside the network is refused, with the reason next to the field.
    phone.goto(f"{server}/admin/webhooks")
    phone.locator("summary", has_text="Add a webhook").tap()
    phone.get_by_label("Address that receives the events").fill("https://10.0.0.1/in")
    phone.get_by_label("Action overdue (once per due date)").check()
    phone.get_by_role("button", name="Add webhook").tap()
    expect(phone.get_by_text("is a private address")).to_be_visible()
    problems += _check_here(phone)

    # A new secret is shown once.
    phone.goto(f"{server}/admin/webhooks/{hook.id}")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="Rotate the secret").tap()
    expect(phone.get_by_role("heading", name="Its secret")).to_be_visible()
    problems += _check_here(phone)
    assert problems == [], "\n".join(problems)
