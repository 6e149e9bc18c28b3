"""The debrief PDF at scale: 1,000 notes, 20 themes, 50 photos.

    python bench/pdf_bench.py [--notes 1000]

Renders the debrief report, and in the same run WeasyPrint rendering plain HTML of the same
text (no stylesheet, no photos): the floor of what any PDF of this content costs. Each render
runs in its own process so that its peak memory is its own. Prints both times, the ratio
(target <= 1.5), pages, and peak memory (target <= 600 MB).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
THEMES = 20
PHOTOS = 50
WORDS = [
    "price",
    "shelf",
    "label",
    "queue",
    "staff",
    "app",
    "delivery",
    "refund",
    "basket",
    "size",
    "value",
    "kilo",
    "print",
    "small",
    "wait",
    "trolley",
    "card",
    "checkout",
    "receipt",
    "offer",
    "brand",
    "help",
    "ask",
    "find",
    "compare",
]


def phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def seed(notes: int) -> int:
    """The debrief id, in a database that the environment's DATABASE_URL names."""
    from flask_migrate import upgrade
    from PIL import Image

    from app import create_app
    from app.accounts.models import Role
    from app.briefings.services import acknowledge
    from app.capture.models import Note
    from app.capture.photos import attach_photo, prepare
    from app.capture.sync import sync
    from app.db import utcnow
    from app.debriefs import board
    from app.debriefs.services import DebriefInput, create_debrief
    from app.extensions import db
    from app.signups.services import sign_up
    from tests.factories import make_activity, make_programme, make_user

    rng = random.Random(7)
    app = create_app()
    with app.app_context():
        upgrade()
        s = db.session
        organiser = make_user(Role.ORGANISER)
        programme = make_programme(organiser)
        slots = [make_activity(programme, day=n % 5, hour=8 + n, capacity=20) for n in range(10)]
        people = [make_user() for _ in range(50)]
        for n, person in enumerate(people):
            sign_up(s, slots[n % 10], user=person)
            acknowledge(s, programme, user=person)
        ids = []
        for n in range(notes):
            fields = {
                "customer": phrase(rng, 4),
                "did": phrase(rng, 30),
                "said": [phrase(rng, 10), phrase(rng, 8)],
                "pain_points": [phrase(rng, 5)],
                "task_answer": phrase(rng, 15),
                "tags": rng.sample(WORDS, 2),
            }
            item = {
                "client_id": str(uuid.uuid4()),
                "type": "observation",
                "activity_id": slots[n % 10].id,
                "fields": fields,
                "updated_at": "2030-01-01T10:00:00+00:00",
            }
            # person n holds slot n % 10, so they write on their own slot
            [result] = sync(s, [item], user=people[n % 50])
            ids.append(result.id)
        for n in range(PHOTOS):
            note = s.get(Note, ids[n * (notes // PHOTOS)])
            picture = Image.effect_noise((1600, 1200), 40).convert("RGB")
            raw = io.BytesIO()
            picture.save(raw, "JPEG", quality=85)
            raw.seek(0)
            attach_photo(
                s,
                note,
                prepare(raw),
                client_id=str(uuid.uuid4()),
                shows_person=False,
                consent=False,
                user=note.author,
            )
        debrief = create_debrief(
            s,
            programme,
            DebriefInput(title="Bench debrief", starts_at=utcnow(), location="Room"),
            by=organiser,
        )
        per_theme = notes // THEMES
        for t in range(THEMES):
            chunk = ids[t * per_theme : (t + 1) * per_theme]
            theme = board.move_cards(
                s,
                debrief,
                chunk,
                new_theme=f"Theme {t + 1}: {phrase(rng, 4)}",
                seen=debrief.version,
                user=organiser,
            )
            for _ in range(2):
                board.save_insight(
                    s,
                    debrief,
                    {
                        "statement": phrase(rng, 12),
                        "so_what": phrase(rng, 20),
                        "theme_id": theme.id,
                        "evidence": chunk[:5],
                    },
                    user=organiser,
                )
            board.save_action(
                s,
                debrief,
                {"what": phrase(rng, 8), "owner": "Team " + str(t), "due_on": "2030-06-30"},
                user=organiser,
            )
        s.commit()
        return debrief.id


class Text(HTMLParser):
    """The text of an HTML page, block by block."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self.skip = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.skip = tag in {"style", "title", "svg"}

    def handle_endtag(self, tag: str) -> None:
        self.skip = False

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            self.blocks.append(data.strip())


def render(kind: str, debrief_id: int) -> None:
    """In a child process: render one kind, print seconds, pages and peak memory."""
    from html import escape

    from app import create_app
    from app.debriefs.models import Debrief
    from app.debriefs.report import report_html
    from app.extensions import db
    from app.pdf import render_pdf

    app = create_app()
    with app.test_request_context(), app.app_context():
        html, fetcher = report_html(db.session, db.session.get_one(Debrief, debrief_id), paper="a4")
        if kind == "plain":
            parser = Text()
            parser.feed(html)
            body = "".join(f"<p>{escape(block)}</p>" for block in parser.blocks)
            html, fetcher = (
                f"<!doctype html><html lang=en><title>x</title><body>{body}</body></html>",
                None,
            )
        started = time.perf_counter()
        pdf, pages = render_pdf(html, fetcher)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.3f} {pages} {peak:.0f} {len(pdf)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--render", choices=["report", "plain"])
    parser.add_argument("--debrief", type=int)
    args = parser.parse_args()
    if args.render:
        render(args.render, args.debrief)
        return
    folder = tempfile.mkdtemp(prefix="lp-pdf-bench-")
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3", SECRET_KEY="bench", INSTANCE_PATH=folder
    )
    started = time.perf_counter()
    debrief_id = seed(args.notes)
    took = time.perf_counter() - started
    print(f"Seeded {args.notes:,} notes, {THEMES} themes, {PHOTOS} photos in {took:.0f} s")
    results = {}
    for kind in ("plain", "report"):
        out = subprocess.run(
            [sys.executable, __file__, "--render", kind, "--debrief", str(debrief_id)],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ,
        ).stdout.split()
        results[kind] = (float(out[0]), int(out[1]), float(out[2]), int(out[3]))
    print("\n                      seconds   pages   peak MB   PDF MB")
    for kind, label in (("report", "debrief report"), ("plain", "plain HTML, same text")):
        seconds, pages, peak, size = results[kind]
        print(f"  {label:<20} {seconds:>8.2f} {pages:>7} {peak:>9.0f} {size / 1e6:>8.1f}")
    ratio = results["report"][0] / results["plain"][0]
    peak = results["report"][2]
    met = {True: "met", False: "MISSED"}
    print(f"\n  ratio report / plain: {ratio:.2f} (target <= 1.5: {met[ratio <= 1.5]})")
    print(f"  report peak memory: {peak:.0f} MB (target <= 600 MB: {met[peak <= 600]})")


if __name__ == "__main__":
    main()
