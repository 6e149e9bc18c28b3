"""What the debrief PDF shows, built from the board: figures, a chart, themes, actions, notes.

Everything user-written reaches the PDF through Jinja's escaping and with contact details
redacted; photos are handed to the renderer in memory, as thumbnails already at print size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import render_template
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.capture.models import NoteType, Photo
from app.capture.services import note_details, redacted_fields
from app.db import DbSession, utcnow
from app.debriefs.models import Debrief, Insight, Placement, Theme
from app.debriefs.reports import PAPERS
from app.debriefs.services import board_notes, went_out
from app.insights.services import links_for
from app.pdf import OwnFilesOnly
from app.programmes.models import KIND_LABELS
from app.timefmt import house_style

#: Photos shown under each theme; the appendix lists every note in words only.
PHOTOS_PER_THEME = 6


def quotes_of(fields: dict[str, Any]) -> list[str]:
    return list(fields.get("said", [])) + [
        m["words"] for m in fields.get("moments", []) if m["words"]
    ]


@dataclass
class ThemeSection:
    anchor: str
    name: str
    description: str
    votes: int
    insights: list[Any]
    quotes: list[str]
    photos: list[int]
    cards: int


@dataclass
class NoteRow:
    kind: str
    fields: list[tuple[str, str]] = field(default_factory=list)


def bar_chart(rows: list[tuple[str, int]], *, width: int = 460, bar: int = 18) -> Markup:
    """A horizontal bar chart as SVG, drawn here so the PDF needs no script or image."""
    top = max((n for _, n in rows), default=0) or 1
    label_w, gap = 190, 6
    height = len(rows) * (bar + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Cards per theme">'
    ]
    for i, (label, n) in enumerate(rows):
        y = gap + i * (bar + gap)
        length = (width - label_w - 40) * n / top
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar - 5}" text-anchor="end" font-size="10">'
            f"{escape(short)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar}" fill="#0b5cad"/>'
            f'<text x="{label_w + length + 4:.1f}" y="{y + bar - 5}" font-size="10">{n}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every label above is escaped)


def _placements(session: DbSession, debrief: Debrief, on_board: set[int]) -> dict[int, list[int]]:
    placed: dict[int, list[int]] = defaultdict(list)
    rows = session.execute(
        select(Placement.note_id, Placement.theme_id).where(Placement.debrief_id == debrief.id)
    )
    for note_id, theme_id in rows:
        if note_id in on_board and theme_id is not None:
            placed[theme_id].append(note_id)
    return placed


def _evidence(insight: Insight, fields: dict[int, dict[str, Any]]) -> list[str]:
    return [q for n in insight.evidence if n.id in fields for q in quotes_of(fields[n.id])]


def _once(quotes: list[str], shown: set[str], limit: int) -> list[str]:
    """Up to `limit` quotes not in `shown` yet, each once; `shown` takes in those returned."""
    fresh: list[str] = []
    for quote in quotes:
        key = " ".join(quote.split()).casefold()
        if key not in shown and len(fresh) < limit:
            shown.add(key)
            fresh.append(quote)
    return fresh


def _thumbs(session: DbSession, photo_ids: list[int]) -> dict[str, bytes]:
    rows = session.execute(select(Photo.id, Photo.thumb).where(Photo.id.in_(photo_ids)))
    return {str(photo_id): thumb for photo_id, thumb in rows}


def report_html(session: DbSession, debrief: Debrief, *, paper: str) -> tuple[str, OwnFilesOnly]:
    """The report's HTML and a fetcher that holds exactly the photos it shows."""
    notes = board_notes(session, debrief)
    by_id = {n.id: n for n in notes}
    fields = {n.id: redacted_fields(n) for n in notes}
    placed = _placements(session, debrief, set(by_id))
    themes = session.scalars(
        select(Theme).options(selectinload(Theme.votes)).where(Theme.debrief_id == debrief.id)
    )
    insights = list(
        session.scalars(
            select(Insight)
            .options(selectinload(Insight.evidence))
            .where(Insight.debrief_id == debrief.id)
            .order_by(Insight.id)
        )
    )
    sections = []
    evidence: dict[int, list[str]] = {}
    for n, theme in enumerate(sorted(themes, key=lambda t: (-len(t.votes), t.position)), 1):
        ids = placed.get(theme.id, [])
        mine = [i for i in insights if i.theme_id == theme.id]
        # A quote is printed once on a theme's page: under the first insight it backs, and
        # among the theme's other quotes only if no insight there has shown it.
        quoted: set[str] = set()
        for insight in mine:
            evidence[insight.id] = _once(_evidence(insight, fields), quoted, 4)
        sections.append(
            ThemeSection(
                anchor=f"theme-{n}",
                name=theme.name,
                description=theme.description,
                votes=len(theme.votes),
                insights=mine,
                quotes=_once([q for i in ids for q in quotes_of(fields[i])], quoted, 12),
                photos=[p.id for i in ids for p in by_id[i].photos][:PHOTOS_PER_THEME],
                cards=len(ids),
            )
        )
    loose = [i for i in insights if i.theme_id is None]
    quoted = set()
    for insight in loose:
        evidence[insight.id] = _once(_evidence(insight, fields), quoted, 4)
    appendix: dict[str, list[NoteRow]] = defaultdict(list)
    for note in notes:
        activity = f"{note.activity.title} · {KIND_LABELS[note.activity.kind]}"
        kind = "Call-listening note" if note.type == NoteType.CALL_NOTE else "Observation"
        shown = [
            (label, value if isinstance(value, str) else "; ".join(value))
            for label, value in note_details(note.type, fields[note.id])
        ]
        appendix[activity].append(NoteRow(kind, shown))
    figures = {
        "people": len(went_out(session, debrief.activities)),
        "activities": len(debrief.activities),
        "notes": len(notes),
        "observations": sum(n.type == NoteType.OBSERVATION for n in notes),
        "call_notes": sum(n.type == NoteType.CALL_NOTE for n in notes),
        "themes": len(sections),
        "insights": len(insights),
        "actions": len(debrief.actions),
        "unsorted": len(notes) - sum(len(ids) for ids in placed.values()),
    }
    with house_style():  # the PDF is kept and shared: not in the clock of who asked first
        html = render_template(
            "pdf/debrief.html",
            debrief=debrief,
            programme=debrief.programme,
            page_size=PAPERS[paper],
            figures=figures,
            chart=bar_chart([(s.name, s.cards) for s in sections][:15]),
            sections=sections,
            loose_insights=loose,
            glance=[i for s in sections for i in s.insights] + loose,
            kinds=sorted({KIND_LABELS[a.kind] for a in debrief.activities}),
            evidence=evidence,
            links=links_for(session, [i.id for i in insights]),
            actions=debrief.actions,
            appendix=appendix,
            generated_at=utcnow(),
        )
    photo_ids = [photo_id for s in sections for photo_id in s.photos]
    return html, OwnFilesOnly(_thumbs(session, photo_ids))
