"""Relevance of the library's search: do the insights a person expects come in the top five?

The judged queries are in judged_queries.json: each names the statements of the insights a
person would expect among the first five results. "demo" queries are judged here against the
demo company's history; "bench" queries against the corpus of bench/library_bench.py, which
prints the same figures at size.

recall@5: of the expected insights the library holds (at most five count), the share among the
first five results. MRR: the mean over queries of 1 / the rank of the first expected insight on
the first page (0 when none is there). A result counts when its lead is an expected insight.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import DbSession
from app.demo import load_demo
from app.demo_history_data import PAST
from app.extensions import db
from app.insights import embeddings, meaning
from app.insights import search as search_module
from app.insights.models import DocKind, LibraryDoc
from app.insights.search import Filters

JUDGED = Path(__file__).with_name("judged_queries.json")
TOP = 5
PAGE = 20


@dataclass
class QueryScore:
    query: str
    recall: float
    reciprocal_rank: float
    top: list[str]  #: the first five leads' titles ("" for a lead that is not an insight)


@dataclass
class Score:
    recall: float  #: mean recall@5
    mrr: float
    queries: list[QueryScore]

    def __str__(self) -> str:
        return f"recall@5 {self.recall:.2f}, MRR {self.mrr:.2f} over {len(self.queries)} queries"


def load_judged() -> list[dict[str, Any]]:
    return json.loads(JUDGED.read_text(encoding="utf-8"))["queries"]  # type: ignore[no-any-return]


def judge(session: DbSession, judged: list[dict[str, Any]]) -> Score:
    """recall@5 and MRR of search() over the judged queries, on the library in the database."""
    scores = []
    for item in judged:
        expected = set(item["expected"])
        held = session.scalar(
            select(func.count())
            .select_from(LibraryDoc)
            .where(LibraryDoc.kind == DocKind.INSIGHT, LibraryDoc.title.in_(expected))
        )
        assert held, f"the library holds none of the insights expected for {item['query']!r}"
        # Worked out, not kept: what is kept does not know whether meaning was on.
        result = search_module._search(session, Filters(q=item["query"]), page_size=PAGE)
        leads = [
            g.lead.doc.title if g.lead.doc.kind == DocKind.INSIGHT else "" for g in result.groups
        ]
        hits = sum(title in expected for title in leads[:TOP])
        rank = next((n for n, title in enumerate(leads, 1) if title in expected), None)
        scores.append(
            QueryScore(item["query"], hits / min(TOP, held), 1 / rank if rank else 0.0, leads[:TOP])
        )
    return Score(
        recall=sum(s.recall for s in scores) / len(scores),
        mrr=sum(s.reciprocal_rank for s in scores) / len(scores),
        queries=scores,
    )


def demo_queries() -> list[dict[str, Any]]:
    return [q for q in load_judged() if q["corpus"] == "demo"]


def test_judged_queries_are_thirty_with_demo_ones_naming_demo_insights():
    judged = load_judged()
    assert len(judged) == 30
    assert {q["corpus"] for q in judged} == {"bench", "demo"}
    assert all(q["query"].strip() and q["expected"] for q in judged)
    demo_statements = {i.statement for past in PAST for i in past.insights}
    assert len(demo_queries()) >= 8
    for query in demo_queries():
        assert set(query["expected"]) <= demo_statements, query["query"]


@pytest.fixture
def demo_library() -> None:
    load_demo()
    db.session.commit()
    if embeddings.available():
        meaning.embed_missing(db.session)  # none left when publishing made them inline
        db.session.commit()


def test_demo_judged_queries_find_the_expected_insights_in_the_top_five(
    demo_library: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:
        m.setattr(meaning, "current", lambda session: None)
        words = judge(db.session, demo_queries())
    print(f"\ndemo judged queries, full text alone: {words}")
    assert words.recall >= 0.8, [(q.query, q.top) for q in words.queries if q.recall < 1]
    if not embeddings.available():
        return  # the library runs on full text alone without the model
    both = judge(db.session, demo_queries())
    print(f"demo judged queries, full text and meaning: {both}")
    # Meaning is there to find what the words miss, not to push right answers out.
    assert both.recall >= words.recall, [(q.query, q.top) for q in both.queries if q.recall < 1]
