"""Every route, in every state of the objects it touches, for the organiser, the person signed up
and a bystander: a success, a redirect, or a 4xx that says what is wrong; never a 5xx.

The world is the one the access test builds (tests/test_access.py); a state is a few column
values laid over it, put back before each write so a write that changes the state (cancelling
the slot, closing the programme) does not hide the state from the routes after it.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from app.capture.models import Note
from app.db import utcnow
from app.debriefs import board
from app.debriefs.models import Debrief
from app.debriefs.services import publish
from app.extensions import db
from app.programmes.models import Activity, Programme, ProgrammeStatus
from app.signups.models import Signup, SignupStatus
from app.timefmt import in_zone
from tests.test_access import _keep_photo, _world

#: Routes that are not about the objects in a state: signing in and out, static files.
SKIP = {
    "static",
    "accounts.login",
    "accounts.logout",
    "accounts.forgot_password",
    "accounts.accept_invite",
    "accounts.reset_password",
    "accounts.account",  # changing one's password
    "accounts.edit_person",
    "signups.calendar_token",  # renewing changes the token the feed route uses
    "pwa.service_worker",
    "pwa.offline",
    "api.openapi",
    "api.upload_photo",  # multipart; tests/capture covers it
    "accounts.people",
    "accounts.import_people",
    "accounts.set_clock",
}
#: What the library and the feeds show follows a debrief's publishing, not a slot's or a
#: sign-up's state: walked in the debrief states only.
LIBRARY = ("insights.", "api.library", "feeds.", "api.feed", "api.link_insight")
DEBRIEF_STATES = {"programme published", "programme archived", "debrief published"}

#: Each state: the programme, the slot, the person's sign-up and the debrief as they stand.
STATES: dict[str, dict[str, Any]] = {
    "programme draft": {"programme": ProgrammeStatus.DRAFT},
    "programme published": {},
    "programme closed": {"programme": ProgrammeStatus.IN_FIELD},
    "programme archived": {"programme": ProgrammeStatus.ARCHIVED},
    "slot cancelled": {"slot": "cancelled", "signup": SignupStatus.CANCELLED},
    "slot started": {"slot": "started"},
    "slot past": {"slot": "past", "programme": ProgrammeStatus.IN_FIELD},
    "person waitlisted": {"signup": SignupStatus.WAITLISTED},
    "person checked in": {"slot": "started", "arrived": True},
    "person cancelled": {"signup": SignupStatus.CANCELLED},
    "slot past, archived, checked in": {
        "slot": "past",
        "programme": ProgrammeStatus.ARCHIVED,
        "arrived": True,
    },
    "debrief published": {"debrief": "published"},
}
#: A debrief's PDF takes a second or more to make: tried open (tests/debriefs) and published.
PDF_STATES = {"debrief published"}
#: Who walks: the programme's organiser, the person signed up and a bystander (an employee
#: not signed up), who sees the programme's states but not the slot's or a sign-up's.
ROLES = {"organiser": "manager", "participant": "owner", "employee": "employee"}
BYSTANDER_STATES = {
    "programme draft",
    "programme published",
    "programme archived",
    "debrief published",
}
CASES = [
    (state, role)
    for state in STATES
    for role in ROLES
    if role != "employee" or state in BYSTANDER_STATES
]

#: Words on a page that answers 4xx: the error page's heading, a field's error or a flash.
HTML_MESSAGE = re.compile(
    r"<h1>(Not found|Not allowed|Something is not right|Too many attempts)</h1>"
    r'|class="error"|flash-error'
)


def world() -> tuple[dict[str, Any], dict[str, Any]]:
    """The access test's world, with a second theme to merge into."""
    people, values = _world()
    debrief = db.session.get(Debrief, values["debrief_id"])
    assert debrief is not None
    values["other_theme_id"] = board.create_theme(
        db.session, debrief, "Delivery", user=people["manager"]
    ).id
    db.session.commit()
    return people, values


def _snapshot(values: dict[str, Any]) -> dict[type, tuple[int, dict[str, Any]]]:
    """The columns a state or a write may change, as the world left them."""
    p = db.session.get(Programme, values["programme_id"])
    a = db.session.get(Activity, values["activity_id"])
    s = db.session.get(Signup, values["signup_id"])
    assert p is not None and a is not None and s is not None
    cols = {
        Programme: (p, ("title", "status", "starts_on", "ends_on", "signup_opens_at",
                        "signup_closes_at")),
        Activity: (a, ("starts_at", "ends_at", "cancelled_at", "capacity", "seats_taken",
                       "title", "location", "online_url")),
        Signup: (s, ("status", "arrived_at", "no_show", "activity_id")),
    }  # fmt: skip
    return {
        model: (obj.id, {c: getattr(obj, c) for c in names}) for model, (obj, names) in cols.items()
    }


