"""Requests per second and p95 latency of the programme page (200 slots) and the sign-up API,
served by gunicorn (2 workers) on SQLite and on PostgreSQL, next to a bare Flask app served the
same way in the same run.

    python bench/serve_bench.py [--seconds 10] [--connections 32] [--postgres URL]

Needs `wrk` (Debian package). Prints a table and the ratios against the bare app.
"""

from __future__ import annotations

import argparse
import os
import re
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKERS = 2
SLOTS = 200
PEOPLE = 400
PASSWORD = "benchmark password"


def seed(database_url: str, instance: str) -> tuple[int, list[tuple[int, str]]]:
    """A published programme with 200 slots, and people with API tokens; returns the programme id
    and (slot, token) pairs in an order that never repeats a person on a slot."""
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
        pairs = [(slot_ids[k // PEOPLE], tokens[k % PEOPLE]) for k in range(SLOTS * PEOPLE)]
        return programme.id, pairs


def serve(app_path: str, port: int, env: dict[str, str]) -> subprocess.Popen:
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


def run(name: str, database_url: str, args: argparse.Namespace, bare: dict) -> list[str]:
    tmp = tempfile.mkdtemp(prefix=f"lp-bench-{name}-")
    programme_id, pairs = seed(database_url, tmp)
    pairs_file = Path(tmp) / "pairs.txt"
    pairs_file.write_text("\n".join(f"{s} {t}" for s, t in pairs))
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench",
        "INSTANCE_PATH": tmp,
        "SESSION_COOKIE_SECURE": "0",
    }
    proc = serve("wsgi:app", 8601, env)
    try:
        base = "http://127.0.0.1:8601"
        cookie = sign_in(base)
        page = wrk(
            f"{base}/programmes/{programme_id}",
            args.seconds,
            args.connections,
            headers=[f"Cookie: {cookie}"],
        )
        me = wrk(
            f"{base}/api/v1/me",
            args.seconds,
            args.connections,
            headers=[f"Authorization: Bearer {pairs[0][1]}"],
        )
        signup = wrk(base, args.seconds, args.connections, env={"BENCH_SIGNUPS": str(pairs_file)})
    finally:
        proc.terminate()
        proc.wait()
    rows = []
    for label, r, target in (
        ("programme page, 200 slots", page, 0.35),
        ("sign-up API", signup, 0.25),
        ("GET /api/v1/me (floor)", me, None),
    ):
        ratio = r["rps"] / bare["rps"]
        rows.append(
            f"{name:<10} {label:<26} {r['rps']:>8.0f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
            f"{int(r['errors']):>6} {ratio:>7.0%}"
            + (
                f" (target ≥ {target:.0%}, p95 < 100 ms)"
                if target
                else " (auth + 2 queries, no page)"
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/lp_bench")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()

    bare_proc = serve("bench.bare_app:app", 8600, {})
    try:
        bare = wrk("http://127.0.0.1:8600/", args.seconds, args.connections)
    finally:
        bare_proc.terminate()
        bare_proc.wait()
    header = ("database", "what", "req/s", "p50 ms", "p95 ms", "errors", "vs bare")
    rows = [
        "{:<10} {:<26} {:>8} {:>8} {:>8} {:>6} {:>7}".format(*header),
        f"{'-':<10} {'bare Flask app':<26} {bare['rps']:>8.0f} {bare['p50_ms']:>8.1f} "
        f"{bare['p95_ms']:>8.1f} {int(bare['errors']):>6} {'100%':>7}",
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
