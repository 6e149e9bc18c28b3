"""The sync endpoint and the notes API."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.briefings.services import acknowledge
from app.extensions import db
from app.signups.services import sign_up
from tests.api.test_api import bearer
from tests.factories import make_activity, make_programme, make_user


def on_slot():  # type: ignore[no-untyped-def]
    programme = make_programme()
    slot = make_activity(programme)
    person = make_user()
    sign_up(db.session, slot, user=person)
    acknowledge(db.session, programme, user=person)
    return person, slot, bearer(person)


def note(slot, **changes):  # type: ignore[no-untyped-def]
    return {
        "client_id": str(uuid.uuid4()),
        "type": "observation",
        "activity_id": slot.id,
        "fields": {"did": "Picked up two boxes, put one back"},
        "updated_at": "2030-01-01T10:00:00+00:00",
        **changes,
    }


def test_sync_then_list_edit_and_delete(client):
    _, slot, headers = on_slot()
    body = {"items": [note(slot), note(slot, type="nonsense")]}
    results = client.post("/api/v1/sync", json=body, headers=headers).get_json()["results"]
    assert [r["status"] for r in results] == ["created", "rejected"]
    assert results[1]["errors"] == {"type": "must be observation or call_note"}
    again = client.post("/api/v1/sync", json=body, headers=headers).get_json()["results"]
    assert again[0]["status"] == "unchanged" and again[0]["id"] == results[0]["id"]
    notes = client.get("/api/v1/me/notes", headers=headers).get_json()["items"]
    assert [n["client_id"] for n in notes] == [body["items"][0]["client_id"]]
    url = f"/api/v1/notes/{results[0]['id']}"
    edited = client.patch(url, json={"fields": {"did": "Left"}, "version": 1}, headers=headers)
    assert edited.status_code == 200 and edited.get_json()["version"] == 2
    stale = client.patch(url, json={"fields": {"did": "Again"}, "version": 1}, headers=headers)
    assert stale.status_code == 409 and "changed since" in stale.get_json()["error"]["message"]
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


def test_other_people_cannot_read_or_change_a_note(client):
    _, slot, headers = on_slot()
    [result] = client.post(
        "/api/v1/sync", json={"items": [note(slot)]}, headers=headers
    ).get_json()["results"]
    stranger = bearer(make_user())
    url = f"/api/v1/notes/{result['id']}"
    assert client.get(url, headers=stranger).status_code == 404
    assert client.patch(url, json={"fields": {}, "version": 1}, headers=stranger).status_code == 404
    assert client.delete(url, headers=stranger).status_code == 404
    organiser = bearer(slot.programme.organisers[0])
    assert client.get(url, headers=organiser).status_code == 200
    assert client.delete(url, headers=organiser).status_code == 403


def test_sync_needs_a_list_and_at_most_100_items(client):
    _, slot, headers = on_slot()
    for body in ({"items": "x"}, {"notes": []}, [1]):
        response = client.post("/api/v1/sync", json=body, headers=headers)
        assert response.status_code == 400 and "error" in response.get_json()
    big = client.post("/api/v1/sync", json={"items": [note(slot)] * 101}, headers=headers)
    assert big.status_code == 400 and "at most 100" in big.get_json()["error"]["message"]


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
ITEM = st.fixed_dictionaries(
    {},
    optional={
        "client_id": st.uuids().map(str) | JSON,
        "type": st.sampled_from(["observation", "call_note"]) | JSON,
        "activity_id": st.integers(0, 3) | JSON,
        "fields": st.dictionaries(
            st.sampled_from(["did", "said", "mood", "moments", "tags", "x"]), JSON
        )
        | JSON,
        "updated_at": st.just("2030-01-01T10:00:00+00:00") | JSON,
    },
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.fixed_dictionaries({"items": st.lists(ITEM | JSON, max_size=5)}) | JSON)
def test_no_input_gives_a_server_error(client, body):
    person = make_user(email=f"{uuid.uuid4().hex}@example.com")
    response = client.post("/api/v1/sync", json=body, headers=bearer(person))
    assert response.status_code < 500
    assert response.is_json
