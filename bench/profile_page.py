"""Where a page's time goes: the benchmark's data (SQLite), one page requested in-process by a
signed-in person under cProfile, with the floor (`GET /api/v1/me`) timed the same way (both in
CPU time of the process).

    python bench/profile_page.py [board|home|programme|schedule|notes|form|library|for-you|sync]
                                 [-n 40] [--save FILE] [--keep DIR] [--afresh]

`sync` profiles `POST /api/v1/sync` with 50 new notes a request instead of a page.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.serve_bench import PASSWORD, SYNC_BATCH, pages, seed

NAMES = ["programme", "home", "schedule", "notes", "form", "board", "library", "for-you"]
#: The figures in ms are CPU time of this process, not the wall clock: on a shared machine the
#: wall clock counts the time other programs had the processor (SQLite runs in this process, so
#: its work is counted). The profile keeps cProfile's own clock: reading the CPU clock is a system
#: call, which would weigh on functions called often.
CLOCK = time.process_time
#: Where the time of a page usually goes, printed after the top of the profile.
PARTS = (
    "render_template|find_contacts|load_board|user_for_session|_execute_internal|sync_notes|sync"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("page", nargs="?", default="board", choices=[*NAMES, "sync"])
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--save", help="also write the raw profile here (for pstats or snakeviz)")
    parser.add_argument(
        "--keep", help="seed into this folder once and reuse it (upgraded) on later runs"
    )
    parser.add_argument(
        "--afresh", action="store_true", help="keep nothing between requests (app/kept.py)"
    )
    args = parser.parse_args()
    tmp = args.keep or tempfile.mkdtemp(prefix="lp-profile-")
    database = f"sqlite:///{tmp}/profile.sqlite3"
    kept = Path(tmp) / "ids.json"
    if kept.exists():
        ids, bearer_token = json.loads(kept.read_text())
    else:
        os.makedirs(tmp, exist_ok=True)
        ids, pairs = seed(database, tmp)
        bearer_token = pairs[0][1]
        kept.write_text(json.dumps([ids, bearer_token]))
    os.environ.update(
        DATABASE_URL=database, SECRET_KEY="bench", INSTANCE_PATH=tmp, SESSION_COOKIE_SECURE="0"
    )
    from flask_migrate import upgrade

    from app import create_app
    from app.kept import STORES

    app = create_app()
    if args.afresh:  # every store of kept values keeps nothing: each request works it all out
        for store in STORES:
            store.size = 0
    with app.app_context():
        upgrade()  # a kept database gets the migrations added since
    path = pages(ids)[NAMES.index(args.page)][1] if args.page in NAMES else "/api/v1/sync"
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = login.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/login",
        data={"csrf_token": token, "email": "p0@bench.example.com", "password": PASSWORD},
    )
    bearer = {"Authorization": f"Bearer {bearer_token}"}

    def timed(url: str, **kwargs: object) -> float:
        for _ in range(3):  # warm
            assert client.get(url, **kwargs).status_code == 200, url  # type: ignore[arg-type]
        start = CLOCK()
        for _ in range(args.n):
            client.get(url, **kwargs)  # type: ignore[arg-type]
        return (CLOCK() - start) / args.n * 1000

    def sync() -> None:
        items = [
            {
                "client_id": str(uuid.uuid4()),
                "type": "observation",
                "activity_id": ids["slot"],
                "fields": {"customer": "shopper", "did": "Compared two packs", "tags": ["price"]},
                "updated_at": "2030-01-01T10:00:00+00:00",
            }
            for _ in range(SYNC_BATCH)
        ]
        answer = client.post(path, json={"items": items}, headers=bearer)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]

    floor = timed("/api/v1/me", headers=bearer)
    if args.page == "sync":
        start = CLOCK()
        for _ in range(args.n):
            sync()
        page = (CLOCK() - start) / args.n * 1000
        print(
            f"{SYNC_BATCH} notes: {page:.1f} ms a request, {SYNC_BATCH / page * 1000:.0f} notes/s"
        )
    else:
        page = timed(path)
    print(f"{path}: {page:.1f} ms a request; GET /api/v1/me: {floor:.1f} ms ({page / floor:.1f}x)")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        sync() if args.page == "sync" else client.get(path)
    profile.disable()
    if args.save:
        profile.dump_stats(args.save)
    stats = pstats.Stats(profile).sort_stats("cumulative")
    stats.print_stats(25)
    stats.print_stats(PARTS)


if __name__ == "__main__":
    main()
