"""A field of the wrong type in a JSON body is a 400 naming the field, and nothing is stored."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.programmes.models import Programme
from tests.test_states import _bodies, world

#: (endpoint, field, wrong value, words of the message)
CASES = [
    ("api.create_programme", "title", {"a": 1}, "title must be text"),
    ("api.create_programme", "timezone", ["Europe/Paris"], "timezone must be text"),
    ("api.create_programme", "starts_on", 20260101, "starts_on must be text"),
    ("api.update_programme", "title", {"a": 1}, "title must be text"),
    ("api.update_programme", "purpose", 42, "purpose must be text"),
    ("api.create_activity", "kind", ["call_listening"], "kind must be text"),
    ("api.create_activity", "capacity", "3", "capacity must be a whole number"),
    ("api.create_activity", "capacity", 2.0, "capacity must be a whole number"),
    ("api.create_activity", "capacity", True, "capacity must be a whole number"),
    ("api.create_activity", "location", {"city": "Lyon"}, "location must be text"),
    ("api.create_activity", "starts_at", 1767225600, "starts_at must be text"),
    ("api.check_in", "code", 123456, "code must be text"),
    ("api.create_task", "question", ["Why?"], "question must be text"),
    ("api.create_task", "activity_id", "1", "activity_id must be a whole number"),
    ("api.create_task", "emails", "a@example.com", "emails must be a list"),
    ("api.create_task", "emails", [1, 2], "emails must be text"),
    ("api.update_task", "prompts", [{"p": 1}], "prompts must be text"),
    ("api.link_insight", "kind", {"k": "confirms"}, "kind must be text"),
    ("api.library_withdraw", "item_id", "7", "item_id must be a whole number"),
    ("api.library_withdraw", "reason", ["x"], "reason must be text"),
]
URLS = {
    "api.create_programme": "/api/v1/programmes",
    "api.update_programme": "/api/v1/programmes/{programme_id}",
    "api.create_activity": "/api/v1/programmes/{programme_id}/activities",
    "api.check_in": "/api/v1/activities/{activity_id}/checkin",
    "api.create_task": "/api/v1/programmes/{programme_id}/tasks",
    "api.update_task": "/api/v1/programmes/{programme_id}/tasks/{task_id}",
    "api.link_insight": "/api/v1/debriefs/{debrief_id}/insights/{insight_id}/links/"
    "{published_insight_id}",
    "api.library_withdraw": "/api/v1/library/withdrawals",
}
METHODS = {"api.update_programme": "PATCH", "api.update_task": "PATCH", "api.link_insight": "PUT"}


@pytest.mark.parametrize(("endpoint", "field", "value", "message"), CASES)
def test_a_field_of_the_wrong_type_is_a_400_naming_it(client, endpoint, field, value, message):
    people, values = world()
    _, bodies = _bodies(values, people)
    who = "owner" if endpoint == "api.check_in" else "manager"
    assert client.sign_in(people[who]).status_code == 302
    title = db.session.get(Programme, values["programme_id"]).title
    response = client.api(
        METHODS.get(endpoint, "POST"),
        URLS[endpoint].format(**values),
        {**bodies.get(endpoint, {}), field: value},
    )
    assert response.status_code == 400, response.get_json()
    assert message in response.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(Programme, values["programme_id"]).title == title


#: Found in the debrief API (app/api/debriefs.py, not this test's area): `str(value)` turns an
#: object into its Python text and stores it. Expected failures, strict: red once fixed.
@pytest.mark.parametrize("field", ["title", "location", "online_url"])
def test_a_debrief_field_of_the_wrong_type_is_a_400(client, field):
    people, values = world()
    _, bodies = _bodies(values, people)
    assert client.sign_in(people["manager"]).status_code == 302
    response = client.api(
        "POST",
        f"/api/v1/programmes/{values['programme_id']}/debriefs",
        {**bodies["api.create_debrief"], field: {"a": 1}},
    )
    assert response.status_code == 400