def _apply(state: dict[str, Any], snapshot: dict[type, tuple[int, dict[str, Any]]]) -> None:
    """Put the world back as the snapshot had it, then lay the state over it."""
    rows = {model: dict(columns) for model, (_, columns) in snapshot.items()}
    now = utcnow()
    if state.get("slot") in {"started", "past"}:
        start = now - (timedelta(minutes=20) if state["slot"] == "started" else timedelta(days=2))
        rows[Activity] |= {"starts_at": start, "ends_at": start + timedelta(hours=2)}
        day = in_zone(start, "Europe/Paris").date()
        rows[Programme] |= {
            "starts_on": day - timedelta(days=1),
            "ends_on": day + timedelta(days=4),
            "signup_opens_at": now - timedelta(days=10),
            "signup_closes_at": start - timedelta(days=1),
        }
    if state.get("slot") == "cancelled":
        rows[Activity] |= {"cancelled_at": now, "seats_taken": 0}
    if "programme" in state:
        rows[Programme]["status"] = state["programme"]
    if "signup" in state:
        rows[Signup]["status"] = state["signup"]
        if state["signup"] != SignupStatus.CONFIRMED:
            rows[Activity]["seats_taken"] = 0
    if state.get("arrived"):
        rows[Signup]["arrived_at"] = now - timedelta(minutes=5)
    for model, (row_id, _) in snapshot.items():
        db.session.execute(update(model).where(model.id == row_id).values(**rows[model]))
    db.session.execute(update(Note).values(deleted_at=None))  # each delete route gets a note
    db.session.commit()
    db.session.expire_all()


