"""Keeping the library in step with publishing: a published debrief's insights, themes and
notes become documents, in the words every reader may see (contact details redacted)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, exists, select

from app.capture.models import Note, NoteType
from app.capture.services import redacted_fields
from app.db import DbSession
from app.debriefs.models import Debrief, DebriefStatus, Placement, insight_evidence
from app.debriefs.services import board_notes
from app.insights.models import (
    RAISE_GENERATION,
    DocKind,
    LibraryDoc,
    LibraryState,
    Withdrawal,
    facet_keys,
)
from app.programmes.models import ActivityKind

#: The channel a note is from when its author did not name one.
KIND_CHANNELS = {
    ActivityKind.CALL_LISTENING: "call centre",
    ActivityKind.GROUP_DISCUSSION: "research",
    ActivityKind.IN_DEPTH_INTERVIEW: "research",
    ActivityKind.DEMONSTRATOR_VISIT: "store",
    ActivityKind.BEHIND_THE_COUNTER: "store",
    ActivityKind.SHOPPER_INTERVIEW: "store",
    ActivityKind.CUSTOMER_OBSERVATION: "store",
}
#: Words that say nothing about who a customer was.
STOPWORDS = frozenset(
    """a an the and or of in on at to for with from by his her their they them who was were
    is are be been about around into some any one two""".split()  # noqa: SIM905
)
CUSTOMER_WORDS = re.compile(r"[^\W_]{3,}|\d+s")
#: Note fields in the order a reader meets them in the document body.
BODY_FIELDS = (
    "did", "said", "asked", "answered", "needs", "pain_points", "delights", "surprised",
    "reason", "moments", "root_cause", "do_better", "task_answer", "tags",
)  # fmt: skip


def bump_generation(session: DbSession) -> None:
    """Tell every process that the library changed (their cached vectors are stale)."""
    updated = session.execute(RAISE_GENERATION)
    if not updated.rowcount:  # type: ignore[attr-defined]
        session.add(LibraryState(id=1, generation=1))
    session.flush()


def generation(session: DbSession) -> int:
    return session.scalar(select(LibraryState.generation).where(LibraryState.id == 1)) or 0


def note_title(note: Note, fields: dict[str, Any]) -> str:
    if note.type == NoteType.CALL_NOTE:
        return f"Call: {fields.get('reason') or 'no reason given'}"
    return fields.get("customer") or "A customer"


def note_body(fields: dict[str, Any]) -> str:
    """The note as one text; the customer's own words in quotation marks."""
    parts: list[str] = []
    for name in BODY_FIELDS:
        value = fields.get(name)
        if not value:
            continue
        if name == "said":
            parts += [f"“{q}”" for q in value]
        elif name == "moments":
            for m in value:
                parts += [m["what"]] + ([f"“{m['words']}”"] if m["words"] else [])
        elif isinstance(value, list):
            parts.append(", ".join(value))
        else:
            parts.append(str(value))
    return "\n".join(p for p in parts if p)


def note_facets(note: Note, fields: dict[str, Any], programme_id: int) -> set[tuple[str, str]]:
    activity = note.activity
    channel = (fields.get("channel") or "").strip().lower() or KIND_CHANNELS[activity.kind]
    customer = f"{fields.get('customer') or ''} {fields.get('customer_type') or ''}".lower()
    found = {
        ("programme", str(programme_id)),
        ("kind", str(activity.kind)),
        ("channel", channel),
    }
    found |= {("tag", t.strip().lower()) for t in fields.get("tags", []) if t.strip()}
    if note.author.department:
        found.add(("department", note.author.department))
    found |= {("customer", w) for w in CUSTOMER_WORDS.findall(customer)[:8] if w not in STOPWORDS}
    return {(facet, value[:120]) for facet, value in found}


def _withdrawn(session: DbSession, debrief: Debrief, notes: list[Note]) -> set[tuple[str, int]]:
    """Items of this debrief taken out of the library, and its notes taken out from any board."""
    rows = session.execute(
        select(Withdrawal.kind, Withdrawal.item_id).where(
            (Withdrawal.debrief_id == debrief.id)
            | ((Withdrawal.kind == DocKind.NOTE) & Withdrawal.item_id.in_([n.id for n in notes]))
        )
    )
    return {(str(kind), item_id) for kind, item_id in rows}


def _day(debrief: Debrief, when: Any) -> date:
    return when.astimezone(ZoneInfo(debrief.programme.timezone)).date()  # type: ignore[no-any-return]


