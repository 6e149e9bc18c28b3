"""The debrief API: the board with its version as ETag, versioned writes, publish, PDF."""

from __future__ import annotations

import pytest

from app.debriefs.models import Debrief
from app.extensions import db
from tests.api.test_api import bearer


def test_open_a_debrief_through_the_api(client, fieldwork):
    headers = bearer(fieldwork.facilitator)
    url = f"/api/v1/programmes/{fieldwork.programme.id}/debriefs"
    body = {
        "title": "Friday debrief",
        "starts_at": "2030-01-10T17:00",
        "location": "Room 4",
        "kinds": ["call_listening"],
    }
    created = client.post(url, json=body, headers=headers)
    assert created.status_code == 201
    assert created.get_json()["invitee_ids"] == [fieldwork.people[2].id]
    assert client.post(url, json=body, headers=bearer(fieldwork.people[0])).status_code == 403


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"title": "D", "location": "Room"}, "starts_at"),
        ({"title": "D", "starts_at": "tomorrow", "location": "Room"}, "starts_at"),
        ({"title": "D", "starts_at": "2030-01-10T17:00"}, "place or an online link"),
        (
            {"title": "D", "starts_at": "2030-01-10T17:00", "location": "R", "activity_ids": 3},
            "must be a list",
        ),
        (
            {"title": "D", "starts_at": "2030-01-10T17:00", "location": "R", "extra": 1},
            "Unknown fields",
        ),
        ({"title": "", "starts_at": "2030-01-10T17:00", "location": "R"}, "title"),
        (
            {
                "title": "D",
                "starts_at": "2030-01-10T17:00",
                "location": "R",
                "also_invite": "a@b.c",
            },
            "must be a list",
        ),
        (
            {
                "title": "D",
                "starts_at": "2030-01-10T17:00",
                "location": "R",
                "also_invite": ["x@y.z"],
            },
            "No active account",
        ),
    ],
)
def test_bad_debriefs_are_refused_with_a_reason(client, fieldwork, body, message):
    response = client.post(
        f"/api/v1/programmes/{fieldwork.programme.id}/debriefs",
        json=body,
        headers=bearer(fieldwork.organiser),
    )
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]


def test_polling_the_board_costs_nothing_until_it_changes(client, fieldwork):
    debrief = fieldwork.open_debrief()
    headers = bearer(fieldwork.people[0])
    first = client.get(f"/api/v1/debriefs/{debrief.id}", headers=headers)
    board = first.get_json()
    assert len(board["cards"]) == 3 and board["dots_left"] == 5
    answers = [c["answer"] for c in board["cards"]]
    assert "Staff said to write to [email removed]" in answers
    assert "lifts@example.com" not in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    same = client.get(f"/api/v1/debriefs/{debrief.id}", headers={**headers, "If-None-Match": etag})
    assert same.status_code == 304 and same.data == b""
    client.post(f"/api/v1/debriefs/{debrief.id}/themes", json={"name": "Prices"}, headers=headers)
    changed = client.get(
        f"/api/v1/debriefs/{debrief.id}", headers={**headers, "If-None-Match": etag}
    )
    assert changed.status_code == 200 and changed.get_json()["themes"][0]["name"] == "Prices"


def test_the_second_of_two_edits_is_told_about_the_first(client, fieldwork):
    debrief = fieldwork.open_debrief()
    ann, bob = bearer(fieldwork.people[0]), bearer(fieldwork.people[1])
    base = f"/api/v1/debriefs/{debrief.id}"
    theme = client.post(f"{base}/themes", json={"name": "Prices"}, headers=ann).get_json()
    seen = client.get(base, headers=bob).get_json()["version"]
    ok = client.patch(
        f"{base}/themes/{theme['id']}", json={"name": "Unit prices", "version": seen}, headers=ann
    )
    assert ok.status_code == 200
    late = client.patch(
        f"{base}/themes/{theme['id']}", json={"name": "Price anxiety", "version": seen}, headers=bob
    )
    assert late.status_code == 409 and "Unit prices" in late.get_json()["error"]["message"]
    moved = client.post(
        f"{base}/moves",
        json={"note_ids": [fieldwork.notes[0].id], "to_theme": theme["id"], "version": seen},
        headers=ann,
    )
    assert moved.status_code == 200
    stale = client.post(
        f"{base}/moves",
        json={"note_ids": [fieldwork.notes[0].id], "to_theme": None, "version": seen},
        headers=bob,
    )
    assert (
        stale.status_code == 409 and "moved by someone else" in stale.get_json()["error"]["message"]
    )


def test_votes_insights_actions_publish_and_pdf(client, fieldwork):
    debrief = fieldwork.open_debrief()
    ann = bearer(fieldwork.people[0])
    base = f"/api/v1/debriefs/{debrief.id}"
    theme = client.post(f"{base}/themes", json={"name": "Prices"}, headers=ann).get_json()
    assert client.post(f"{base}/themes/{theme['id']}/votes", headers=ann).get_json() == {
        "dots_left": 4
    }
    assert client.delete(f"{base}/themes/{theme['id']}/votes", headers=ann).get_json() == {
        "dots_left": 5
    }
    insight = client.post(
        f"{base}/insights",
        json={"statement": "Hidden prices", "evidence": [fieldwork.notes[0].id]},
        headers=ann,
    )
    assert insight.status_code == 201 and insight.get_json()["evidence"] == [fieldwork.notes[0].id]
    action = client.post(
        f"{base}/actions",
        json={"what": "Label prices", "owner": "Retail", "due_on": "2030-03-31"},
        headers=ann,
    )
    assert action.status_code == 201
    version = client.get(base, headers=ann).get_json()["version"]
    done = client.patch(
        f"{base}/actions/{action.get_json()['id']}",
        json={"status": "done", "version": version},
        headers=ann,
    )
    assert done.get_json()["status"] == "done"
    assert client.post(f"{base}/publish", headers=ann).status_code == 403
    published = client.post(f"{base}/publish", headers=bearer(fieldwork.facilitator))
    assert published.get_json()["status"] == "published"
    assert client.post(f"{base}/themes", json={"name": "Late"}, headers=ann).status_code == 409
    pdf = client.get(f"{base}/pdf", headers=bearer(fieldwork.organiser))
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    reader = bearer(db.session.merge(fieldwork.people[2]))
    assert client.get(base, headers=reader).status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("themes", {"name": "x" * 201}, "too long"),
        ("themes", {"name": ["a"]}, "Name must be text"),
        ("moves", {"note_ids": "1", "version": 1}, "Select one or more cards"),
        ("moves", {"note_ids": [1], "version": "1"}, "board version"),
        ("insights", {"statement": "ok", "theme_id": "x"}, "no such theme"),
        ("actions", {"what": "ok", "owner": "me", "status": "later"}, "open, doing or done"),
        ("actions", {"what": "ok", "owner": "me", "due_on": 20300101}, "due date"),
    ],
)
def test_bad_board_writes_are_refused_with_a_reason(client, fieldwork, path, body, message):
    debrief = fieldwork.open_debrief()
    response = client.post(
        f"/api/v1/debriefs/{debrief.id}/{path}", json=body, headers=bearer(fieldwork.people[0])
    )
    assert response.status_code in (400, 404)
    assert message in response.get_json()["error"]["message"]
    assert db.session.get(Debrief, debrief.id).version == debrief.version  # nothing changed
