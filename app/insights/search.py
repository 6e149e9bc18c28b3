"""Searching the library: words and meaning, facets that narrow as you pick, insights first.

One `search()` for pages, API and exports. Full text does the finding (FTS5 or PostgreSQL, see
`fulltext.py`); when the embedding model is present, meaning adds what the words miss and the
two rankings are fused (reciprocal rank fusion). Hits on notes are shown under the insight they
are evidence of, so an insight comes first with its evidence beneath it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Select, case, exists, func, select

from app.db import DbSession
from app.debriefs.models import insight_evidence
from app.errors import DomainError
from app.insights import meaning
from app.insights.fulltext import MARK_END, MARK_START, backend
from app.insights.models import FACETS, DocKind, LibraryDoc, LibraryFacet
from app.insights.query import Query, check_query, parse
from app.programmes.models import KIND_LABELS, ActivityKind, Programme
from app.text import text_problem

PAGE_SIZE = 20
#: How many of the best matches are grouped and paged; beyond them, narrow with facets.
MAX_HITS = 400
MAX_PAGE = MAX_HITS // PAGE_SIZE
EVIDENCE_SHOWN = 3
FACET_VALUES_SHOWN = 12
#: Reciprocal rank fusion's damping constant (the value from Cormack et al., 2009).
RRF_K = 60
#: An insight is what people come for; a theme's short name matches easily and says little.
KIND_WEIGHT = case(
    (LibraryDoc.kind == DocKind.INSIGHT, 1.5), (LibraryDoc.kind == DocKind.THEME, 0.6), else_=1.0
)
FACET_LABELS = {
    "programme": "Programme",
    "kind": "Activity",
    "channel": "Channel",
    "tag": "Tag",
    "department": "Department",
    "customer": "Customer",
}


@dataclass
class Filters:
    q: str = ""
    picked: dict[str, str] = field(default_factory=dict)  #: facet -> value
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1

    def args(self, **changes: Any) -> dict[str, Any]:
        """These filters as URL query arguments, with some changed (None drops one)."""
        out: dict[str, Any] = {"q": self.q or None, **self.picked}
        out["from"] = self.date_from.isoformat() if self.date_from else None
        out["to"] = self.date_to.isoformat() if self.date_to else None
        out["page"] = self.page if self.page > 1 else None
        out.update(changes)
        return {k: v for k, v in out.items() if v not in (None, "")}


@dataclass
class Hit:
    doc: LibraryDoc
    snippet: Markup | None = None
    programme: str = ""


@dataclass
class Group:
    lead: Hit
    evidence: list[Hit] = field(default_factory=list)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    picked: bool


@dataclass
class SearchResult:
    filters: Filters
    groups: list[Group]
    total: int  #: results (an insight with its evidence counts once), over all pages
    documents: int  #: insights, themes and notes that matched
    pages: int
    facets: dict[str, list[FacetValue]]
    meaning_used: bool
    some_words: bool = False  #: nothing had every word, so these have some of them


def _date(raw: Any, name: str) -> date | None:
    if raw in (None, ""):
        return None
    try:
        value = date.fromisoformat(str(raw))
    except ValueError:
        raise DomainError(f"{name} must be a date like 2026-03-31.", field=name) from None
    if not 2000 <= value.year <= 2100:
        raise DomainError(f"{name} must be between the years 2000 and 2100.", field=name)
    return value


def read_filters(args: Mapping[str, Any]) -> Filters:
    """Filters from URL query arguments; a DomainError names what is wrong."""
    picked: dict[str, str] = {}
    for name in FACETS:
        value = args.get(name)
        if value in (None, ""):
            continue
        if len(value) > 120 or text_problem(value):
            raise DomainError(f"That {FACET_LABELS[name].lower()} cannot be searched.", field=name)
        picked[name] = value
    page = args.get("page") or "1"
    if not str(page).isdecimal() or not 1 <= int(page) <= MAX_PAGE:
        raise DomainError(f"The page must be a number from 1 to {MAX_PAGE}.", field="page")
    filters = Filters(
        q=check_query(args.get("q")),
        picked=picked,
        date_from=_date(args.get("from"), "from"),
        date_to=_date(args.get("to"), "to"),
        page=int(page),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise DomainError("The start of the date range is after its end.", field="from")
    return filters


def _conditions(filters: Filters, *, per_row: bool = False) -> list[ColumnElement[bool]]:
    """The filters as conditions on LibraryDoc. `per_row` checks each row's facets by key
    (EXISTS), which is faster where few rows are tested than building each facet's id set."""

    def has(name: str, value: str) -> ColumnElement[bool]:
        picked = (LibraryFacet.facet == name, LibraryFacet.value == value)
        if per_row:
            return exists().where(LibraryFacet.doc_id == LibraryDoc.id, *picked)
        return LibraryDoc.id.in_(select(LibraryFacet.doc_id).where(*picked))

    conds = [has(name, v) for name, v in filters.picked.items()]
    if filters.date_from:
        conds.append(LibraryDoc.happened_on >= filters.date_from)
    if filters.date_to:
        conds.append(LibraryDoc.happened_on <= filters.date_to)
    return conds


