"""Briefing and task endpoints of the JSON API."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.signups.services import sign_up
from tests.api.test_api import bearer
from tests.factories import make_activity, make_briefing_session, make_programme, make_user


def test_briefing_status_and_acknowledge(client):
    programme = make_programme()
    headers = bearer(make_user())
    before = client.get(f"/api/v1/programmes/{programme.id}/briefing", headers=headers).get_json()
    assert before["status"]["done"] is False and "Watch and listen first" in before["pack_markdown"]
    assert before["session_required"] is True
    assert before["status"]["missing"] == ["read and acknowledge the briefing pack"]
    assert "<strong>Watch and listen first" in before["pack_html"]
    ack = client.post(f"/api/v1/programmes/{programme.id}/briefing/acknowledge", headers=headers)
    assert ack.status_code == 200
    after = client.get(f"/api/v1/programmes/{programme.id}/briefing", headers=headers).get_json()
    assert after["status"]["done"] is True and after["status"]["missing"] == []


def test_join_briefing_session_then_full_is_409(client):
    programme = make_programme()
    briefing = make_briefing_session(programme, capacity=1)
    url = f"/api/v1/briefing-sessions/{briefing.id}/signups"
    assert client.post(url, headers=bearer(make_user())).status_code == 201
    full = client.post(url, headers=bearer(make_user()))
    assert full.status_code == 409 and "full" in full.get_json()["error"]["message"]
    assert (
        client.post(
            "/api/v1/briefing-sessions/999/signups", headers=bearer(make_user())
        ).status_code
        == 404
    )


def test_organiser_task_crud_and_employee_sees_only_their_tasks(client):
    organiser = make_user(Role.ORGANISER)
    programme = make_programme(organiser)
    slot = make_activity(programme)
    on_slot, elsewhere = make_user(), make_user()
    sign_up(db.session, slot, user=on_slot)
    h = bearer(organiser)
    created = client.post(
        f"/api/v1/programmes/{programme.id}/tasks",
        headers=h,
        json={
            "question": "Why do people call?",
            "scope": "slot",
            "activity_id": slot.id,
            "prompts": ["Listen for the first sentence"],
        },
    )
    assert created.status_code == 201, created.get_json()
    task_id = created.get_json()["id"]
    assert [
        t["question"]
        for t in client.get("/api/v1/me/tasks", headers=bearer(on_slot)).get_json()["items"]
    ] == ["Why do people call?"]
    assert client.get("/api/v1/me/tasks", headers=bearer(elsewhere)).get_json()["items"] == []
    patched = client.patch(
        f"/api/v1/programmes/{programme.id}/tasks/{task_id}",
        headers=h,
        json={"question": "What do callers ask first?"},
    )
    assert patched.get_json()["question"] == "What do callers ask first?"
    assert patched.get_json()["prompts"] == ["Listen for the first sentence"]
    retired = client.delete(f"/api/v1/programmes/{programme.id}/tasks/{task_id}", headers=h)
    assert retired.get_json()["retired"] is True
    assert client.get("/api/v1/me/tasks", headers=bearer(on_slot)).get_json()["items"] == []


def test_employees_cannot_manage_tasks(client):
    programme = make_programme()
    h = bearer(make_user())
    assert client.get(f"/api/v1/programmes/{programme.id}/tasks", headers=h).status_code == 403
    response = client.post(
        f"/api/v1/programmes/{programme.id}/tasks",
        headers=h,
        json={"question": "Q", "scope": "kind", "kind": "call_listening"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"question": "Q", "scope": "slot", "activity_id": "one"}, "activity_id must be a whole"),
        ({"question": "Q", "scope": "slot", "activity_id": 10**9}, "Pick a slot"),
        ({"question": "Q", "scope": "kind", "kind": 7}, "kind must be text"),
        ({"question": "Q", "scope": "kind", "kind": "sky"}, "Pick a kind"),
        ({"question": "Q", "scope": "people", "emails": "a@example.com"}, "must be a list"),
        ({"question": "Q", "scope": "galaxy"}, "Choose who the task is for"),
        ({"question": "", "scope": "kind", "kind": "call_listening"}, "Question is required"),
        (
            {"question": "Q", "scope": "kind", "kind": "call_listening", "colour": "red"},
            "Unknown fields",
        ),
    ],
)
def test_bad_task_json_is_400_with_the_reason(client, body, message):
    organiser = make_user(Role.ORGANISER)
    programme = make_programme(organiser)
    response = client.post(
        f"/api/v1/programmes/{programme.id}/tasks", headers=bearer(organiser), json=body
    )
    assert response.status_code == 400 and message in response.get_json()["error"]["message"]
