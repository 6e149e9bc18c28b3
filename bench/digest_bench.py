"""A digest run at size: 10,000 people and 1,000 insights published this week, on SQLite (a fresh
file under /tmp) or on DATABASE_URL (an empty database: its tables are dropped and made anew).

    python bench/digest_bench.py [--people 10000] [--insights 1000] [--null]

People work in 8 departments; a fifth follow one to three things (a channel, a tag, a
department, an activity kind) and one in twenty a saved search (words, matched in the
full-text index); everyone else has the defaults. 500 actions are due this week or overdue.
The whole `digests send` run (`send_due`, as the command runs it) is timed to the outbox
folder (or with --null, to a transport that drops the mail), with its peak memory. Next to it,
the baseline measured in the same run: the time to render and write as many plain emails of
a similar length, with no queries.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-a-benchmark")
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="lp-digest-bench-"))

from sqlalchemy import insert  # noqa: E402

from app import create_app  # noqa: E402
from app import mail as mail_module  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.config import load_config, normalise_database_url  # noqa: E402
from app.debriefs.models import Action, Debrief, Insight  # noqa: E402
from app.digests.send import send_due  # noqa: E402
from app.extensions import db  # noqa: E402
from app.feeds.models import Subscription  # noqa: E402
from app.insights.models import DocKind, LibraryDoc, facet_keys  # noqa: E402
from app.programmes.models import Programme  # noqa: E402

DEPARTMENTS = ["Stores", "Call centre", "Web", "Finance", "IT", "Marketing", "Logistics", "HR"]
CHANNELS = ["store", "call centre", "web", "phone", "field", "app"]
TAGS = ["price", "delivery", "waiting", "access", "app", "value", "returns", "staff"]
KINDS = ["call_listening", "customer_observation", "shopper_interview", "behind_the_counter"]
SEARCHES = ["unit price", "delivery window", "callback", "stairs OR lift", '"better value"']
WORDS = [
    "customers",
    "could",
    "not",
    "tell",
    "which",
    "pack",
    "was",
    "better",
    "value",
    "and",
    "asked",
    "staff",
    "about",
    "the",
    "unit",
    "price",
    "while",
    "the",
    "delivery",
    "window",
    "was",
    "never",
    "texted",
    "and",
    "nobody",
    "called",
    "back",
]


def status_kb(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> None:
    """Start a new peak-RSS measurement (Linux: VmHWM back to the current RSS)."""
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def seed(people: int, insights: int, rng: random.Random) -> None:
    now = datetime.now(UTC)
    start = now - timedelta(days=20)
    users = [
        {
            "id": n,
            "email": f"person{n}@example.com",
            "name": f"Person {n}",
            "department": DEPARTMENTS[n % len(DEPARTMENTS)],
            "password_hash": "not-a-real-hash",
            "active": True,
            "created_at": start,
            "clock": "",
        }
        for n in range(1, people + 1)
    ]
    db.session.execute(insert(User), users)
    programmes = []
    for p in range(1, 21):
        programmes.append(
            Programme(
                id=p,
                title=f"Closeness week {p}",
                starts_on=date(2026, 11, 1),
                ends_on=date(2026, 11, 5),
                timezone="Europe/London",
                signup_opens_at=start,
                signup_closes_at=start + timedelta(days=1),
                status="archived",
            )
        )
    db.session.add_all(programmes)
    db.session.flush()
    db.session.add_all(
        Debrief(
            id=p,
            programme_id=p,
            title=f"Debrief {p}",
            starts_at=start,
            status="published",
            published_at=now - timedelta(days=1),
        )
        for p in range(1, 21)
    )
    db.session.flush()
    rows, docs = [], []
    for i in range(1, insights + 1):
        debrief = (i % 20) + 1
        statement = " ".join(rng.sample(WORDS, 9)).capitalize()
        so_what = " ".join(rng.sample(WORDS, 14)).capitalize() + "."
        rows.append({"id": i, "debrief_id": debrief, "statement": statement, "so_what": so_what})
        facets = [("channel", rng.choice(CHANNELS)), ("kind", rng.choice(KINDS))]
        facets += [("tag", t) for t in rng.sample(TAGS, 2)] + [("programme", str(debrief))]
        facets.append(("department", rng.choice(DEPARTMENTS)))
        docs.append(
            {
                "kind": DocKind.INSIGHT,
                "debrief_id": debrief,
                "programme_id": debrief,
                "insight_id": i,
                "title": statement,
                "body": so_what,
                "happened_on": (now - timedelta(days=3)).date(),
                "published_at": now - timedelta(days=6) + timedelta(seconds=i * 300),
                "facet_keys": facet_keys(facets),
            }
        )
    db.session.execute(insert(Insight), rows)
    db.session.execute(insert(LibraryDoc), docs)
    subs = []
    for n in range(1, people + 1):
        if n % 5 == 0:
            for kind, value in rng.sample(
                [
                    ("channel", rng.choice(CHANNELS)),
                    ("tag", rng.choice(TAGS)),
                    ("department", rng.choice(DEPARTMENTS)),
                    ("kind", rng.choice(KINDS)),
                ],
                rng.randint(1, 3),
            ):
                subs.append({"user_id": n, "kind": kind, "value": value, "search": ""})
        if n % 20 == 0:
            q = rng.choice(SEARCHES)
            subs.append(
                {"user_id": n, "kind": "search", "value": f"q-{q}", "search": f'{{"q": "{q}"}}'}
            )
    db.session.execute(insert(Subscription), subs)
    db.session.execute(
        insert(Action),
        [
            {
                "debrief_id": (a % 20) + 1,
                "what": f"Action {a}: " + " ".join(rng.sample(WORDS, 6)),
                "owner": f"Person {a * 7 % people + 1}",
                "owner_id": a * 7 % people + 1,
                "due_on": (now + timedelta(days=rng.randint(-10, 6))).date(),
                "status": rng.choice(["open", "doing"]),
            }
            for a in range(500)
        ],
    )
    db.session.commit()


def baseline(count: int, folder: Path) -> float:
    """Render and write `count` plain emails of a digest's length: no queries, no matching."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for n in range(count):
        lines = [f"* Insight {i}: {' '.join(WORDS[i : i + 9])}\n  So what: ..." for i in range(10)]
        msg = EmailMessage()
        msg["From"] = "listening-post@localhost"
        msg["To"] = f"person{n}@example.com"
        msg["Subject"] = "Listening Post: 10 new insights"
        msg.set_content(f"Hello Person {n},\n\n" + "\n".join(lines))
        (folder / f"{n}.eml").write_bytes(bytes(msg))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--insights", type=int, default=1_000)
    parser.add_argument("--null", action="store_true", help="drop the mail instead of writing it")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/digest-bench.sqlite3"
    config = {
        **load_config(os.environ["INSTANCE_PATH"]),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": "",
        "BASE_URL": "https://lp.example.com",
    }
    app = create_app(config)
    app.logger.setLevel("WARNING")  # the outbox logs every message's text at INFO
    if args.null:
        mail_module.deliver_all = lambda messages: None  # type: ignore[assignment]
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        seed(args.people, args.insights, random.Random(7))
        print(f"{db.engine.dialect.name}: seeded {args.people} people, {args.insights} insights "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        db.session.remove()
        reset_peak()
        rss = status_kb("VmRSS")
        started = time.perf_counter()
        outcome = send_due(db.session)
        took = time.perf_counter() - started
        peak = status_kb("VmHWM")
        print(
            f"digests send: {took:.1f} s for {outcome.sent} digests "
            f"({outcome.empty} with nothing new) to {'nowhere' if args.null else 'the outbox'}; "
            f"{took / max(outcome.sent, 1) * 1000:.2f} ms a digest; peak RSS {peak / 1024:.0f} MB "
            f"(+{(peak - rss) / 1024:.0f} MB during the run)"
        )
        again = time.perf_counter()
        second = send_due(db.session)
        print(f"run again: {second.sent} sent, in {time.perf_counter() - again:.1f} s")
        db.drop_all()
    base = baseline(outcome.sent, Path(tempfile.mkdtemp(prefix="lp-digest-baseline-")))
    print(
        f"baseline: {base:.1f} s to render and write {outcome.sent} plain emails "
        f"(no queries); the digest run takes {took / max(base, 1e-9):.1f}x that"
    )


if __name__ == "__main__":
    main()