def _matching(
    session: DbSession, query: Query, conds: list[ColumnElement[bool]]
) -> Select[Any, Any]:
    """Matching documents' ids and scores, best first."""
    if query.empty:  # no words: the newest insights
        return (
            select(LibraryDoc.id.label("doc_id"), LibraryDoc.id.label("score"))
            .where(LibraryDoc.kind == DocKind.INSIGHT, *conds)
            .order_by(LibraryDoc.published_at.desc(), LibraryDoc.id.desc())
        )
    found = backend(session).matching(query).subquery("found")
    score = (found.c.score * KIND_WEIGHT).label("score")
    return (
        select(found.c.doc_id, score)
        .join(LibraryDoc, LibraryDoc.id == found.c.doc_id)
        .where(*conds)
        .order_by(score.desc(), found.c.doc_id.desc())
    )


def search(session: DbSession, filters: Filters, *, page_size: int = PAGE_SIZE) -> SearchResult:
    """One page of results with facet counts, for any signed-in reader."""
    query = parse(filters.q)
    if query.empty and query.excluded:
        raise DomainError("Add a word to look for besides the ones to leave out.", field="q")
    conds = _conditions(filters)
    # Every match once, best first: the page, the count and the facets all come from it.
    matches = session.execute(_matching(session, query, conds)).all()
    some_words = False
    if not matches and len(query.groups) > 1:  # nothing has every word: any of them will do
        query, some_words = query.any_word(), True
        matches = session.execute(_matching(session, query, conds)).all()
    ranked = [(r.doc_id, float(r.score)) for r in matches[:MAX_HITS]]
    extra: list[int] = []
    by_meaning = not query.empty and meaning.ready(session)
    if by_meaning:
        ranked, extra = _with_meaning(session, query, conds, ranked)
    matched = [r.doc_id for r in matches] + extra
    groups = _group(session, ranked, _leads(session, query, _conditions(filters, per_row=True)))
    pages = max(1, -(-len(groups) // page_size))
    shown = groups[(filters.page - 1) * page_size : filters.page * page_size]
    _fill(session, query, shown)
    return SearchResult(
        filters=filters,
        groups=shown,
        total=len(groups),
        documents=len(matched),
        pages=pages,
        facets=_facets(session, filters, matched),
        meaning_used=by_meaning,
        some_words=some_words,
    )


def _with_meaning(
    session: DbSession,
    query: Query,
    conds: list[ColumnElement[bool]],
    ranked: list[tuple[int, float]],
) -> tuple[list[tuple[int, float]], list[int]]:
    """Fuse the word ranking with the meaning ranking; also return the ids only meaning found."""
    allowed = None
    if conds:
        allowed = set(session.scalars(select(LibraryDoc.id).where(*conds)))
    near = meaning.nearest_docs(session, query.plain_text, allowed=allowed)
    if query.excluded and near:
        leave_out = set(
            session.scalars(
                select(LibraryDoc.id).where(
                    LibraryDoc.id.in_([d for d, _ in near]),
                    LibraryDoc.id.in_(
                        select(
                            backend(session)
                            .matching(Query(groups=[query.excluded]))
                            .subquery()
                            .c.doc_id
                        )
                    ),
                )
            )
        )
        near = [(d, s) for d, s in near if d not in leave_out]
    fused: dict[int, float] = {}
    for ranking in (ranked, near):
        for rank, (doc_id, _score) in enumerate(ranking):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (RRF_K + rank)
    by_words = {d for d, _ in ranked}
    extra = [d for d, _ in near if d not in by_words]
    return sorted(fused.items(), key=lambda item: (-item[1], -item[0])), extra


def _leads(
    session: DbSession, query: Query, conds: list[ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    """What an insight must meet to head its matching evidence: the filters, and none of the
    words left out."""
    if not query.excluded:
        return conds
    leave_out = backend(session).matching(Query(groups=[query.excluded])).subquery()
    return [*conds, LibraryDoc.id.not_in(select(leave_out.c.doc_id))]


def _group(
    session: DbSession, ranked: list[tuple[int, float]], leads: list[ColumnElement[bool]]
) -> list[Group]:
    """Insights first, each with its matching evidence; themes and other notes on their own."""
    if not ranked:
        return []
    ids = [d for d, _ in ranked]
    docs = {d.id: d for d in session.scalars(select(LibraryDoc).where(LibraryDoc.id.in_(ids)))}
    note_ids = [d.note_id for d in docs.values() if d.note_id is not None]
    backs: dict[int, list[int]] = {}
    if note_ids:
        rows = session.execute(
            select(insight_evidence.c.note_id, LibraryDoc.id)
            .join(LibraryDoc, LibraryDoc.insight_id == insight_evidence.c.insight_id)
            .where(insight_evidence.c.note_id.in_(note_ids), *leads)
            .order_by(LibraryDoc.id)
        )
        for note_id, insight_doc in rows:
            backs.setdefault(note_id, []).append(insight_doc)
    missing = {o for owners in backs.values() for o in owners} - set(docs)
    if missing:  # insights whose evidence matched though they did not: one query for all
        docs |= {
            d.id: d for d in session.scalars(select(LibraryDoc).where(LibraryDoc.id.in_(missing)))
        }
    groups: dict[int, Group] = {}
    for doc_id in ids:
        doc = docs.get(doc_id)
        if doc is None:
            continue
        owners = backs.get(doc.note_id or 0, [])
        if not owners:
            groups.setdefault(doc.id, Group(lead=Hit(doc)))
            continue
        owner = next((o for o in owners if o in groups), owners[0])
        group = groups.setdefault(owner, Group(lead=Hit(docs[owner])))
        if len(group.evidence) < EVIDENCE_SHOWN:
            group.evidence.append(Hit(doc))
    return list(groups.values())


def _fill(session: DbSession, query: Query, groups: list[Group]) -> None:
    """Snippets with the matching words marked, and programme names, for the page shown."""
    hits = [h for g in groups for h in (g.lead, *g.evidence)]
    snippets = backend(session).snippets(session, query, [h.doc.id for h in hits])
    titles = dict(
        session.execute(
            select(Programme.id, Programme.title).where(
                Programme.id.in_({h.doc.programme_id for h in hits})
            )
        ).all()
    )
    for hit in hits:
        hit.programme = titles.get(hit.doc.programme_id, "")
        if hit.doc.id in snippets:
            hit.snippet = marked(snippets[hit.doc.id])


def marked(snippet: str) -> Markup:
    """Escape a snippet, then turn the match marks into <mark> elements."""
    safe = str(escape(snippet))
    return Markup(safe.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S704


def _facets(
    session: DbSession, filters: Filters, matched: list[int]
) -> dict[str, list[FacetValue]]:
    """Counts of each facet's values among the matches, most common first."""
    rows = (
        session.execute(
            select(LibraryFacet.facet, LibraryFacet.value, func.count())
            .where(LibraryFacet.doc_id.in_(backend(session).id_list(matched)))
            .group_by(LibraryFacet.facet, LibraryFacet.value)
        ).all()
        if matched
        else []
    )
    counts: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
    for name, value, count in rows:
        counts[name].append((value, count))
    labels = _programme_labels(session, [v for v, _ in counts["programme"]])
    out: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        best = sorted(counts[name], key=lambda vc: (-vc[1], vc[0]))[:FACET_VALUES_SHOWN]
        picked = filters.picked.get(name)
        if picked and picked not in {v for v, _ in best}:
            best.append((picked, 0))
        out[name] = [FacetValue(v, _label(name, v, labels), c, v == picked) for v, c in best]
    return out


def _programme_labels(session: DbSession, ids: list[str]) -> dict[str, str]:
    wanted = [int(i) for i in ids if i.isdecimal() and len(i) < 10]
    rows = session.execute(select(Programme.id, Programme.title).where(Programme.id.in_(wanted)))
    return {str(pid): title for pid, title in rows}


def _label(name: str, value: str, programmes: dict[str, str]) -> str:
    if name == "programme":
        return programmes.get(value, "Unknown programme")
    if name == "kind" and value in ActivityKind.__members__.values():
        return KIND_LABELS[ActivityKind(value)]
    return value
