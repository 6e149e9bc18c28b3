"""The action register page and its progress form; the JSON API and its OpenAPI entry."""

from __future__ import annotations

import pytest

from app.actions.models import ActionProgress
from app.actions.services import record_progress
from app.debriefs import board
from app.extensions import db
from tests.factories import make_user


def _ids(page: str) -> list[str]:
    import re

    return re.findall(r'id="action-(\d+)"', page)


def test_register_lists_actions_with_programme_and_debrief(client, actions):
    client.sign_in(actions.owner)
    page = client.get("/actions").get_data(as_text=True)
    assert _ids(page) == [str(actions.mine.id), str(actions.team.id)]
    assert "Closeness week" in page
    assert "Debrief: closeness week" in page
    assert "Overdue" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mine=1", ["mine"]),
        ("overdue=1", ["mine"]),
        ("status=open", ["mine", "team"]),
        ("status=done", []),
        ("department=Sales", ["mine"]),
    ],
)
def test_filters_work_from_the_url(client, actions, query, expected):
    client.sign_in(actions.owner)
    page = client.get(f"/actions?{query}").get_data(as_text=True)
    assert _ids(page) == [str(getattr(actions, name).id) for name in expected]


def test_unknown_status_filter_says_so(client, actions):
    client.sign_in(actions.owner)
    response = client.get("/actions?status=finished", follow_redirects=True)
    assert "Pick a status: open, doing or done." in response.get_data(as_text=True)


def test_other_employee_sees_nothing_of_an_open_debrief_then_all_once_published(client, actions):
    client.sign_in(actions.bystander)
    assert _ids(client.get("/actions").get_data(as_text=True)) == []
    actions.publish()
    page = client.get("/actions").get_data(as_text=True)
    assert len(_ids(page)) == 2
    assert "Save progress" not in page  # reading is not updating


def test_anonymous_is_sent_to_sign_in(client, actions):
    assert "/login" in client.get("/actions").headers["Location"]
    response = client.post(f"/actions/{actions.mine.id}/progress", data={"status": "done"})
    assert response.status_code in (302, 400)
    db.session.refresh(actions.mine)
    assert actions.mine.status == "open"


def test_owner_marks_doing_with_a_note(client, actions):
    client.sign_in(actions.owner)
    response = client.form(
        f"/actions/{actions.mine.id}/progress",
        {
            "status": "doing",
            "note": "Spoke to the shelf team; mail me at a@b.com",
            "next": "/actions?mine=1",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "is doing" in page
    assert "Spoke to the shelf team" in page
    assert "a@b.com" not in page
    assert actions.mine.status == "doing"


@pytest.mark.parametrize("who", ["organiser", "facilitator"])
def test_debrief_leads_may_update_an_action(client, actions, who):
    client.sign_in(getattr(actions.field, who))
    client.form(f"/actions/{actions.team.id}/progress", {"status": "done"})
    assert actions.team.status == "done"


def test_invited_colleague_who_does_not_own_it_gets_403(client, actions):
    client.sign_in(actions.field.people[1])
    response = client.form(f"/actions/{actions.mine.id}/progress", {"status": "done"})
    assert response.status_code == 403
    assert actions.mine.status == "open"


def test_other_employee_gets_404_on_an_open_debriefs_action(client, actions):
    client.sign_in(actions.bystander)
    response = client.form(f"/actions/{actions.mine.id}/progress", {"status": "done"})
    assert response.status_code == 404
    assert actions.mine.status == "open"


def test_progress_without_csrf_is_refused(client, actions):
    client.sign_in(actions.owner)
    response = client.post(f"/actions/{actions.mine.id}/progress", data={"status": "done"})
    assert response.status_code == 400
    assert actions.mine.status == "open"


@pytest.mark.parametrize(
    "data",
    [{"status": "finished"}, {"status": "doing", "note": "x" * 10_240}, {}],
)
def test_hostile_form_input_changes_nothing(client, actions, data):
    client.sign_in(actions.owner)
    response = client.form(f"/actions/{actions.mine.id}/progress", data, follow_redirects=True)
    assert response.status_code == 200
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert actions.mine.status == "open"
    assert db.session.query(ActionProgress).count() == 0


def test_register_page_queries_do_not_grow_with_actions(client, actions, count_queries):
    record_progress(db.session, actions.mine, status="doing", note="Started", user=actions.owner)
    client.sign_in(actions.owner)

    def measure() -> int:
        assert client.get("/actions").status_code == 200
        with count_queries() as statements:
            assert client.get("/actions").status_code == 200
        return len(statements)

    few = measure()
    for n in range(12):
        owner = make_user(name=f"Owner {n}", department=f"Dept {n}")
        action = board.save_action(
            db.session,
            actions.debrief,
            {"what": f"Action {n}", "owner": owner.name, "due_on": "2030-01-01"},
            user=actions.field.facilitator,
        )
        record_progress(db.session, action, status="doing", note=f"n{n}", user=owner)
    db.session.commit()
    assert measure() == few


# The JSON API


def test_api_lists_actions_with_filters(client, actions):
    client.sign_in(actions.owner)
    body = client.get("/api/v1/actions?mine=1").get_json()
    [item] = body["actions"]
    assert item["id"] == actions.mine.id
    assert item["owner_id"] == actions.owner.id
    assert item["overdue"] is True
    assert item["programme"] == "Closeness week"
    assert item["may_update"] is True
    assert client.get("/api/v1/actions?status=nope").status_code == 400


def test_api_owner_records_progress(client, actions):
    client.sign_in(actions.owner)
    response = client.api(
        "POST",
        f"/api/v1/actions/{actions.mine.id}/progress",
        {"status": "doing", "note": "Call 07700 900123 for details"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "doing"
    assert "07700" not in body["progress"]["note"]
    assert body["contacts_removed"]
    listed = client.get("/api/v1/actions?mine=1").get_json()["actions"][0]
    assert listed["progress"][0]["note"] == body["progress"]["note"]


@pytest.mark.parametrize(
    "payload",
    [
        {"status": ["doing"]},
        {"status": 3},
        {"status": "finished"},
        {"note": {"x": 1}},
        {"status": "doing", "note": "x" * 10_240},
        {"status": "doing", "colour": "red"},
        ["doing"],
    ],
)
def test_api_hostile_input_is_400_and_changes_nothing(client, actions, payload):
    client.sign_in(actions.owner)
    response = client.api("POST", f"/api/v1/actions/{actions.mine.id}/progress", payload)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]
    assert actions.mine.status == "open"
    assert db.session.query(ActionProgress).count() == 0


def test_api_write_needs_csrf_token(client, actions):
    client.sign_in(actions.owner)
    response = client.post(f"/api/v1/actions/{actions.mine.id}/progress", json={"status": "done"})
    assert response.status_code == 400
    assert actions.mine.status == "open"


@pytest.mark.parametrize(("who", "status"), [("colleague", 403), ("bystander", 404)])
def test_api_others_are_refused(client, actions, who, status):
    user = actions.field.people[1] if who == "colleague" else actions.bystander
    client.sign_in(user)
    response = client.api("POST", f"/api/v1/actions/{actions.mine.id}/progress", {"status": "done"})
    assert response.status_code == status
    assert actions.mine.status == "open"


def test_api_anonymous_is_401(client, actions):
    assert client.get("/api/v1/actions").status_code == 401


def test_openapi_lists_the_action_routes(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {"/actions", "/actions/{action_id}/progress"} <= set(doc["paths"])
    assert "RegisterAction" in doc["components"]["schemas"]
