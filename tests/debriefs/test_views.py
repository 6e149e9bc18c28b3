"""The debrief pages without JavaScript: open, sort cards, clash, publish, download the PDF."""

from __future__ import annotations

import re
import time

from app.debriefs import board as ops
from app.debriefs import reports
from app.debriefs.models import Debrief, Report
from app.extensions import db, write_intent
from app.programmes.models import ActivityKind


def board_page(client, debrief, query=""):  # type: ignore[no-untyped-def]
    response = client.get(f"/debriefs/{debrief.id}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_facilitator_opens_a_debrief_and_people_see_it_at_home(client, fieldwork):
    client.sign_in(fieldwork.facilitator)
    form = client.get(f"/programmes/{fieldwork.programme.id}/debriefs/new").get_data(as_text=True)
    assert "Watch the shelf" in form and "Listening in to service-centre calls" in form
    bad = client.form(f"/programmes/{fieldwork.programme.id}/debriefs/new", {"title": "Debrief"})
    assert bad.status_code == 200 and "Say when the debrief starts." in bad.get_data(as_text=True)
    nowhere = client.form(
        f"/programmes/{fieldwork.programme.id}/debriefs/new",
        {"title": "Debrief", "starts_at": "2030-01-10T17:00"},
    )
    assert "Give a place or an online link." in nowhere.get_data(as_text=True)
    response = client.form(
        f"/programmes/{fieldwork.programme.id}/debriefs/new",
        {
            "title": "Friday debrief",
            "starts_at": "2030-01-10T17:00",
            "location": "Room 4",
            "kinds": ["customer_observation"],
        },
        follow_redirects=True,
    )
    assert "Debrief opened for 2 people." in response.get_data(as_text=True)
    debrief = db.session.query(Debrief).one()
    assert [a.title for a in debrief.activities] == ["Watch the shelf"]
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    client.sign_in(fieldwork.people[0])
    assert "Friday debrief" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    client.sign_in(fieldwork.people[0])
    assert client.get(f"/programmes/{fieldwork.programme.id}/debriefs/new").status_code == 403


def test_cards_are_sorted_into_themes_without_javascript(client, fieldwork):
    debrief = fieldwork.open_debrief()
    client.sign_in(fieldwork.people[0])
    page = board_page(client, debrief)
    assert "Why is the big one dearer per gram?" in page and "07700 900123" not in page
    response = client.form(
        f"/debriefs/{debrief.id}/moves",
        {
            "note_ids": [str(fieldwork.notes[0].id), str(fieldwork.notes[1].id)],
            "to": "new",
            "new_theme": "Shelf trouble",
            "version": str(debrief.version),
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "2 cards moved to “Shelf trouble”." in page
    theme = debrief.themes[0]
    assert f'id="theme-{theme.id}"' in page
    vote = client.form(
        f"/debriefs/{debrief.id}/themes/{theme.id}/votes", {"dot": "add"}, follow_redirects=True
    )
    assert "Dot placed: 4 left." in vote.get_data(as_text=True)
    nothing = client.form(
        f"/debriefs/{debrief.id}/moves",
        {"to": "new", "version": str(debrief.version)},
        follow_redirects=True,
    )
    assert "Select one or more cards to move." in nothing.get_data(as_text=True)


def test_a_clash_is_explained_and_what_was_typed_is_kept(client, fieldwork):
    debrief = fieldwork.open_debrief()
    theme = ops.create_theme(db.session, debrief, "Prices", user=fieldwork.people[1])
    seen = debrief.version
    ops.update_theme(
        db.session, debrief, theme.id, {"name": "Unit prices"}, seen=seen, user=fieldwork.people[1]
    )
    client.sign_in(fieldwork.people[0])
    response = client.form(
        f"/debriefs/{debrief.id}/themes/{theme.id}",
        {"name": "Price anxiety", "description": "", "version": str(seen)},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Someone changed this theme meanwhile: it is now “Unit prices”." in page
    assert "What you typed: “Price anxiety”." in page


def test_filters_narrow_the_cards(client, fieldwork):
    debrief = fieldwork.open_debrief()
    client.sign_in(fieldwork.organiser)
    calls = board_page(client, debrief, f"?kind={ActivityKind.CALL_LISTENING}")
    assert "I want my money back" in calls and "dearer per gram" not in calls
    tagged = board_page(client, debrief, "?tag=access")
    assert "carry this up the stairs" in tagged and "money back" not in tagged
    person = board_page(client, debrief, f"?person={fieldwork.people[0].id}")
    assert "dearer per gram" in person and "carry this" not in person


def test_insights_and_actions_from_the_board(client, fieldwork):
    debrief = fieldwork.open_debrief()
    client.sign_in(fieldwork.people[0])
    form = client.get(
        f"/debriefs/{debrief.id}/insights/new?note_ids={fieldwork.notes[0].id}"
    ).get_data(as_text=True)
    assert f'name="evidence" value="{fieldwork.notes[0].id}" checked' in form
    saved = client.form(
        f"/debriefs/{debrief.id}/insights",
        {
            "statement": "Unit prices are hidden",
            "so_what": "Show them",
            "evidence": [str(fieldwork.notes[0].id)],
            "evidence_sent": "1",
        },
        follow_redirects=True,
    )
    assert "Insight added." in saved.get_data(as_text=True)
    assert [n.id for n in debrief.insights[0].evidence] == [fieldwork.notes[0].id]


def test_writing_an_insight_from_ticked_cards_posts_them(client, fieldwork):
    """The board's button sends the cards in a POST: its form token never goes in a URL."""
    debrief = fieldwork.open_debrief()
    client.sign_in(fieldwork.people[0])
    board = board_page(client, debrief)
    button = re.search(r"<button[^>]*>Insight from these</button>", board)
    assert button and "formmethod" not in button.group(0)
    assert f'method="post" action="/debriefs/{debrief.id}/moves"' in board  # its form posts
    note = fieldwork.notes[1].id
    form = client.form(f"/debriefs/{debrief.id}/insights/new", {"note_ids": [str(note)]})
    assert f'name="evidence" value="{note}" checked' in form.get_data(as_text=True)
    assert debrief.insights == []
    unsigned = client.post(f"/debriefs/{debrief.id}/insights/new", data={"note_ids": [str(note)]})
    assert unsigned.status_code == 400
    bad = client.form(
        f"/debriefs/{debrief.id}/actions",
        {"what": "Label prices", "owner": "Retail", "due_on": "soon"},
        follow_redirects=True,
    )
    assert (
        "The due date must be a date like 2030-03-31. What you typed: “Label prices”."
        in bad.get_data(as_text=True)
    )
    client.form(
        f"/debriefs/{debrief.id}/actions",
        {"what": "Label prices", "owner": "Retail", "due_on": "2030-03-31"},
    )
    assert debrief.actions[0].owner == "Retail"


def test_publish_locks_the_board_and_the_pdf_downloads(client, fieldwork):
    debrief = fieldwork.open_debrief()
    client.sign_in(fieldwork.facilitator)
    published = client.form(f"/debriefs/{debrief.id}/publish", follow_redirects=True)
    assert "Published" in published.get_data(as_text=True)
    assert f'action="/debriefs/{debrief.id}/moves"' not in published.get_data(as_text=True)
    pdf = client.get(f"/debriefs/{debrief.id}/pdf?paper=letter")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "letter.pdf" in pdf.headers["Content-Disposition"]
    assert client.get(f"/debriefs/{debrief.id}/pdf?paper=a3").status_code == 400


def wait_for_reports() -> None:
    token = write_intent.set(False)  # only reads here: never hold the lock the worker needs
    try:
        for _ in range(200):
            db.session.commit()  # end this test's transaction so the next read sees the worker's
            if all(r.status == "done" for r in db.session.query(Report)):
                return
            time.sleep(0.1)
        raise AssertionError("the background PDF was not made within 20 seconds")
    finally:
        write_intent.reset(token)


def test_a_large_board_is_rendered_in_the_background_and_kept_until_it_changes(
    client, fieldwork, monkeypatch
):
    monkeypatch.setattr(reports, "INLINE_NOTES", 0)
    debrief = fieldwork.open_debrief()
    client.sign_in(fieldwork.facilitator)
    first = client.get(f"/debriefs/{debrief.id}/pdf")
    assert first.status_code == 202 and 'http-equiv="refresh"' in first.get_data(as_text=True)
    wait_for_reports()
    ready = client.get(f"/debriefs/{debrief.id}/pdf")
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    ops.create_theme(db.session, debrief, "A change", user=fieldwork.facilitator)
    again = client.get(f"/debriefs/{debrief.id}/pdf")
    assert again.status_code == 202  # the board changed: a new PDF is made
    wait_for_reports()  # before the test's tables are emptied under the worker thread
    assert [r.board_version for r in db.session.query(Report)] == [debrief.version]


def test_card_photos_are_for_people_who_see_the_board(client, fieldwork, login_as):
    debrief = fieldwork.open_debrief()
    photo_id = fieldwork.notes[0].photos[0].id
    client.sign_in(fieldwork.people[1])
    with client.get(f"/debriefs/{debrief.id}/photos/{photo_id}") as response:
        assert response.mimetype == "image/jpeg"
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    login_as()
    assert client.get(f"/debriefs/{debrief.id}/photos/{photo_id}").status_code == 404


def test_markup_typed_on_the_board_stays_text(client, fieldwork):
    debrief = fieldwork.open_debrief()
    script = "<script>alert(1)</script>"
    theme = ops.create_theme(
        db.session, debrief, script, "<img src=x onerror=alert(1)>", user=fieldwork.people[0]
    )
    ops.save_insight(
        db.session,
        debrief,
        {"statement": script, "so_what": script, "theme_id": theme.id},
        user=fieldwork.people[0],
    )
    ops.save_action(
        db.session, debrief, {"what": script, "owner": script}, user=fieldwork.people[0]
    )
    client.sign_in(fieldwork.people[0])
    for page in (
        board_page(client, debrief),
        client.get(f"/debriefs/{debrief.id}/insights/{debrief.insights[0].id}").get_data(
            as_text=True
        ),
    ):
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_people_never_see_a_board_version(client, fieldwork):
    """The version guards against overwriting others' changes; it is a hidden field only."""
    debrief = fieldwork.open_debrief()
    ops.create_theme(db.session, debrief, "Prices", user=fieldwork.people[0])
    client.sign_in(fieldwork.people[0])
    page = board_page(client, debrief)
    assert "version" not in re.sub(r"<[^>]*>", " ", page).lower()  # not in any text shown
    assert f'<input type="hidden" name="version" value="{debrief.version}">' in page


def test_actions_are_a_list_each_opening_to_its_form(client, fieldwork):
    debrief = fieldwork.open_debrief()
    action = ops.save_action(
        db.session,
        debrief,
        {"what": "Label prices", "owner": "Retail", "due_on": "2030-03-31"},
        user=fieldwork.people[0],
    )
    client.sign_in(fieldwork.people[0])
    page = board_page(client, debrief)
    item = page.split('<ul class="agreed-list">', 1)[1].split("</ul>", 1)[0]
    summary = re.search(r"<summary>(.*?)</summary>", item, re.S)
    assert summary and "Label prices" in summary.group(1)
    assert "Retail · due 31 Mar 2030 ·" in summary.group(1) and ">Open<" in summary.group(1)
    # The form to change it is inside the disclosure, after the line that reads as the list.
    assert item.index("</summary>") < item.index(
        f'action="/debriefs/{debrief.id}/actions/{action.id}"'
    )
    saved = client.form(
        f"/debriefs/{debrief.id}/actions/{action.id}",
        {
            "what": "Label prices",
            "owner": "Retail",
            "due_on": "",
            "status": "done",
            "version": str(debrief.version),
        },
        follow_redirects=True,
    )
    assert "Action saved." in saved.get_data(as_text=True)
    assert "Retail · no due date ·" in saved.get_data(as_text=True)
    assert action.status == "done"


def test_a_published_debrief_shows_insights_and_actions_before_the_cards(client, fieldwork):
    debrief = fieldwork.open_debrief()
    theme = ops.move_cards(
        db.session,
        debrief,
        [fieldwork.notes[0].id],
        new_theme="Prices",
        seen=debrief.version,
        user=fieldwork.people[0],
    )
    ops.save_insight(
        db.session,
        debrief,
        {"statement": "Unit prices are hidden", "theme_id": theme.id},
        user=fieldwork.people[0],
    )
    ops.save_action(
        db.session, debrief, {"what": "Label prices", "owner": "Retail"}, user=fieldwork.people[0]
    )
    client.sign_in(fieldwork.people[1])
    before = board_page(client, debrief)
    assert before.index('id="unsorted-h"') < before.index('id="insights-h"')  # at work: cards first
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    client.sign_in(fieldwork.facilitator)
    client.form(f"/debriefs/{debrief.id}/publish")
    page = board_page(client, debrief)
    order = [
        page.index(marker)
        for marker in (
            'id="insights-h"',
            "Unit prices are hidden",
            'id="actions-h"',
            "Label prices",
            'id="unsorted-h"',
            'id="theme-' + str(theme.id) + '-h"',
        )
    ]
    assert order == sorted(order)
    assert "<summary>" not in page.split('id="actions-h"', 1)[1].split("</section>", 1)[0]
    assert 'id="move-form"' not in page