def index_debrief(session: DbSession, debrief: Debrief) -> int:
    """Put a published debrief's findings in the library (again); returns the documents made."""
    session.execute(delete(LibraryDoc).where(LibraryDoc.debrief_id == debrief.id))
    if debrief.status != DebriefStatus.PUBLISHED or debrief.published_at is None:
        bump_generation(session)
        return 0
    on_board = board_notes(session, debrief)
    withdrawn = _withdrawn(session, debrief, on_board)
    notes = [n for n in on_board if ("note", n.id) not in withdrawn]
    common = {
        "debrief_id": debrief.id,
        "programme_id": debrief.programme_id,
        "published_at": debrief.published_at,
    }
    # A note on the boards of two debriefs is in the library once, with the first published.
    elsewhere = set(
        session.scalars(
            select(LibraryDoc.note_id).where(LibraryDoc.note_id.in_([n.id for n in notes]))
        )
    )
    docs: list[LibraryDoc] = []
    facets_of_note: dict[int, set[tuple[str, str]]] = {}
    for note in notes:
        fields = redacted_fields(note)
        facets_of_note[note.id] = note_facets(note, fields, debrief.programme_id)
        if note.id in elsewhere:
            continue
        docs.append(
            _doc(
                DocKind.NOTE,
                facets_of_note[note.id],
                note_id=note.id,
                title=note_title(note, fields),
                body=note_body(fields),
                happened_on=_day(debrief, note.activity.starts_at),
                **common,
            )
        )
    docs += _finding_docs(session, debrief, withdrawn, facets_of_note, common)
    session.add_all(docs)
    bump_generation(session)
    return len(docs)


def _finding_docs(
    session: DbSession,
    debrief: Debrief,
    withdrawn: set[tuple[str, int]],
    facets_of_note: dict[int, set[tuple[str, str]]],
    common: dict[str, Any],
) -> list[LibraryDoc]:
    """Documents for the debrief's themes and insights, with the facets of the notes behind
    them (the cards placed in a theme, the evidence of an insight)."""
    behind: dict[tuple[str, Any], list[int]] = {}
    placed = session.execute(
        select(Placement.theme_id, Placement.note_id).where(
            Placement.debrief_id == debrief.id, Placement.theme_id.is_not(None)
        )
    )
    evidence = session.execute(
        select(insight_evidence.c.insight_id, insight_evidence.c.note_id).where(
            insight_evidence.c.insight_id.in_([i.id for i in debrief.insights])
        )
    )
    for kind, rows in (("theme", placed), ("insight", evidence)):
        for item_id, note_id in rows:
            behind.setdefault((kind, item_id), []).append(note_id)
    findings = [(DocKind.THEME, t.id, t.name, t.description) for t in debrief.themes]
    findings += [(DocKind.INSIGHT, i.id, i.statement, i.so_what) for i in debrief.insights]
    own = {("programme", str(debrief.programme_id))}
    held_on = _day(debrief, debrief.starts_at)
    docs = []
    for kind, item_id, title, body in findings:
        if (str(kind), item_id) in withdrawn:
            continue
        notes = behind.get((str(kind), item_id), [])
        facets = own.union(*(facets_of_note.get(n, set()) for n in notes))
        docs.append(
            _doc(
                kind,
                facets,
                **{f"{kind}_id": item_id},
                title=title,
                body=body,
                happened_on=held_on,
                **common,
            )
        )
    return docs


def _doc(kind: DocKind, facets: Iterable[tuple[str, str]], **values: Any) -> LibraryDoc:
    return LibraryDoc(kind=kind, facet_keys=facet_keys(facets), **values)


def reindex_all(session: DbSession, *, only_missing: bool = False) -> int:
    """Rebuild the library from every published debrief (after an upgrade, say), or only from
    those not in it yet."""
    published = select(Debrief).where(Debrief.status == DebriefStatus.PUBLISHED)
    if only_missing:
        published = published.where(~exists().where(LibraryDoc.debrief_id == Debrief.id))
    total = 0
    for debrief in session.scalars(published.order_by(Debrief.id)).all():
        total += index_debrief(session, debrief)
    return total


def item_column(kind: DocKind) -> Any:
    """The column of a document that names the insight, theme or note it holds."""
    return {
        DocKind.INSIGHT: LibraryDoc.insight_id,
        DocKind.THEME: LibraryDoc.theme_id,
        DocKind.NOTE: LibraryDoc.note_id,
    }[kind]


def drop_item(session: DbSession, kind: DocKind, item_id: int) -> None:
    """Take one item's document out of the library."""
    session.execute(delete(LibraryDoc).where(item_column(kind) == item_id))
    bump_generation(session)