def _bodies(values: dict[str, Any], people: dict[str, Any]) -> tuple[dict, dict[str, Any]]:
    """A plausible form (one for every form: fields a form lacks are ignored) and a plausible
    JSON body per API route."""
    programme = db.session.get(Programme, values["programme_id"])
    slot = db.session.get(Activity, values["activity_id"])
    assert programme is not None and slot is not None
    first = programme.starts_on
    local_start = in_zone(slot.starts_at, programme.timezone).replace(tzinfo=None)
    later = local_start + timedelta(hours=4)
    form = {
        "understand": "y",
        "title": "Renamed",
        "purpose": "Meet customers.",
        "customer_question": "Why?",
        "starts_on": first.isoformat(),
        "ends_on": (first + timedelta(days=4)).isoformat(),
        "timezone": programme.timezone,
        "signup_opens_at": (local_start - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "signup_closes_at": (local_start - timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M"),
        "kind": "call_listening",
        "location": "Lyon",
        "starts_at": later.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (later + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "4",
        "copies": "1",
        "every_days": "1",
        "email": people["other_organiser"].email,
        "code": slot.checkin_code,
        "how": "code",
        "arrived": "yes",
        "attended": "yes",
        "to": str(values["activity_id"] + 1),
        "body": "Read this before you go.",
        "briefed_by": "reading",
        "question": "What makes people hesitate?",
        "scope": "programme",
        "on": "1",
        "statement": "Prices confuse people",
        "what": "Fix the price page",
        "owner": "Web team",
        "name": "Prices",
        "clock": "24",
    }
    iso_later = slot.starts_at + timedelta(hours=4)
    json = {
        "api.create_programme": {
            "title": "Another week",
            "starts_on": form["starts_on"],
            "ends_on": form["ends_on"],
            "timezone": programme.timezone,
            "signup_opens_at": "2026-01-01T09:00:00+00:00",
            "signup_closes_at": "2026-01-02T09:00:00+00:00",
        },
        "api.update_programme": {"title": "Renamed"},
        "api.create_activity": {
            "kind": "call_listening",
            "title": "Another slot",
            "location": "Lyon",
            "starts_at": iso_later.isoformat(),
            "ends_at": (iso_later + timedelta(hours=1)).isoformat(),
            "capacity": 3,
        },
        "api.check_in": {"code": slot.checkin_code},
        "api.create_task": {
            "question": "Why?",
            "scope": "slot",
            "activity_id": values["activity_id"],
        },
        "api.update_task": {"question": "Why not?"},
        "api.sync": {
            "items": [
                {
                    "client_id": str(uuid.uuid4()),
                    "type": "observation",
                    "activity_id": values["activity_id"],
                    "fields": {"did": "Watched"},
                    "updated_at": utcnow().isoformat(),
                }
            ]
        },
        "api.update_note": {"fields": {"did": "Watched again"}},
        "api.create_debrief": {
            "title": "Second debrief",
            "starts_at": iso_later.isoformat(),
            "location": "Room 2",
        },
        "api.create_theme": {"name": "Delivery"},
        "api.update_theme": {"name": "Prices and fees", "version": 0},
        "api.merge_themes": {"into": values["other_theme_id"], "version": 0},
        "api.move_cards": {
            "note_ids": [values["note_id"]],
            "to_theme": values["theme_id"],
            "version": 0,
        },
        "api.create_insight": {"statement": "Fees surprise people"},
        "api.update_insight": {"statement": "Fees surprise most people", "version": 0},
        "api.create_action": {"what": "Show fees early", "owner": "Web team"},
        "api.update_action": {"status": "done", "version": 0},
        "api.link_insight": {"kind": "confirms"},
        "api.library_withdraw": {
            "kind": "insight",
            "item_id": values["published_insight_id"],
            "reason": "Names a customer",
        },
    }
    return form, json


#: Writes that end something for good go after every other route: deleting, merging a theme
#: away, then publishing the debrief and withdrawing from the library.
LAST = (re.compile(r"/delete$|^DELETE |/merge$"), re.compile(r"/debriefs/\d+/publish$|/withdraw"))


def _requests(app, values: dict[str, Any]) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """Every (endpoint, method, url) worth a state; a variable the world has no value for
    (a route still being built) gets 1, which is a 404."""
    requests = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP:
            continue
        choices = re.search(r"<any\(([^)]*)\):(\w+)>", rule.rule)
        rule_values = dict(values)
        if rule.endpoint.startswith(("insights.", "api.library")):
            rule_values["insight_id"] = values["published_insight_id"]
        if choices:
            rule_values[choices.group(2)] = choices.group(1).split(",")[0].strip()
        url = re.sub(
            r"<(?:[^:>]+:)?([^>]+)>", lambda m, v=rule_values: str(v.get(m.group(1), 1)), rule.rule
        )
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            requests.append((rule.endpoint, method, url))
            if choices and method != "GET":  # every action of a status route
                for option in choices.group(1).split(",")[1:]:
                    requests.append((rule.endpoint, method, url.replace(
                        f"/{rule_values[choices.group(2)]}", f"/{option.strip()}")))  # fmt: skip
    return sorted(
        requests,
        key=lambda r: ([bool(p.search(f"{r[1]} {r[2]}")) for p in reversed(LAST)], r[2], r[1]),
    )


def answer_problem(response) -> str | None:  # type: ignore[no-untyped-def]
    """What is wrong with an answer, or None: a 5xx, or a 4xx that does not say why."""
    status = response.status_code
    if status >= 500:
        return "server error"
    if status < 400:
        return None
    if response.is_json:
        error = (response.get_json(silent=True) or {}).get("error")
        return None if isinstance(error, dict) and error.get("message") else "no error message"
    page = response.get_data(as_text=True)
    return None if HTML_MESSAGE.search(page) else "no message on the page"


def _walk(app, client, state_name: str, role: str, only: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    """Walk the routes (or `only` this endpoint) in a state; what answered wrongly."""
    people, values = world()
    debrief = db.session.get(Debrief, values["debrief_id"])
    assert debrief is not None
    state = STATES[state_name]
    if state.get("debrief") == "published":
        publish(db.session, debrief, by=people["manager"])
        db.session.commit()
    snapshot = _snapshot(values)
    form, json = _bodies(values, people)
    _apply(state, snapshot)
    assert client.sign_in(people[ROLES[role]]).status_code == 302
    token = client.csrf_token()
    wrong = []
    for endpoint, method, url in _requests(app, values):
        if only and endpoint != only:
            continue
        if url.endswith("/pdf") and state_name not in PDF_STATES:
            continue
        if endpoint.startswith(LIBRARY) and state_name not in DEBRIEF_STATES:
            continue
        if method != "GET":
            _apply(state, snapshot)
            _keep_photo(values)
        if method == "GET":
            response = client.get(url)
        elif url.startswith("/api/"):
            body = dict(json.get(endpoint, {}))
            if "version" in body:  # the board's version now, as the board page would send
                body["version"] = db.session.get(Debrief, values["debrief_id"]).version
            response = client.open(url, method=method, json=body, headers={"X-CSRFToken": token})
        else:
            response = client.open(url, method=method, data={"csrf_token": token, **form})
        problem = answer_problem(response)
        if problem:
            wrong.append(f"{method} {url} ({endpoint}): {response.status_code} {problem}")
        response.close()
    return wrong


@pytest.mark.parametrize(("state_name", "role"), CASES)
def test_no_route_answers_5xx_in_any_state(app, client, state_name, role):
    wrong = _walk(app, client, state_name, role)
    assert wrong == [], "\n".join(wrong)
