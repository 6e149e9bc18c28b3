"""Searching the library: words and meaning, facets that narrow as you pick, insights first.

One `search()` for pages, API and exports. Full text does the finding (FTS5 or PostgreSQL, see
`fulltext.py`); when the embedding model is present, meaning adds what the words miss and the
two rankings are fused (reciprocal rank fusion). Hits on notes are shown under the insight they
are evidence of, so an insight comes first with its evidence beneath it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Select, case, literal, select

from app.db import DbSession
from app.debriefs.models import insight_evidence
from app.errors import DomainError
from app.insights import meaning
from app.insights.fulltext import MARK_END, MARK_START, backend
from app.insights.index import generation
from app.insights.models import FACETS, DocKind, LibraryDoc, facet_key, facet_of_key
from app.insights.query import Query, check_query, parse
from app.kept import Kept, kept
from app.programmes.models import KIND_LABELS, ActivityKind, Programme
from app.text import text_problem

PAGE_SIZE = 20
#: How many of the best matches are grouped, paged and have their facets counted; beyond
#: them, narrow with facets (counting tens of thousands of matches would make every broad
#: search slow).
MAX_HITS = 400
#: How many of the nearest in meaning are checked against the words a query leaves out.
NEAREST_FILTERED = 200
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
    #: Insights, themes and notes in the results, up to MAX_HITS (and those only meaning found)
    documents: int
    pages: int
    facets: dict[str, list[FacetValue]]
    #: More than MAX_HITS matched: the results and their facet counts are of the best ones.
    more: bool
    meaning_used: bool
    some_words: bool = False  #: nothing had every word, so these have some of them


DATE_LABELS = {"from": "The start date", "to": "The end date"}


def _date(raw: Any, name: str) -> date | None:
    if raw in (None, ""):
        return None
    try:
        value = date.fromisoformat(str(raw))
    except ValueError:
        message = f"{DATE_LABELS[name]} must be a date like 2026-03-31."
        raise DomainError(message, field=name) from None
    if not 2000 <= value.year <= 2100:
        message = f"{DATE_LABELS[name]} must be between the years 2000 and 2100."
        raise DomainError(message, field=name)
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
        raise DomainError("The start date is after the end date.", field="from")
    return filters


def _dates(filters: Filters) -> list[ColumnElement[bool]]:
    conds = []
    if filters.date_from:
        conds.append(LibraryDoc.happened_on >= filters.date_from)
    if filters.date_to:
        conds.append(LibraryDoc.happened_on <= filters.date_to)
    return conds


def _keys(filters: Filters) -> list[str]:
    return [facet_key(name, value) for name, value in filters.picked.items()]


def _matching(session: DbSession, query: Query, filters: Filters) -> Select[Any, Any, Any, Any]:
    """Matching documents' ids, scores, facet keys and notes, best first."""
    keys, dates = _keys(filters), _dates(filters)
    columns = (LibraryDoc.id.label("doc_id"), LibraryDoc.facet_keys, LibraryDoc.note_id)
    if query.empty:  # no words: the newest insights
        found = backend(session).matching(query, keys) if keys else select(LibraryDoc.id)
        return (
            found.with_only_columns(*columns, literal(0.0).label("score"))
            .where(LibraryDoc.kind == DocKind.INSIGHT, *dates)
            .order_by(LibraryDoc.published_at.desc(), LibraryDoc.id.desc())
        )
    found = backend(session).matching(query, keys)
    score = (found.selected_columns.score * KIND_WEIGHT).label("score")
    return (
        found.with_only_columns(*columns, score)
        .where(*dates)
        .order_by(score.desc(), LibraryDoc.id.desc())
    )


def _best(session: DbSession, query: Query, filters: Filters) -> tuple[Sequence[Any], bool]:
    """The best matches, as many as are grouped and counted, and whether there are more.
    (Counting every match costs as much again as finding the best: PostgreSQL reads each
    matching row from the table.)"""
    best = session.execute(_matching(session, query, filters).limit(MAX_HITS + 1)).all()
    return best[:MAX_HITS], len(best) > MAX_HITS


# Results by what the library holds (its generation: a publish, a withdrawal, new vectors, any
# document leaving and a programme renamed move it) and the search: the library is the same for
# every reader, and so are its results.
_results = Kept(256)


def search(session: DbSession, filters: Filters, *, page_size: int = PAGE_SIZE) -> SearchResult:
    """One page of results with facet counts, for any signed-in reader; kept until the library
    changes."""
    picked = tuple(sorted(filters.picked.items()))
    searched = (filters.q, picked, filters.date_from, filters.date_to, filters.page, page_size)
    return kept(
        session,
        _results,
        (generation(session), *searched),
        lambda: _detached(_search(session, filters, page_size=page_size)),
    )


