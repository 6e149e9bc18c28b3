"""Briefing, task, readiness and check-in pages over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

from app.accounts.models import Role
from app.briefings import services, tasks
from app.briefings.models import BriefingAcknowledgement, Task
from app.briefings.tasks import TaskInput
from app.extensions import db
from app.signups.models import Signup
from app.signups.services import sign_up
from tests.factories import (
    make_activity,
    make_briefing_session,
    make_programme,
    make_user,
    move_to,
)


def test_employee_reads_and_acknowledges_the_briefing(client, login_as):
    person = login_as()
    programme = make_programme()
    page = client.get(f"/programmes/{programme.id}/briefing").get_data(as_text=True)
    assert "Watch and listen first" in page and "I have read the rules of observation" in page
    response = client.form(
        f"/programmes/{programme.id}/briefing/acknowledge", follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Pack read and acknowledged" in page and "You are ready to go out" in page
    assert db.session.get(BriefingAcknowledgement, (programme.id, person.id)) is not None


def test_organiser_edits_the_pack_and_hostile_html_stays_inert(client, login_as):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser)
    body = "## Objectives\n\nListen.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))"
    response = client.form(
        f"/programmes/{programme.id}/briefing/edit", {"body": body}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "<h2>Objectives</h2>" in page and "<script>alert(1)" not in page
    assert 'href="javascript' not in page
    pack = services.get_pack(db.session, programme)
    assert pack.required is False and pack.session_required  # left out: the defaults
    client.form(
        f"/programmes/{programme.id}/briefing/edit",
        {"body": body, "required": "y", "briefed_by": "pack"},
    )
    db.session.refresh(pack)
    assert pack.required and not pack.session_required
    edit = client.get(f"/programmes/{programme.id}/briefing/edit").get_data(as_text=True)
    pack_choice = re.search(r'<input[^>]*value="pack"[^>]*>', edit)
    assert pack_choice and "checked" in pack_choice.group(0)
    bad = client.form(
        f"/programmes/{programme.id}/briefing/edit", {"body": body, "briefed_by": "x"}
    )
    assert "Not a valid choice" in bad.get_data(as_text=True)
    db.session.refresh(pack)
    assert not pack.session_required
    empty = client.form(f"/programmes/{programme.id}/briefing/edit", {"body": ""})
    assert "This field is required" in empty.get_data(as_text=True)


def test_employee_cannot_edit_the_pack_or_see_tasks_admin(client, login_as):
    login_as()
    programme = make_programme()
    assert client.get(f"/programmes/{programme.id}/briefing/edit").status_code == 403
    assert client.get(f"/programmes/{programme.id}/tasks").status_code == 403
    assert client.get(f"/programmes/{programme.id}/readiness").status_code == 403


def test_booking_a_briefing_session(client, login_as):
    login_as()
    programme = make_programme()
    make_briefing_session(programme, capacity=1)
    page = client.get(f"/programmes/{programme.id}/briefing").get_data(as_text=True)
    assert "Room 1" in page and "Book this session" in page
    briefing_id = services.sessions_of(db.session, programme)[0].id
    response = client.form(f"/briefing-sessions/{briefing_id}/join", follow_redirects=True)
    assert "You are booked" in response.get_data(as_text=True)


def test_task_shows_on_the_slot_only_for_people_on_it(client, app, login_as):
    person = login_as()
    programme = make_programme()
    slot = make_activity(programme)
    sign_up(db.session, slot, user=person)
    tasks.create_task(
        db.session,
        programme,
        TaskInput(
            question="What makes people hesitate at the shelf?",
            scope="slot",
            activity_id=slot.id,
            prompts="Look at the moment they compare prices",
        ),
        by=programme.organisers[0],
    )
    page = client.get(f"/activities/{slot.id}").get_data(as_text=True)
    assert "What makes people hesitate at the shelf?" in page and "compare prices" in page
    home = client.get("/").get_data(as_text=True)
    assert "What makes people hesitate at the shelf?" in home
    other = app.test_client()
    other.sign_in(make_user())
    assert "hesitate" not in other.get(f"/activities/{slot.id}").get_data(as_text=True)
    assert "hesitate" not in other.get("/tasks").get_data(as_text=True)


def test_organiser_writes_a_task_and_bad_input_is_explained(client, login_as):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser)
    slot = make_activity(programme)
    url = f"/programmes/{programme.id}/tasks/new"
    page = client.form(
        url,
        {
            "question": "Q?",
            "scope": "people",
            "emails": "ghost@example.com",
            "activity_id": str(slot.id),
            "kind": "call_listening",
        },
    )
    assert "No account for ghost@example.com" in page.get_data(as_text=True)
    assert db.session.query(Task).count() == 0
    response = client.form(
        url,
        {
            "question": "Why do they call?",
            "scope": "slot",
            "activity_id": str(slot.id),
            "kind": "call_listening",
        },
    )
    assert response.status_code == 302
    task = db.session.query(Task).one()
    assert task.activity_id == slot.id
    client.form(f"/programmes/{programme.id}/tasks/{task.id}/retire")
    db.session.refresh(task)
    assert task.retired_at is not None


def test_check_in_page_says_when_it_opens(client, login_as):
    person = login_as()
    slot = make_activity(make_programme())
    sign_up(db.session, slot, user=person)
    page = client.get(f"/activities/{slot.id}/checkin").get_data(as_text=True)
    assert "Check-in opens" in page and "I'm here" not in page
    refused = client.form(
        f"/activities/{slot.id}/checkin", {"code": slot.checkin_code, "how": "code"}
    ).get_data(as_text=True)
    assert "Check-in opens" in refused
    assert db.session.query(Signup).one().arrived_at is None


def test_check_in_link_from_the_qr_code(client, login_as):
    person = login_as()
    slot = make_activity(make_programme())
    sign_up(db.session, slot, user=person)
    move_to(slot, timedelta(minutes=10))
    db.session.commit()
    page = client.get(f"/activities/{slot.id}/checkin?code={slot.checkin_code}").get_data(
        as_text=True
    )
    assert f'value="{slot.checkin_code}"' in page
    bad = client.form(f"/activities/{slot.id}/checkin", {"code": "ZZZZZZ", "how": "code"})
    assert "does not match" in bad.get_data(as_text=True)
    ok = client.form(
        f"/activities/{slot.id}/checkin",
        {"code": slot.checkin_code, "how": "code"},
        follow_redirects=True,
    )
    assert "You are checked in" in ok.get_data(as_text=True)
    assert db.session.query(Signup).one().arrived_at is not None


def test_host_page_shows_the_code_and_a_qr_code(client, login_as):
    organiser = login_as(Role.ORGANISER)
    slot = make_activity(make_programme(organiser))
    page = client.get(f"/activities/{slot.id}/checkin-code").get_data(as_text=True)
    assert slot.checkin_code in page and "<svg" in page
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []  # no inline script


def test_organiser_marks_a_no_show_from_the_roster(client, login_as):
    organiser = login_as(Role.ORGANISER)
    slot = make_activity(make_programme(organiser))
    signup = sign_up(db.session, slot, user=make_user())
    client.form(f"/signups/{signup.id}/arrival", {"arrived": "no"})
    db.session.refresh(signup)
    assert signup.no_show
    assert "No-show" in client.get(f"/activities/{slot.id}/people").get_data(as_text=True)


def test_readiness_and_home_queries_do_not_grow(client, login_as, count_queries):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser, length=10)
    counts = []
    for n in (2, 12):
        while len(programme.activities) < n:
            i = len(programme.activities)
            slot = make_activity(programme, day=i % 10, hour=8 + i // 10, hours=1, capacity=3)
            for _ in range(2):
                person = make_user()
                sign_up(db.session, slot, user=person)
                services.acknowledge(db.session, programme, user=person)
            sign_up(db.session, slot, user=organiser)
            tasks.create_task(
                db.session,
                programme,
                TaskInput(question=f"Q{i}", scope="slot", activity_id=slot.id),
                by=organiser,
            )
        db.session.commit()
        row = []
        for url in (f"/programmes/{programme.id}/readiness", "/", "/tasks"):
            client.get(url)
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            row.append(len(statements))
        counts.append(row)
    assert counts[0] == counts[1]


def test_slot_page_prompts_for_a_required_briefing(client, login_as):
    person = login_as()
    programme = make_programme()
    slot = make_activity(programme)
    sign_up(db.session, slot, user=person)
    page = client.get(f"/activities/{slot.id}").get_data(as_text=True)
    assert "Before you go out, finish the briefing" in page
    services.acknowledge(db.session, programme, user=person)
    assert "Before you go out" not in client.get(f"/activities/{slot.id}").get_data(as_text=True)
