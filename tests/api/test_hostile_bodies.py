"""Bodies built to break a parser get a clear 4xx (or are ignored by a route that takes no
body) from every JSON write route, never a 500."""

from __future__ import annotations

import re
import uuid

import pytest

from app.accounts.models import Role
from app.extensions import db
from tests.factories import make_programme

DEEP = "[" * 100_000 + "]" * 100_000
BODIES = {
    "nested 100,000 deep": DEEP,
    "an object nested 100,000 deep": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "not JSON": "{'title': 1",
    "a lone surrogate": '{"title": "\\ud800"}',
}


def _write_routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        routes += [(m, url) for m in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH"})]
    return routes


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_every_json_write_route_answers_without_a_5xx(app, client, login_as, body):
    login_as(Role.ORGANISER, Role.FACILITATOR, Role.ADMIN)
    token = client.csrf_token()
    routes = _write_routes(app)
    assert len(routes) > 10
    wrong = []
    for method, url in routes:
        response = client.open(
            url,
            method=method,
            data=body,
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        answer = response.get_json(silent=True) or {}
        refused = response.status_code >= 400
        if response.status_code >= 500 or (refused and "error" not in answer):
            wrong.append(f"{method} {url}: {response.status_code}")
    assert wrong == []


FAR_OFF = ["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-12:00", "2101-01-01T00:00:00"]


@pytest.mark.parametrize("when", FAR_OFF)
def test_a_time_far_off_is_refused_before_any_arithmetic(client, login_as, when):
    organiser = login_as(Role.ORGANISER, Role.FACILITATOR)
    programme = make_programme(organiser)
    db.session.commit()
    response = client.api(
        "POST",
        f"/api/v1/programmes/{programme.id}/debriefs",
        {"title": "Debrief", "starts_at": when},
    )
    assert response.status_code == 400
    assert "between the years 2000 and 2100" in response.get_json()["error"]["message"]
    synced = client.api(
        "POST",
        "/api/v1/sync",
        {"items": [{"client_id": str(uuid.uuid4()), "type": "observation", "updated_at": when}]},
    )
    assert synced.status_code == 200
    assert "updated_at" in synced.get_json()["results"][0]["errors"]
