"""The JSON API: auth, shapes, errors and the OpenAPI document."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.extensions import db
from app.programmes.services import change_status
from app.signups.services import sign_up
from tests.factories import make_activity, make_programme, make_user, move_to

KINDS = [
    "call_listening",
    "group_discussion",
    "in_depth_interview",
    "demonstrator_visit",
    "behind_the_counter",
    "shopper_interview",
    "customer_observation",
]


def bearer(user):  # type: ignore[no-untyped-def]
    token = create_api_token(db.session, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def programme_body(**changes):  # type: ignore[no-untyped-def]
    return {
        "title": "Week",
        "starts_on": "2030-03-02",
        "ends_on": "2030-03-06",
        "timezone": "Europe/Paris",
        "signup_opens_at": "2030-02-01T09:00",
        "signup_closes_at": "2030-03-01T17:00:00+00:00",
        **changes,
    }


def test_every_api_route_is_in_the_openapi_document(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        template = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        paths = (
            [template]
            if "{action}" not in template
            else [template.replace("{action}", a) for a in ("publish", "close", "archive")]
        )
        for path in paths:
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                if method.lower() not in doc["paths"].get(path, {}):
                    missing.append(f"{method} {path}")
    assert missing == []


def test_anonymous_gets_json_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_bearer_token_authenticates_and_sets_no_cookie(client):
    person = make_user(name="Tess")
    response = client.get("/api/v1/me", headers=bearer(person))
    assert response.get_json()["name"] == "Tess" and "Set-Cookie" not in response.headers


def test_bad_bearer_token_is_401(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_session_write_without_csrf_header_is_refused(client, login_as):
    login_as(Role.ORGANISER)
    response = client.post("/api/v1/programmes", json=programme_body())
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "csrf_failed"
    assert client.api("POST", "/api/v1/programmes", programme_body()).status_code == 201


def test_organiser_creates_programme_adds_every_kind_and_publishes(client):
    headers = bearer(make_user(Role.ORGANISER))
    created = client.post("/api/v1/programmes", json=programme_body(), headers=headers)
    assert created.status_code == 201
    pid = created.get_json()["id"]
    assert created.get_json()["signup_opens_at"] == "2030-02-01T08:00:00+00:00"
    for n, kind in enumerate(KINDS):
        response = client.post(
            f"/api/v1/programmes/{pid}/activities",
            headers=headers,
            json={
                "kind": kind,
                "title": f"Slot {n}",
                "location": "Lyon",
                "starts_at": f"2030-03-0{2 + n % 5}T10:00",
                "ends_at": f"2030-03-0{2 + n % 5}T11:00",
                "capacity": 2,
            },
        )
        assert response.status_code == 201, response.get_json()
    listed = client.get(f"/api/v1/programmes/{pid}/activities?kind=call_listening", headers=headers)
    assert [a["kind"] for a in listed.get_json()["items"]] == ["call_listening"]
    assert (
        client.post(f"/api/v1/programmes/{pid}/publish", headers=headers).get_json()["status"]
        == "published"
    )
    patched = client.patch(f"/api/v1/programmes/{pid}", json={"title": "Renamed"}, headers=headers)
    assert patched.get_json()["title"] == "Renamed"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("not json", 400, "Send a JSON object"),
        ([1, 2], 400, "Send a JSON object"),
        ({"kind": "call_listening"}, 400, "Missing fields"),
        (
            {
                "kind": "space_walk",
                "title": "x",
                "starts_at": "{d}T10:00",
                "ends_at": "{d}T11:00",
                "capacity": 2,
                "location": "x",
            },
            400,
            "Unknown kind",
        ),
        (
            {
                "kind": "call_listening",
                "title": "x",
                "starts_at": "{d}T10:00",
                "ends_at": "{d}T09:00",
                "capacity": 2,
                "location": "x",
            },
            400,
            "ends before it starts",
        ),
        (
            {
                "kind": "call_listening",
                "title": "x",
                "starts_at": "{d}T10:00",
                "ends_at": "{d}T11:00",
                "capacity": 0,
                "location": "x",
            },
            400,
            "Capacity must be between",
        ),
        (
            {
                "kind": "call_listening",
                "title": "x",
                "starts_at": "{d}T10:00",
                "ends_at": "{d}T11:00",
                "capacity": True,
                "location": "x",
            },
            400,
            "whole number",
        ),
        (
            {
                "kind": "call_listening",
                "title": "x",
                "starts_at": "yesterday",
                "ends_at": "{d}T11:00",
                "capacity": 2,
                "location": "x",
            },
            400,
            "ISO 8601",
        ),
        (
            {
                "kind": "call_listening",
                "title": "x" * 5000,
                "starts_at": "{d}T10:00",
                "ends_at": "{d}T11:00",
                "capacity": 2,
                "location": "x",
            },
            400,
            "too long",
        ),
        (
            {
                "kind": "call_listening",
                "title": "x",
                "starts_at": "{d}T10:00",
                "ends_at": "{d}T11:00",
                "capacity": 2,
                "location": "x",
                "evil": 1,
            },
            400,
            "Unknown fields: evil",
        ),
        (
            {
                "kind": "call_listening",
                "title": "x",
                "starts_at": "2001-01-01T10:00",
                "ends_at": "2001-01-01T11:00",
                "capacity": 2,
                "location": "x",
            },
            400,
            "within the programme",
        ),
    ],
)
def test_bad_slot_json_gets_a_clear_4xx_and_saves_nothing(client, body, status, message):
    organiser = make_user(Role.ORGANISER)
    programme = make_programme(organiser)
    headers = bearer(organiser)
    day = programme.starts_on.isoformat()
    if isinstance(body, dict):
        body = {k: v.replace("{d}", day) if isinstance(v, str) else v for k, v in body.items()}
    kwargs = (
        {"data": body, "content_type": "application/json"}
        if isinstance(body, str)
        else {"json": body}
    )
    response = client.post(
        f"/api/v1/programmes/{programme.id}/activities", headers=headers, **kwargs
    )
    assert response.status_code == status
    assert message in response.get_json()["error"]["message"]
    assert (
        client.get(f"/api/v1/programmes/{programme.id}/activities", headers=headers).get_json()[
            "items"
        ]
        == []
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"timezone": "Atlantis/Capital"}, "not a known time zone"),
        ({"ends_on": "2030-03-01"}, "ends before it starts"),
        ({"starts_on": "March"}, "must be a date"),
        ({"title": "bad\u0000"}, "NUL"),
        ({"title": 42}, "must be text"),
    ],
)
def test_bad_programme_json_is_refused(client, changes, message):
    response = client.post(
        "/api/v1/programmes",
        json=programme_body(**changes),
        headers=bearer(make_user(Role.ORGANISER)),
    )
    assert response.status_code == 400 and message in response.get_json()["error"]["message"]


def test_employee_cannot_create_programmes(client):
    response = client.post("/api/v1/programmes", json=programme_body(), headers=bearer(make_user()))
    assert response.status_code == 403


def test_unknown_ids_and_routes_are_json_404(client):
    headers = bearer(make_user())
    for url in ("/api/v1/programmes/999", "/api/v1/activities/999", "/api/v1/nothing-here"):
        response = client.get(url, headers=headers)
        assert response.status_code == 404 and "error" in response.get_json()
    assert client.delete("/api/v1/signups/999", headers=headers).status_code == 404


def test_sign_up_waitlist_and_refusals_over_the_api(client):
    programme = make_programme()
    slot = make_activity(programme, capacity=1, hour=9)
    clash = make_activity(programme, hour=10)
    first, second = make_user(), make_user()
    h1, h2 = bearer(first), bearer(second)
    r1 = client.post(f"/api/v1/activities/{slot.id}/signups", headers=h1)
    assert r1.status_code == 201 and r1.get_json()["status"] == "confirmed"
    r2 = client.post(f"/api/v1/activities/{slot.id}/signups", headers=h2)
    assert r2.status_code == 201 and r2.get_json()["status"] == "waitlisted"
    again = client.post(f"/api/v1/activities/{slot.id}/signups", headers=h1)
    assert again.status_code == 409 and "already signed up" in again.get_json()["error"]["message"]
    overlap = client.post(f"/api/v1/activities/{clash.id}/signups", headers=h1)
    assert overlap.status_code == 409 and "at that time" in overlap.get_json()["error"]["message"]
    assert client.delete(f"/api/v1/signups/{r1.get_json()['id']}", headers=h2).status_code == 404
    assert client.delete(f"/api/v1/signups/{r1.get_json()['id']}", headers=h1).status_code == 200
    schedule = client.get("/api/v1/me/schedule", headers=h2).get_json()["items"]
    assert [(s["activity_id"], s["status"]) for s in schedule] == [(slot.id, "confirmed")]
    assert schedule[0]["phase"] == "upcoming" and schedule[0]["checked_in_at"] is None
    move_to(slot, timedelta(minutes=-5))
    db.session.commit()
    assert client.get("/api/v1/me/schedule", headers=h2).get_json()["items"][0]["phase"] == "now"
    move_to(slot, timedelta(hours=-5))
    db.session.commit()
    assert client.get("/api/v1/me/schedule", headers=h2).get_json()["items"][0]["phase"] == "past"


def test_check_in_over_the_api_only_near_the_start_then_no_cancel(client):
    slot = make_activity(make_programme())
    person = make_user()
    headers = bearer(person)
    mine = sign_up(db.session, slot, user=person)
    db.session.commit()
    url = f"/api/v1/activities/{slot.id}/checkin"
    early = client.post(url, headers=headers)
    assert early.status_code == 409
    assert "Check-in opens" in early.get_json()["error"]["message"]
    move_to(slot, timedelta(minutes=15))
    db.session.commit()
    for body in ({"code": 123456}, {"code": "X" * 13}, {"code": "ABCDEF", "extra": 1}, []):
        assert client.post(url, json=body, headers=headers).status_code == 400, body
    wrong = client.post(url, json={"code": "WRONG1"}, headers=headers)
    assert wrong.status_code == 400 and "does not match" in wrong.get_json()["error"]["message"]
    done = client.post(url, json={"code": slot.checkin_code}, headers=headers)
    assert done.status_code == 200 and done.get_json()["checked_in_at"]
    again = client.post(url, headers=headers)  # "I'm here" after the code: still checked in
    assert again.status_code == 200 and again.get_json()["checked_in_at"]
    refused = client.delete(f"/api/v1/signups/{mine.id}", headers=headers)
    assert refused.status_code == 409 and "checked in" in refused.get_json()["error"]["message"]


def test_closed_sign_up_is_409_with_the_reason(client):
    programme = make_programme(publish=False)
    slot = make_activity(programme)
    viewer = programme.organisers[0]
    response = client.post(f"/api/v1/activities/{slot.id}/signups", headers=bearer(viewer))
    message = response.get_json()["error"]["message"]
    assert response.status_code == 409 and message == "Draft — not open for sign-up yet."
    change_status(db.session, programme, "publish", by=viewer)
    change_status(db.session, programme, "close", by=viewer)
    db.session.commit()
    response = client.post(f"/api/v1/activities/{slot.id}/signups", headers=bearer(viewer))
    assert response.status_code == 409 and "closed" in response.get_json()["error"]["message"]


def test_draft_programmes_are_invisible_to_employees(client):
    draft = make_programme(publish=False)
    headers = bearer(make_user())
    assert client.get(f"/api/v1/programmes/{draft.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/programmes", headers=headers).get_json()["items"] == []


def test_oversized_body_is_413_json(client):
    response = client.post(
        "/api/v1/programmes",
        data="x" * (3 * 1024 * 1024),
        content_type="application/json",
        headers=bearer(make_user(Role.ORGANISER)),
    )
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"


def test_api_shows_others_signups_only_to_organisers(client):
    programme = make_programme()
    slot = make_activity(programme)
    signup = sign_up(db.session, slot, user=make_user())
    db.session.commit()
    assert (
        client.delete(f"/api/v1/signups/{signup.id}", headers=bearer(make_user())).status_code
        == 404
    )
    organiser = programme.organisers[0]
    assert (
        client.delete(f"/api/v1/signups/{signup.id}", headers=bearer(organiser)).status_code == 200
    )


def test_every_reference_in_the_openapi_document_resolves(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    refs: list[str] = []

    def walk(node):  # type: ignore[no-untyped-def]
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    for ref in refs:
        _, section, kind, name = ref.split("/")
        assert name in doc[section][kind], ref
    assert set(doc["components"]["responses"]) == {"Error"}


def test_ids_too_big_for_the_database_are_404_not_500(client):
    headers = bearer(make_user())
    for url in (
        "/api/v1/programmes/99999999999999999999",
        "/api/v1/activities/2147483648",
        "/programmes/99999999999999999999",
    ):
        assert client.get(url, headers=headers).status_code == 404