def _detached(result: SearchResult) -> SearchResult:
    for group in result.groups:
        for hit in (group.lead, *group.evidence):
            hit.doc = hit.doc.detached()
    return result


def _search(session: DbSession, filters: Filters, *, page_size: int) -> SearchResult:
    query = parse(filters.q)
    if query.empty and query.excluded:
        raise DomainError("Add a word to look for besides the ones to leave out.", field="q")
    # Meaning's query vector is made while the database finds the words.
    vectors = meaning.current(session) if not query.empty else None
    encoding = meaning.start_encoding(query.plain_text) if vectors else None
    best, more = _best(session, query, filters)
    some_words = False
    if not best and len(query.groups) > 1:  # nothing has every word: any of them will do
        query, some_words = query.any_word(), True
        best, more = _best(session, query, filters)
    ranked = [(r.doc_id, float(r.score)) for r in best]
    note_of = {r.doc_id: r.note_id for r in best}
    keys_of = {r.doc_id: r.facet_keys for r in best}
    if vectors and encoding:
        ranked = _with_meaning(session, query, filters, ranked, note_of, keys_of, vectors, encoding)
    groups = _group(session, query, filters, ranked, note_of)
    shown = _page(session, query, groups[(filters.page - 1) * page_size : filters.page * page_size])
    counts = _facet_counts(groups, keys_of)
    hits = [h for g in shown for h in (g.lead, *g.evidence)]
    # One lookup of programme names, for the facet and for the results shown.
    titles = _programme_labels(
        session, [v for v, _ in counts["programme"]] + [str(h.doc.programme_id) for h in hits]
    )
    for hit in hits:
        hit.programme = titles.get(str(hit.doc.programme_id), "")
    return SearchResult(
        filters=filters,
        groups=shown,
        total=len(groups),
        documents=len(ranked),
        more=more,
        pages=max(1, -(-len(groups) // page_size)),
        facets=_facets(filters, counts, titles),
        meaning_used=vectors is not None,
        some_words=some_words,
    )


def _with_meaning(
    session: DbSession,
    query: Query,
    filters: Filters,
    ranked: list[tuple[int, float]],
    note_of: dict[int, int | None],
    keys_of: dict[int, str],
    vectors: meaning.Loaded,
    encoding: Future[Any],
) -> list[tuple[int, float]]:
    """Fuse the word ranking with the meaning ranking, adding the notes and facet keys of the
    documents only meaning found to note_of and keys_of. Meaning looks only among the
    documents with the facets and dates picked (the vectors in memory know them)."""
    near = meaning.nearest_docs(
        vectors,
        query.plain_text,
        k=NEAREST_FILTERED if query.excluded else meaning.NEAREST,
        keys=_keys(filters),
        first=filters.date_from,
        last=filters.date_to,
        encoding=encoding,
    )
    if not near:
        return ranked
    # Still there? A person's deletion takes their notes out of the library without a new
    # generation, so the vectors in memory may still have them.
    present = dict(
        session.execute(
            select(LibraryDoc.id, LibraryDoc.note_id).where(
                backend(session).among(LibraryDoc.id, [n.doc_id for n in near])
            )
        ).all()
    )
    barred = _with_words_left_out(session, query, list(present))
    near = [n for n in near if n.doc_id in present and n.doc_id not in barred][: meaning.NEAREST]
    note_of.update((n.doc_id, present[n.doc_id]) for n in near)
    keys_of.update((n.doc_id, n.facet_keys) for n in near)
    fused: dict[int, float] = {}
    for ranking in (ranked, [(n.doc_id, n.score) for n in near]):
        for rank, (doc_id, _score) in enumerate(ranking):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], -item[0]))


def _with_words_left_out(session: DbSession, query: Query, doc_ids: Collection[int]) -> set[int]:
    """Those of the documents that have a word the query leaves out."""
    if not query.excluded:
        return set()
    left_out = Query(groups=[query.excluded])
    return backend(session).which_match(session, left_out, sorted(doc_ids))


