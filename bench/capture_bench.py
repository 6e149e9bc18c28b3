"""Field capture on a phone: how heavy the capture page's first load is, and how long the outbox
takes to send 1,000 notes queued offline.

    python bench/capture_bench.py [--notes 1000]

Page weight: the capture page's HTML with the CSS and JavaScript it loads, gzipped, next to the
sign-in page (the lightest page) measured the same way. Target: at most 100 KB.

Sync: a real gunicorn server (2 workers, SQLite) and Debian's chromium in a phone viewport; the
notes are put in the outbox (IndexedDB) as the capture form puts them, then the app is opened
and the clock runs until it shows that every note was sent. The baseline, in the same run, is
the same number of notes posted from Python to the sync API in batches of 100: the server's floor.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import tempfile
import time
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "benchmark password"
EMAIL = "field@bench.example.com"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def seed(database_url: str, instance: str) -> int:
    """A published programme, one slot, one person on it with the briefing done; the slot id."""
    os.environ.update(DATABASE_URL=database_url, SECRET_KEY="bench", INSTANCE_PATH=instance)
    from flask_migrate import upgrade

    from app import create_app
    from app.accounts.services import create_user
    from app.briefings.services import acknowledge
    from app.extensions import db
    from app.signups.services import sign_up
    from tests.factories import make_activity, make_programme

    app = create_app()
    app.config["PASSWORD_HASH_PROFILE"] = "fast-for-tests"
    with app.app_context():
        upgrade()
        programme = make_programme()
        slot = make_activity(programme, kind="customer_observation")
        person = create_user(db.session, email=EMAIL, name="Field", password=PASSWORD)
        sign_up(db.session, slot, user=person)
        acknowledge(db.session, programme, user=person)
        db.session.commit()
        return slot.id


def opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def get(browser: urllib.request.OpenerDirector, url: str) -> bytes:
    with browser.open(url) as response:
        return response.read()


def sign_in(browser: urllib.request.OpenerDirector, server: str) -> str:
    page = get(browser, f"{server}/login").decode()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = urllib.parse.urlencode({"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    browser.open(f"{server}/login", data=form.encode()).close()
    return json.loads(get(browser, f"{server}/api/v1/csrf-token"))["token"]


def first_load(browser: urllib.request.OpenerDirector, server: str, path: str) -> tuple[int, int]:
    """Bytes of a page with its CSS and JavaScript: as sent, and gzipped."""
    html = get(browser, server + path)
    assets = re.findall(rb'<(?:link rel="stylesheet" href|script src)="([^"]+)"', html)
    bodies = [html, *(get(browser, server + a.decode()) for a in assets)]
    return sum(map(len, bodies)), sum(len(gzip.compress(b, 6)) for b in bodies)


def observation(slot_id: int, n: int) -> dict[str, object]:
    return {
        "client_id": str(uuid.uuid4()),
        "type": "observation",
        "activity_id": slot_id,
        "fields": {
            "customer": "woman, 40s, with a toddler",
            "did": f"Compared two boxes for a long time, put one back ({n})",
            "said": ["Why is the big one dearer per gram?", "I'll ask my husband"],
            "pain_points": ["unit price hidden"],
            "tags": ["price", "shelf"],
            "mood": 3,
        },
        "updated_at": "2030-01-01T10:00:00+00:00",
    }


def python_floor(server: str, slot_id: int, notes: int) -> float:
    browser = opener()
    token = sign_in(browser, server)
    items = [observation(slot_id, n) for n in range(notes)]
    started = time.perf_counter()
    for i in range(0, notes, 100):
        request = urllib.request.Request(
            f"{server}/api/v1/sync",
            data=json.dumps({"items": items[i : i + 100]}).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
        )
        browser.open(request).close()
    return time.perf_counter() - started


def outbox_sync(server: str, slot_id: int, notes: int) -> float:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        context = browser.new_context(**p.devices["Pixel 7"])
        page = context.new_page()
        page.goto(f"{server}/login")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{server}/")
        page.goto(f"{server}/notes")
        items = [observation(slot_id, n) for n in range(notes)]
        page.evaluate(
            """(items) => new Promise((resolve, reject) => {
                const open = indexedDB.open('listening-post', 1);
                open.onupgradeneeded = () =>
                    open.result.createObjectStore('outbox', { keyPath: 'client_id' });
                open.onsuccess = () => {
                    const tx = open.result.transaction('outbox', 'readwrite');
                    // The shape the capture form queues (see queueNote in static/js/outbox.js).
                    items.forEach((item, n) => tx.objectStore('outbox').put({
                        client_id: item.client_id, item, state: 'pending', seq: n,
                    }));
                    tx.oncomplete = () => { open.result.close(); resolve(); };
                    tx.onerror = () => reject(tx.error);
                };
            })""",
            items,
        )
        started = time.perf_counter()
        page.reload()  # opening the app with notes waiting sends them
        expect(page.get_by_text("All notes sent at").first).to_be_visible(timeout=300_000)
        elapsed = time.perf_counter() - started
        browser.close()
    return elapsed


def stored_notes(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    with create_engine(database_url).connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM notes")).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=1000)
    args = parser.parse_args()
    from tests.live_server import live_server

    os.environ["SESSION_COOKIE_SECURE"] = "0"  # Python's cookie jar keeps Secure cookies to https
    folder = tempfile.mkdtemp(prefix="lp-capture-bench-")
    database_url = f"sqlite:///{folder}/bench.sqlite3"
    slot_id = seed(database_url, folder)
    with live_server(database_url, folder) as server:
        browser = opener()
        sign_in(browser, server)
        capture = first_load(browser, server, f"/activities/{slot_id}/notes/new/observation")
        login = first_load(opener(), server, "/login")
        print("First load (HTML + CSS + JS)      bytes    gzipped")
        print(f"  capture page               {capture[0]:>9,} {capture[1]:>10,}")
        print(f"  sign-in page (baseline)    {login[0]:>9,} {login[1]:>10,}")
        print(f"  ratio capture / sign-in    {capture[1] / login[1]:>20.2f}")
        verdict = "met" if capture[1] <= 100 * 1024 else "MISSED"
        print(f"  target: capture gzipped <= 100 KB: {verdict}")

        floor = python_floor(server, slot_id, args.notes)
        outbox = outbox_sync(server, slot_id, args.notes)
        total = stored_notes(database_url)
        print(f"\nSyncing {args.notes:,} queued notes           seconds   notes/s")
        print(f"  phone outbox (chromium)         {outbox:>8.2f} {args.notes / outbox:>9.0f}")
        print(f"  Python, batches of 100 (floor)  {floor:>8.2f} {args.notes / floor:>9.0f}")
        print(f"  ratio outbox / floor            {outbox / floor:>8.2f}")
        print(f"  notes stored: {total:,} (expected {2 * args.notes:,}: each arrived once)")


if __name__ == "__main__":
    main()
