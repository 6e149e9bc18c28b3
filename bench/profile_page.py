"""Where a page's time goes: the benchmark's data (SQLite), one page requested in-process by a
signed-in person under cProfile, with the floor (`GET /api/v1/me`) timed the same way.

    python bench/profile_page.py [board|home|programme|schedule|notes|form|library|for-you] [-n 40]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.serve_bench import PASSWORD, pages, seed

NAMES = ["programme", "home", "schedule", "notes", "form", "board", "library", "for-you"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("page", nargs="?", default="board", choices=NAMES)
    parser.add_argument("-n", type=int, default=40)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="lp-profile-")
    ids, pairs = seed(f"sqlite:///{tmp}/profile.sqlite3", tmp)
    os.environ["SESSION_COOKIE_SECURE"] = "0"
    from app import create_app

    app = create_app()
    path = pages(ids)[NAMES.index(args.page)][1]
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = login.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/login",
        data={"csrf_token": token, "email": "p0@bench.example.com", "password": PASSWORD},
    )
    bearer = {"Authorization": f"Bearer {pairs[0][1]}"}

    def timed(url: str, **kwargs: object) -> float:
        for _ in range(3):  # warm
            assert client.get(url, **kwargs).status_code == 200, url  # type: ignore[arg-type]
        start = time.perf_counter()
        for _ in range(args.n):
            client.get(url, **kwargs)  # type: ignore[arg-type]
        return (time.perf_counter() - start) / args.n * 1000

    floor = timed("/api/v1/me", headers=bearer)
    page = timed(path)
    print(f"{path}: {page:.1f} ms a request; GET /api/v1/me: {floor:.1f} ms ({page / floor:.1f}x)")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        client.get(path)
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