def _group(
    session: DbSession,
    query: Query,
    filters: Filters,
    ranked: list[tuple[int, float]],
    note_of: dict[int, int | None],
) -> list[tuple[int, list[int]]]:
    """Insights first, each with its matching evidence; themes and other notes on their own.
    A note evidence of several insights goes under the one shown first, or else the first
    indexed. Ids only: just the page shown is loaded whole, with some of the evidence."""
    if not ranked:
        return []
    ids = [d for d, _ in ranked]
    owners_of = _owners(session, query, filters, {n for d in ids if (n := note_of.get(d))})
    groups: dict[int, list[int]] = {}
    for doc_id in ids:
        owners = owners_of.get(note_of.get(doc_id) or 0, [])
        if not owners:
            groups.setdefault(doc_id, [])
            continue
        groups.setdefault(next((o for o in owners if o in groups), owners[0]), []).append(doc_id)
    return list(groups.items())


def _owners(
    session: DbSession, query: Query, filters: Filters, notes: set[int]
) -> dict[int, list[int]]:
    """The documents of the insights each note is evidence of, in order, that may head it:
    within the dates and with none of the words left out (an insight has the facets of all
    its evidence, so the facets picked hold)."""
    if not notes:
        return {}
    among = backend(session).among
    # Two lookups by index: as one join, PostgreSQL may scan every insight to merge them.
    links = session.execute(
        select(insight_evidence.c.note_id, insight_evidence.c.insight_id).where(
            among(insight_evidence.c.note_id, sorted(notes))
        )
    ).all()
    if not links:
        return {}
    doc_of = {
        insight_id: doc_id
        for doc_id, insight_id in session.execute(
            select(LibraryDoc.id, LibraryDoc.insight_id).where(
                among(LibraryDoc.insight_id, sorted({i for _, i in links})), *_dates(filters)
            )
        )
    }
    barred = _with_words_left_out(session, query, set(doc_of.values()))
    owners_of: dict[int, list[int]] = {}
    for note_id, insight_id in sorted(links, key=lambda link: doc_of.get(link[1], 0)):
        if (doc_id := doc_of.get(insight_id)) is not None and doc_id not in barred:
            owners_of.setdefault(note_id, []).append(doc_id)
    return owners_of


def _page(session: DbSession, query: Query, page: list[tuple[int, list[int]]]) -> list[Group]:
    """The groups shown, loaded whole, with snippets of the matching words marked."""
    page = [(lead, evidence[:EVIDENCE_SHOWN]) for lead, evidence in page]
    wanted = sorted({d for lead, evidence in page for d in (lead, *evidence)})
    hits = {
        doc.id: Hit(doc, marked(snippet) if snippet is not None else None)
        for doc, snippet in backend(session).with_snippets(session, query, wanted)
    }
    return [
        Group(lead=hits[lead], evidence=[hits[d] for d in evidence if d in hits])
        for lead, evidence in page
        if lead in hits
    ]


def marked(snippet: str) -> Markup:
    """Escape a snippet, then turn the match marks into <mark> elements."""
    safe = str(escape(snippet))
    return Markup(safe.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S704


def _facet_counts(
    groups: list[tuple[int, list[int]]], keys_of: dict[int, str]
) -> dict[str, list[tuple[str, int]]]:
    """How many results have each facet value, so that picking one shows about that many: a
    result has the values of its documents that matched (an insight heading its matching
    evidence, not matching itself, adds none of its own)."""
    keys: Counter[str] = Counter()
    for lead, evidence in groups:
        keys.update({k for d in (lead, *evidence) if d in keys_of for k in keys_of[d].split()})
    counts: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
    for key, count in keys.items():
        name, value = facet_of_key(key)
        if name in counts:
            counts[name].append((value, count))
    return counts


def _facets(
    filters: Filters, counts: dict[str, list[tuple[str, int]]], programmes: dict[str, str]
) -> dict[str, list[FacetValue]]:
    """Each facet's most common values among the matches, and the one picked."""
    out: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        best = sorted(counts[name], key=lambda vc: (-vc[1], vc[0]))[:FACET_VALUES_SHOWN]
        picked = filters.picked.get(name)
        if picked and picked not in {v for v, _ in best}:
            best.append((picked, 0))
        out[name] = [FacetValue(v, _label(name, v, programmes), c, v == picked) for v, c in best]
    return out


def _programme_labels(session: DbSession, ids: list[str]) -> dict[str, str]:
    wanted = sorted({int(i) for i in ids if i.isdecimal() and len(i) < 10})
    rows = session.execute(
        select(Programme.id, Programme.title).where(backend(session).among(Programme.id, wanted))
    )
    return {str(pid): title for pid, title in rows}


def _label(name: str, value: str, programmes: dict[str, str]) -> str:
    if name == "programme":
        return programmes.get(value, "Unknown programme")
    if name == "kind" and value in ActivityKind.__members__.values():
        return KIND_LABELS[ActivityKind(value)]
    return value
