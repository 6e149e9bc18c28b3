"""A library search's result as CSV, or as a REFI-QDA project to continue in a QDA tool."""

from __future__ import annotations

from dataclasses import replace

from flask import url_for
from sqlalchemy import select

from app.db import DbSession, utcnow
from app.debriefs.models import Insight, Placement, Theme, insight_evidence
from app.insights.exports import QdaCode, QdaProject, QdaSelection, QdaSource, to_csv, to_qdpx
from app.insights.models import DocKind, LibraryDoc
from app.insights.search import MAX_HITS, Filters, search

CSV_HEADER = ["kind", "text", "so what, or the note", "programme", "date", "link"]


def _result_docs(session: DbSession, filters: Filters) -> list[tuple[LibraryDoc, str]]:
    """Every document of the result (not one page), with its programme, in result order."""
    result = search(session, replace(filters, page=1), page_size=MAX_HITS)
    return [
        (hit.doc, hit.programme) for group in result.groups for hit in (group.lead, *group.evidence)
    ]


def result_csv(session: DbSession, filters: Filters) -> str:
    rows: list[list[object]] = []
    docs = _result_docs(session, filters)
    for doc, programme in docs:
        link = (
            url_for("insights.show", insight_id=doc.insight_id, _external=True)
            if doc.kind == DocKind.INSIGHT
            else url_for("debriefs.show", debrief_id=doc.debrief_id, _external=True)
        )
        rows.append(
            [str(doc.kind), doc.title, doc.body, programme, doc.happened_on.isoformat(), link]
        )
    return to_csv(CSV_HEADER, rows)


def result_qdpx(session: DbSession, filters: Filters, *, user_name: str) -> bytes:
    """Notes as sources, themes as codes with their insights inside, evidence as codings."""
    docs = [doc for doc, _ in _result_docs(session, filters)]
    insight_ids = [d.insight_id for d in docs if d.insight_id]
    evidence = session.execute(
        select(insight_evidence.c.insight_id, insight_evidence.c.note_id).where(
            insight_evidence.c.insight_id.in_(insight_ids)
        )
    ).all()
    note_ids = {d.note_id for d in docs if d.note_id} | {n for _, n in evidence}
    notes = {
        d.note_id: d
        for d in session.scalars(select(LibraryDoc).where(LibraryDoc.note_id.in_(note_ids)))
    }
    debriefs = {d.debrief_id for d in docs} | {d.debrief_id for d in notes.values()}
    themes = list(
        session.scalars(
            select(Theme).where(
                Theme.debrief_id.in_(debriefs), Theme.id.in_(select(LibraryDoc.theme_id))
            )
        )
    )
    insights = list(session.scalars(select(Insight).where(Insight.id.in_(insight_ids))))
    placements = session.execute(
        select(Placement.note_id, Placement.theme_id)
        .join(LibraryDoc, LibraryDoc.note_id == Placement.note_id)
        .where(
            Placement.note_id.in_(notes),
            Placement.theme_id.is_not(None),
            Placement.debrief_id == LibraryDoc.debrief_id,  # the board it is in the library from
        )
    ).all()
    sources = [
        QdaSource(
            f"note-{nid}", f"{doc.title} ({doc.happened_on.isoformat()})", doc.body or doc.title
        )
        for nid, doc in notes.items()
    ]
    codes = [QdaCode(f"theme-{t.id}", t.name, t.description) for t in themes]
    codes += [
        QdaCode(
            f"insight-{i.id}",
            i.statement,
            i.so_what,
            parent_key=f"theme-{i.theme_id}" if i.theme_id in {t.id for t in themes} else None,
        )
        for i in insights
    ]
    lengths = {f"note-{nid}": len(doc.body or doc.title) for nid, doc in notes.items()}
    pairs = [(f"note-{n}", f"insight-{i}") for i, n in evidence if n in notes]
    kept = {t.id for t in themes}
    pairs += [(f"note-{n}", f"theme-{t}") for n, t in placements if t in kept]
    selections = [QdaSelection(s, c, 0, lengths[s]) for s, c in pairs if lengths[s]]
    project = QdaProject(
        name="Listening Post library export",
        origin="Listening Post",
        user_name=user_name,
        created=utcnow(),
        sources=sources,
        codes=codes,
        selections=selections,
    )
    return to_qdpx(project)
