"""50 people take a 10-place slot at the same moment through a multi-process server."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

from sqlalchemy import func, select

from app.accounts.services import create_api_token
from app.extensions import db
from app.signups.models import Signup
from tests.conftest import TMP, database_url
from tests.factories import make_activity, make_programme, make_user
from tests.live_server import live_server

PEOPLE = 50
CAPACITY = 10


def _post(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, method="POST", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_capacity_holds_when_fifty_sign_up_at_once():
    slot = make_activity(make_programme(), capacity=CAPACITY)
    tokens = [create_api_token(db.session, make_user()) for _ in range(PEOPLE)]
    url_path = f"/api/v1/activities/{slot.id}/signups"
    db.session.commit()  # and hold no lock while the server works
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()
    with live_server(database_url(), str(TMP / "instance"), workers=3, threads=8) as base:
        start = threading.Barrier(PEOPLE)

        def attempt(token: str) -> None:
            start.wait()
            outcome = _post(base + url_path, token)
            with lock:
                results.append(outcome)

        threads = [threading.Thread(target=attempt, args=(t,)) for t in tokens]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    statuses = [code for code, _ in results]
    assert statuses == [201] * PEOPLE, statuses
    kinds = sorted(body["status"] for _, body in results)
    assert kinds.count("confirmed") == CAPACITY and kinds.count("waitlisted") == PEOPLE - CAPACITY
    db.session.expire_all()
    db.session.refresh(slot)
    assert slot.seats_taken == CAPACITY
    confirmed = db.session.scalar(
        select(func.count()).select_from(Signup).where(Signup.status == "confirmed")
    )
    assert confirmed == CAPACITY
