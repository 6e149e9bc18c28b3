"""The sync endpoint and the notes API."""

from __future__ import annotations

import io
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from app.briefings.services import acknowledge
from app.extensions import db
from app.signups.services import sign_up
from tests.api.test_api import bearer
from tests.factories import jpeg_bytes, make_activity, make_programme, make_user


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
    assert notes[0]["observed_at"] == slot.starts_at.isoformat()  # sent after the slot
    far = note(slot, fields={"observed_at": "9999-12-31T23:59:59+14:00"})
    [refused] = client.post("/api/v1/sync", json={"items": [far]}, headers=headers).get_json()[
        "results"
    ]
    assert refused["status"] == "rejected" and "2100" in refused["errors"]["observed_at"]
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


def _synced(client, slot, headers):  # type: ignore[no-untyped-def]
    body = {"items": [note(slot)]}
    [result] = client.post("/api/v1/sync", json=body, headers=headers).get_json()["results"]
    return result


def upload(client, headers, note_client_id, *, content=None, client_id=None, **form):  # type: ignore[no-untyped-def]
    data = {
        "client_id": client_id or str(uuid.uuid4()),
        "note_client_id": note_client_id,
        "file": (io.BytesIO(content if content is not None else jpeg_bytes()), "p.jpg"),
        **form,
    }
    return client.post("/api/v1/photos", data=data, headers=headers)


def test_a_photo_uploads_once_and_is_listed_with_its_note(client):
    _, slot, headers = on_slot()
    saved = _synced(client, slot, headers)
    photo_id = str(uuid.uuid4())
    first = upload(client, headers, saved["client_id"], client_id=photo_id)
    again = upload(client, headers, saved["client_id"], client_id=photo_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["status"] == "created" and again.get_json()["status"] == "unchanged"
    assert first.get_json()["id"] == again.get_json()["id"]
    listed = client.get(f"/api/v1/notes/{saved['id']}", headers=headers).get_json()["photos"]
    assert [p["client_id"] for p in listed] == [photo_id]
    thumb = client.get(f"{listed[0]['thumb_url']}", headers=headers)
    assert thumb.mimetype == "image/jpeg" and Image.open(io.BytesIO(thumb.data)).width <= 320
    assert (
        client.get(f"/api/v1/photos/{listed[0]['id']}?size=huge", headers=headers).status_code
        == 400
    )
    stranger = bearer(make_user())
    assert client.get(listed[0]["url"], headers=stranger).status_code == 404
    assert client.delete(listed[0]["url"], headers=stranger).status_code == 404
    assert client.delete(listed[0]["url"], headers=headers).status_code == 204


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"client_id": "not-a-uuid"}, 400, "client_id must be a UUID"),
        ({"note_client_id": str(uuid.uuid4())}, 404, "send the note before its photos"),
        ({"content": b"<svg onload=alert(1)>"}, 400, "not a photo"),
        ({"shows_person": "maybe"}, 400, "shows_person must be true or false"),
        ({"shows_person": "true"}, 400, "confirm they agreed"),
    ],
)
def test_bad_photo_uploads_are_refused_with_a_reason(client, form, status, message):
    _, slot, headers = on_slot()
    saved = _synced(client, slot, headers)
    response = upload(client, headers, form.pop("note_client_id", saved["client_id"]), **form)
    assert response.status_code == status
    assert message in response.get_json()["error"]["message"]


def test_photos_go_only_on_my_own_notes(client):
    _, slot, headers = on_slot()
    saved = _synced(client, slot, headers)
    response = upload(client, bearer(make_user()), saved["client_id"])
    assert response.status_code == 404


def test_a_missing_file_is_explained(client):
    _, slot, headers = on_slot()
    saved = _synced(client, slot, headers)
    data = {"client_id": str(uuid.uuid4()), "note_client_id": saved["client_id"]}
    response = client.post("/api/v1/photos", data=data, headers=headers)
    assert (
        response.status_code == 400
        and "multipart field file" in response.get_json()["error"]["message"]
    )
