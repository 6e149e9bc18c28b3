"""Bodies built to break a parser get a clear 4xx from every JSON write route, never a 500."""

from __future__ import annotations

import re

import pytest

from app.accounts.models import Role

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
def test_every_json_write_route_answers_a_clear_4xx(app, client, login_as, body):
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
        if not 400 <= response.status_code < 500 or "error" not in answer:
            wrong.append(f"{method} {url}: {response.status_code}")
    assert wrong == []
