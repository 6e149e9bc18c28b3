"""The same write sent several times at once (a double tap, two tabs, two phones, two
organisers) through a multi-process server ends in one stored result and no 5xx."""

from __future__ import annotations

import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from app.accounts.services import create_api_token
from app.briefings.models import BriefingAcknowledgement
from app.capture.models import Note
from app.extensions import db
from app.programmes.models import Activity, Programme
from app.programmes.services import add_organiser
from app.signups.models import Signup
from app.signups.services import sign_up
from tests.conftest import TMP, database_url
from tests.factories import PASSWORD, make_user
from tests.live_server import live_server
from tests.test_states import world

TIMES = 8


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SESSION_COOKIE_SECURE", "0")  # the test server speaks plain http
        with live_server(database_url(), str(TMP / "instance"), workers=3, threads=4) as base:
            yield base


class Http:
    """One caller: a Bearer token, or a signed-in cookie session like a browser's."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base, self.token = base, token
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def send(
        self, method: str, path: str, *, json_body: Any = None, form: dict | None = None
    ) -> tuple[int, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        data = None
        if json_body is not None:
            data, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def csrf(self, path: str) -> str:
        _, page = self.send("GET", path)
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        assert match, f"no form on {path}"
        return match.group(1)

    def sign_in(self, email: str) -> Http:
        token = self.csrf("/login")
        status, _ = self.send(
            "POST", "/login", form={"csrf_token": token, "email": email, "password": PASSWORD}
        )
        assert status == 302
        return self


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:  # a 302 is the answer we look at
        return None


def at_once(calls: list[Callable[[], tuple[int, str]]]) -> list[tuple[int, str]]:
    """Run the calls in threads released together; their answers in the calls' order."""
    start = threading.Barrier(len(calls))
    results: list[tuple[int, str]] = [(0, "")] * len(calls)

    def run(i: int) -> None:
        start.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _count(model: type, *where: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_acknowledging_a_briefing_eight_times_at_once_stores_it_once(server):
    _, values = world()
    reader = make_user()
    token = create_api_token(db.session, reader)
    db.session.commit()
    caller = Http(server, token)
    path = f"/api/v1/programmes/{values['programme_id']}/briefing/acknowledge"
    answers = at_once([lambda: caller.send("POST", path)] * TIMES)
    assert [s for s, _ in answers] == [200] * TIMES, answers
    assert len({json.loads(b)["acknowledged_at"] for _, b in answers}) == 1
    assert _count(BriefingAcknowledgement, BriefingAcknowledgement.user_id == reader.id) == 1


def test_the_same_sign_up_eight_times_at_once_takes_one_place(server):
    _, values = world()
    person = make_user()
    token = create_api_token(db.session, person)
    db.session.commit()
    caller = Http(server, token)
    path = f"/api/v1/activities/{values['activity_id']}/signups"
    answers = at_once([lambda: caller.send("POST", path)] * TIMES)
    statuses = sorted(s for s, _ in answers)
    assert statuses == [201] + [409] * (TIMES - 1), answers
    assert _count(Signup, Signup.user_id == person.id) == 1
    slot = db.session.get(Activity, values["activity_id"])
    assert slot is not None and slot.seats_taken == 2  # the world's participant and this person


def test_two_organisers_cancelling_the_same_slot_tell_people_once(server, outbox):
    people, values = world()
    programme = db.session.get(Programme, values["programme_id"])
    slot = db.session.get(Activity, values["activity_id"])
    assert programme is not None and slot is not None
    add_organiser(db.session, programme, people["other_organiser"], by=people["manager"])
    sign_up(db.session, slot, user=make_user())
    db.session.commit()
    path = f"/activities/{slot.id}/cancel"
    organisers = [Http(server).sign_in(people[r].email) for r in ("manager", "other_organiser")]
    forms = [{"csrf_token": o.csrf(path), "understand": "y"} for o in organisers]
    answers = at_once(
        [
            lambda o=o, f=f: o.send("POST", path, form=f)
            for o, f in zip(organisers, forms, strict=True)
        ]
    )
    assert [s for s, _ in answers] == [302, 302], answers
    db.session.expire_all()
    assert db.session.get(Activity, slot.id).cancelled_at is not None  # type: ignore[union-attr]
    told = [m for m in outbox() if "Subject: Cancelled:" in m]
    assert len(told) == 2  # the world's participant and the person added, once each


def test_two_phones_syncing_the_same_batch_store_each_note_once(server):
    people, values = world()
    token = create_api_token(db.session, people["owner"])
    db.session.commit()
    items = [
        {
            "client_id": str(uuid.uuid4()),
            "type": "observation",
            "activity_id": values["activity_id"],
            "fields": {"did": f"Watched {n}"},
            "updated_at": "2030-01-01T10:00:00+00:00",
        }
        for n in range(3)
    ]
    phones = [Http(server, token) for _ in range(2)]
    answers = at_once(
        [lambda p=p: p.send("POST", "/api/v1/sync", json_body={"items": items}) for p in phones]
    )
    assert [s for s, _ in answers] == [200, 200], answers
    for _, body in answers:
        assert {r["status"] for r in json.loads(body)["results"]} <= {
            "created",
            "unchanged",
            "updated",
        }
    assert _count(Note, Note.client_id.in_([i["client_id"] for i in items])) == 3
