"""Requests per second, p50 and p95 latency of the pages people open most, the sign-up API and
the phone's sync, served by gunicorn (2 workers) on SQLite and on PostgreSQL. Each is printed as a
ratio to the floor of a signed-in request measured in the same run (`GET /api/v1/me`: the
session lookup and two queries, no page), and to a bare Flask app served the same way.

    python bench/serve_bench.py [--quick] [--seconds 10] [--connections 32] [--postgres URL]
                                [--port 8600]

`--quick` runs each measurement for 3 s (a few minutes in all). Needs `wrk` (Debian package).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from datetime import time as dtime
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKERS = 2
SLOTS = 200
PEOPLE = 400
PASSWORD = "benchmark password"
FIELD_SLOTS = 10  #: slots of the programme whose debrief board is measured
FIELD_PEOPLE = 15  #: each writes a note on each of its slots: 150 cards
SYNC_BATCH = 50


def seed(database_url: str, instance: str) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """A published programme with 200 slots, and people with API tokens; a second programme
    where 15 people (p0, the one signed in, among them) wrote a note on each of 10 slots, with an
    open debrief of those 150 cards; and a published debrief for the library to find. Returns
    the ids the pages need and (slot, token) pairs in an order that never repeats a person on a
    slot."""
    os.environ.update(DATABASE_URL=database_url, SECRET_KEY="bench", INSTANCE_PATH=instance)
    from flask_migrate import upgrade

    from app import create_app
    from app.accounts.models import Role
    from app.accounts.services import create_api_token, create_user
    from app.db import utcnow
    from app.extensions import db
    from app.programmes.services import (
        ActivityInput,
        ProgrammeInput,
        change_status,
        create_activity,
        create_programme,
    )
    from app.timefmt import local_to_utc

    app = create_app()
    app.config["PASSWORD_HASH_PROFILE"] = "fast-for-tests"
    with app.app_context():
        upgrade()
        s = db.session
        organiser = create_user(
            s,
            email="organiser@bench.example.com",
            name="Org",
            roles={Role.ORGANISER},
            password=PASSWORD,
        )
        first = utcnow().date() + timedelta(days=3)
        programme = create_programme(
            s,
            ProgrammeInput(
                title="Bench week",
                purpose="",
                customer_question="Why?",
                starts_on=first,
                ends_on=first + timedelta(days=19),
                timezone="Europe/London",
                signup_opens_at=utcnow() - timedelta(days=1),
                signup_closes_at=utcnow() + timedelta(days=2),
            ),
            by=organiser,
        )
        slot_ids = []
        for i in range(SLOTS):
            start = local_to_utc(
                datetime.combine(first + timedelta(days=i // 10), dtime(8 + i % 10)),
                "Europe/London",
                field="t",
            )
            slot = create_activity(
                s,
                programme,
                ActivityInput(
                    kind="call_listening",
                    title=f"Slot {i}",
                    location=f"Centre {i % 7}",
                    online_url="",
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    capacity=10,
                ),
                by=organiser,
            )
            slot_ids.append(slot.id)
        change_status(s, programme, "publish", by=organiser)
        tokens = [
            create_api_token(
                s,
                create_user(
                    s,
                    email=f"p{n}@bench.example.com",
                    name=f"P{n}",
                    department=f"D{n % 6}",
                    password=PASSWORD,
                ),
            )
            for n in range(PEOPLE)
        ]
        s.commit()
        ids = seed_fieldwork(s, organiser, first)
        ids["programme"] = programme.id
        s.commit()
        pairs = [(slot_ids[k // PEOPLE], tokens[k % PEOPLE]) for k in range(SLOTS * PEOPLE)]
        return ids, pairs


def seed_fieldwork(s, organiser, first) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Notes, an open board of 150 cards and a published debrief (see `seed`)."""
    import uuid

    from app.accounts.models import User
    from app.briefings.services import acknowledge
    from app.capture.sync import sync
    from app.db import utcnow
    from app.debriefs import board as ops
    from app.debriefs.services import DebriefInput, create_debrief, publish
    from app.programmes.services import (
        ActivityInput,
        ProgrammeInput,
        change_status,
        create_activity,
        create_programme,
    )
    from app.signups.services import sign_up
    from app.timefmt import local_to_utc

    def programme_of(title: str, slots: int, people: list[User]):  # type: ignore[no-untyped-def]
        programme = create_programme(
            s,
            ProgrammeInput(
                title=title,
                purpose="",
                customer_question="What gets in the way?",
                starts_on=first,
                ends_on=first + timedelta(days=19),
                timezone="Europe/London",
                signup_opens_at=utcnow() - timedelta(days=1),
                signup_closes_at=utcnow() + timedelta(days=2),
            ),
            by=organiser,
        )
        made = []
        for i in range(slots):
            start = local_to_utc(
                datetime.combine(first + timedelta(days=i), dtime(9)), "Europe/London", field="t"
            )
            made.append(
                create_activity(
                    s,
                    programme,
                    ActivityInput(
                        kind="customer_observation",
                        title=f"{title} {i}",
                        location="Store",
                        online_url="",
                        starts_at=start,
                        ends_at=start + timedelta(hours=2),
                        capacity=len(people) + 5,
                    ),
                    by=organiser,
                )
            )
        change_status(s, programme, "publish", by=organiser)
        notes = []
        for person in people:
            for slot in made:
                sign_up(s, slot, user=person)
            acknowledge(s, programme, user=person)
            items = [
                {
                    "client_id": str(uuid.uuid4()),
                    "type": "observation",
                    "activity_id": slot.id,
                    "fields": {
                        "customer": f"shopper {n}",
                        "did": f"Compared the price per kilo of two packs ({person.name}, {n})",
                        "said": ["Which one is cheaper?"],
                        "tags": ["price", f"t{n % 5}"],
                    },
                    "updated_at": utcnow().isoformat(),
                }
                for n, slot in enumerate(made)
            ]
            notes += [r.id for r in sync(s, items, user=person)]
        return programme, made, notes

    people = list(s.scalars(select(User).where(User.email.like("p%@bench.example.com"))))
    people.sort(key=lambda u: int(u.email[1 : u.email.index("@")]))
    field, slots, _ = programme_of("Field week", FIELD_SLOTS, people[:FIELD_PEOPLE])
    board = create_debrief(
        s, field, DebriefInput(title="Board", starts_at=utcnow(), location="Room 1"), by=organiser
    )
    shelf, _, shelf_notes = programme_of("Shelf week", 4, people[FIELD_PEOPLE : FIELD_PEOPLE + 5])
    done = create_debrief(
        s, shelf, DebriefInput(title="Shelf", starts_at=utcnow(), location="Room 2"), by=organiser
    )
    for n, note_id in enumerate(shelf_notes):
        ops.save_insight(
            s,
            done,
            {"statement": f"Shoppers compare prices per kilo ({n})", "evidence": [note_id]},
            user=organiser,
        )
    publish(s, done, by=organiser)
    return {"board": board.id, "slot": slots[0].id, "note": _first_note(s, people[0])}


