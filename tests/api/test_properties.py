"""Generated JSON bodies against every JSON write route: whatever comes in, the answer is a
success or a 4xx in the error envelope ({"error": {"code", "message"}}), never a 5xx.

Bodies are either anything JSON can hold (nulls, numbers of any size, lone surrogates, huge
strings, deep lists and objects) or a plausible body for the route with some fields swapped for
such values, so the checks behind the first field are reached too.

To hunt for more: PROPERTY_EXAMPLES=5000 HUNT=1 pytest tests/api/test_properties.py lists every
distinct failure instead of stopping at the first.
"""

from __future__ import annotations

import json
import os
import re
import traceback
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.debriefs.models import Debrief
from app.extensions import db
from tests.test_access import _keep_photo
from tests.test_states import _bodies, answer_problem, world

#: Values of every JSON type, with the awkward ones made likely.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([0, -1, 2**31, 2**63, 10**30, -(10**30)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(st.characters(categories=["Cs", "Cc", "Zs", "So"]), max_size=10),  # surrogates too
    st.sampled_from(
        ["", " ", "\x00", "\ud800", "2026-13-45", "9999-12-31T23:59:59+14:00", "1e309", "x" * 5000]
    ),
    st.integers(min_value=10_000, max_value=300_000).map(lambda n: "é" * n),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


#: Routes that take no body and end a state for good: left to tests/api/test_hostile_bodies.py.
BODILESS = {"api.publish_debrief"}


def _write_routes(app, values: dict[str, Any]) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in BODILESS:
            continue
        choices = re.search(r"<any\(([^)]*)\):(\w+)>", rule.rule)
        rule_values = dict(values)
        if rule.endpoint.startswith("api.library"):
            rule_values["insight_id"] = values["published_insight_id"]
        if choices:
            rule_values[choices.group(2)] = choices.group(1).split(",")[0].strip()
        url = re.sub(
            r"<(?:[^:>]+:)?([^>]+)>", lambda m, v=rule_values: str(v.get(m.group(1), 1)), rule.rule
        )
        for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}):
            routes.append((rule.endpoint, method, url))
    return sorted(routes)


def test_generated_bodies_never_get_a_5xx(app, client):
    people, values = world()
    routes = _write_routes(app, values)
    assert len(routes) > 30
    _, plausible = _bodies(values, people)
    # The organiser writes to what they organise, the participant to their own notes and
    # sign-up: each route is tried by both.
    clients = {}
    for role in ("manager", "owner"):
        clients[role] = app.test_client() if clients else client
        assert clients[role].sign_in(people[role]).status_code == 302
    tokens = {role: c.csrf_token() for role, c in clients.items()}

    def body_for(route: tuple[str, str, str]) -> st.SearchStrategy[Any]:
        base = plausible.get(route[0], {})
        swapped = st.dictionaries(st.sampled_from(sorted(base) or ["title"]), VALUES, max_size=3)
        return st.one_of(
            VALUES,
            st.dictionaries(st.text(max_size=12), VALUES, max_size=5),
            swapped.map(lambda changes: {**base, **changes}),
        )

    wrong: list[str] = []

    @settings(
        max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "500")),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.sampled_from(["manager", "owner"]),
        st.sampled_from(routes).flatmap(lambda r: st.tuples(st.just(r), body_for(r))),
    )
    def send(role: str, case: tuple[tuple[str, str, str], Any]) -> None:
        (endpoint, method, url), body = case
        _keep_photo(values)
        db.session.commit()
        try:
            response = clients[role].open(
                url,
                method=method,
                data=json.dumps(body),  # ensure_ascii: a lone surrogate goes as \\ud800
                content_type="application/json",
                headers={"X-CSRFToken": tokens[role]},
            )
        except Exception as err:  # the test client raises what would be a 500
            db.session.rollback()
            tb = traceback.extract_tb(err.__traceback__)
            where = next(
                (f"{f.filename}:{f.lineno}" for f in reversed(tb) if "/app/" in f.filename), ""
            )
            wrong.append(
                f"{method} {url} ({endpoint}) {json.dumps(body)[:300]}: {err!r} at {where}"
            )
            if os.environ.get("HUNT"):
                return
            raise
        problem = answer_problem(response)
        if response.status_code >= 400 and not response.is_json:
            problem = "an API error that is not JSON"
        if problem:
            wrong.append(f"{method} {url} ({endpoint}) {json.dumps(body)[:300]}: "
                         f"{response.status_code} {problem}")  # fmt: skip
        if os.environ.get("HUNT"):
            return
        assert problem is None, wrong[-1]

    send()
    assert wrong == [], "\n".join(sorted(set(wrong)))


@pytest.mark.parametrize("endpoint", ["api.update_action", "api.create_action"])
def test_a_list_as_an_action_status_is_a_400(client, endpoint):
    people, values = world()
    assert client.sign_in(people["manager"]).status_code == 302
    url = f"/api/v1/debriefs/{values['debrief_id']}/actions"
    if endpoint == "api.update_action":
        url += f"/{values['action_id']}"
    body = {"what": "Fix", "owner": "Us", "status": []}
    if endpoint == "api.update_action":
        body["version"] = db.session.get(Debrief, values["debrief_id"]).version
    response = client.api("PATCH" if "update" in endpoint else "POST", url, body)
    assert response.status_code == 400