def _first_note(s, person) -> int:  # type: ignore[no-untyped-def]
    from app.capture.models import Note

    return s.scalar(select(Note.id).where(Note.author_id == person.id).order_by(Note.id))


def serve(app_path: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:  # measuring someone else's server
            raise RuntimeError(f"port {port} is in use: give another with --port")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_path,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    for _ in range(100):
        if proc.poll() is not None:
            raise RuntimeError(f"{app_path} exited on start")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
            return proc
        except urllib.error.HTTPError:
            return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{app_path} did not start")


def sign_in(base: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "email": "p0@bench.example.com", "password": PASSWORD}
    )
    opener.open(base + "/login", data.encode())
    return next(f"{c.name}={c.value}" for c in jar if c.name == "lp_session")


def wrk(
    url: str, seconds: int, connections: int, *, headers: list[str] = (), env: dict | None = None
) -> dict:
    cmd = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",  # a slow page is measured, not cut off at wrk's 2 s and counted as an error
        "-s",
        str(ROOT / "bench/wrk.lua"),
        url,
    ]
    for h in headers:
        cmd[1:1] = ["-H", h]
    out = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "BENCH_THREADS": "2", **(env or {})},
    ).stdout
    return {k: float(v) for k, v in re.findall(r"^(\w+)=([\d.]+)$", out, re.M)}


def pages(ids: dict[str, int]) -> list[tuple[str, str, float]]:
    """(label, path, target as a share of the floor's req/s) for every page measured."""
    return [
        ("programme page, 200 slots", f"/programmes/{ids['programme']}", 0.50),
        ("home screen", "/", 0.40),
        ("My schedule", "/schedule", 0.40),
        ("My notes", "/notes", 0.40),
        ("note form", f"/activities/{ids['slot']}/notes/new/observation", 0.40),
        ("debrief board, 150 cards", f"/debriefs/{ids['board']}", 0.40),
        ("library search", "/library?q=price+per+kilo", 0.40),
        ("For you", "/for-you", 0.40),
    ]


def run(name: str, database_url: str, args: argparse.Namespace, bare: dict) -> list[str]:
    tmp = tempfile.mkdtemp(prefix=f"lp-bench-{name}-")
    ids, pairs = seed(database_url, tmp)
    pairs_file = Path(tmp) / "pairs.txt"
    pairs_file.write_text("\n".join(f"{s} {t}" for s, t in pairs))
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench",
        "INSTANCE_PATH": tmp,
        "SESSION_COOKIE_SECURE": "0",
    }
    proc = serve("wsgi:app", args.port + 1, env)
    results: list[tuple[str, dict, float | None, str]] = []
    try:
        base = f"http://127.0.0.1:{args.port + 1}"
        cookie = sign_in(base)
        me = wrk(
            f"{base}/api/v1/me",
            args.seconds,
            args.connections,
            headers=[f"Authorization: Bearer {pairs[0][1]}"],
        )
        results.append(("GET /api/v1/me (floor)", me, None, "req/s"))
        for label, path, target in pages(ids):
            check = urllib.request.Request(base + path, headers={"Cookie": cookie})
            with urllib.request.urlopen(check) as answer:  # a page that fails is no benchmark
                if answer.status != 200 or "/login" in answer.url:
                    raise RuntimeError(f"{label}: {answer.status} {answer.url}")
            r = wrk(base + path, args.seconds, args.connections, headers=[f"Cookie: {cookie}"])
            results.append((label, r, target, "req/s"))
        signup = wrk(base, args.seconds, args.connections, env={"BENCH_SIGNUPS": str(pairs_file)})
        results.append(("sign-up API", signup, 0.50, "req/s"))
        sync = wrk(
            base,
            args.seconds,
            args.connections,
            env={
                "BENCH_SYNC": f"{ids['slot']} {pairs[0][1]}",
                "BENCH_SYNC_BATCH": str(SYNC_BATCH),
            },
        )
        results.append((f"POST /api/v1/sync, {SYNC_BATCH} notes", sync, None, "notes/s"))
    finally:
        proc.terminate()
        proc.wait()
    rows = []
    for label, r, target, unit in results:
        rate = r["rps"] * (SYNC_BATCH if unit == "notes/s" else 1)
        vs_floor = r["rps"] / me["rps"]
        if unit == "notes/s":
            goal = f"{rate:.0f} notes/s (target ≥ 500)"
        elif target:
            met = "met" if vs_floor >= target and r["p95_ms"] < 100 else "NOT met"
            goal = f"target ≥ {target:.0%} of floor, p95 < 100 ms: {met}"
        else:
            goal = "auth + 2 queries, no page"
        rows.append(
            f"{name:<9} {label:<27} {r['rps']:>7.0f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} "
            f"{int(r['errors']):>6} {vs_floor:>6.0%} {r['rps'] / bare['rps']:>6.0%}  {goal}"
            + _errors(r)
        )
    return rows


def _errors(r: dict) -> str:
    """What the errors were: wrk's 2 s timeouts, or answers of 4xx/5xx."""
    kinds = [f"{int(r['timeouts'])} timed out"] if r.get("timeouts") else []
    kinds += [f"{int(n)} answered {k[7:]}" for k, n in sorted(r.items()) if k.startswith("status_")]
    return f" [errors: {', '.join(kinds)}]" if kinds else ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="3 s per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/lp_bench")
    parser.add_argument("--skip-postgres", action="store_true")
    # Two runs on one machine need two ports each: a second run on the same ports would measure
    # the first one's server.
    parser.add_argument("--port", type=int, default=8600, help="the bare app's; the app's is +1")
    args = parser.parse_args()
    if args.quick:
        args.seconds = 3

    bare_proc = serve("bench.bare_app:app", args.port, {})
    try:
        bare = wrk(f"http://127.0.0.1:{args.port}/", args.seconds, args.connections)
    finally:
        bare_proc.terminate()
        bare_proc.wait()
    header = ("database", "what", "req/s", "p50 ms", "p95 ms", "errors", "floor", "bare")
    rows = [
        "{:<9} {:<27} {:>7} {:>7} {:>7} {:>6} {:>6} {:>6}".format(*header),
        f"{'-':<9} {'bare Flask app':<27} {bare['rps']:>7.0f} {bare['p50_ms']:>7.1f} "
        f"{bare['p95_ms']:>7.1f} {int(bare['errors']):>6} {'':>6} {'100%':>6}",
    ]
    rows += run("sqlite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3", args, bare)
    if not args.skip_postgres:
        db = args.postgres.rsplit("/", 1)[1]
        admin = args.postgres.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(
            ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True
        )
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {db}"], check=True)
        rows += run("postgres", args.postgres, args, bare)
    print(
        f"gunicorn {WORKERS} workers each, wrk {args.connections} connections, "
        f"{args.seconds} s per run"
    )
    print("\n".join(rows))


if __name__ == "__main__":
    main()
