"""Full-text search over the library's documents: SQLite FTS5 or PostgreSQL's tsvector.

Both index a document's title (weighted higher) and body with English stemming and accents
folded, rank by relevance (bm25 / ts_rank_cd) and mark the matching words in a snippet. They
index the document's facet keys as words too, so that a search with facets picked is one
intersection inside the index instead of a join over every match. Everything else about a
search (facet counts, grouping, paging) is shared SQL in `search.py`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    DDL,
    BigInteger,
    ColumnElement,
    Select,
    any_,
    column,
    event,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from app.db import DbSession
from app.insights.models import LibraryDoc
from app.insights.query import Query

#: Marks around matched words in snippets: the text is escaped first, then these become <mark>.
MARK_START, MARK_END = "\x02", "\x03"
#: PostgreSQL's generated column, made by hand below, so not in the model.
SEARCH_VECTOR: ColumnElement[Any] = literal_column("library_docs.search_vector")
# Some documents by rowid: the unary + keeps SQLite from handing the list to FTS5, which would
# run the whole MATCH again for each rowid (10-30 ms for 40 documents instead of 1-4).
SQLITE_MATCHING_AMONG = (
    "SELECT rowid FROM library_fts WHERE library_fts MATCH :fts "
    "AND +rowid IN (SELECT value FROM json_each(:ids))"
)
SQLITE_SNIPPETS = (
    "SELECT rowid, snippet(library_fts, -1, :a, :b, '…', 24) FROM library_fts "
    "WHERE library_fts MATCH :fts AND +rowid IN (SELECT value FROM json_each(:ids))"
)

POSTGRES_HEADLINE = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2, "
    "FragmentDelimiter=' … '"
)

SQLITE_CREATE = [
    # External content: the words live in library_docs; FTS5 keeps only its index.
    "CREATE VIRTUAL TABLE library_fts USING fts5(title, body, facet_keys, "
    "content='library_docs', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER library_docs_ai AFTER INSERT ON library_docs BEGIN "
    "INSERT INTO library_fts(rowid, title, body, facet_keys) "
    "VALUES (new.id, new.title, new.body, new.facet_keys); END",
    "CREATE TRIGGER library_docs_ad AFTER DELETE ON library_docs BEGIN "
    "INSERT INTO library_fts(library_fts, rowid, title, body, facet_keys) "
    "VALUES ('delete', old.id, old.title, old.body, old.facet_keys); END",
    "CREATE TRIGGER library_docs_au AFTER UPDATE ON library_docs BEGIN "
    "INSERT INTO library_fts(library_fts, rowid, title, body, facet_keys) "
    "VALUES ('delete', old.id, old.title, old.body, old.facet_keys); "
    "INSERT INTO library_fts(rowid, title, body, facet_keys) "
    "VALUES (new.id, new.title, new.body, new.facet_keys); END",
]
# Whatever takes documents out of the library, a cascade from a person or a programme deleted
# included, moves its generation: what is kept by the generation (vectors, results) is then
# made afresh.
SQLITE_GONE = [
    "CREATE TRIGGER library_docs_gone AFTER DELETE ON library_docs BEGIN "
    "UPDATE library_state SET generation = generation + 1 WHERE id = 1; END",
]
POSTGRES_GONE = [
    "CREATE FUNCTION library_docs_gone() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE library_state SET generation = generation + 1 WHERE id = 1; RETURN NULL; END $$",
    "CREATE TRIGGER library_docs_gone AFTER DELETE ON library_docs "
    "FOR EACH STATEMENT EXECUTE FUNCTION library_docs_gone()",
]
SQLITE_CREATE += SQLITE_GONE
SQLITE_DROP = ["DROP TABLE IF EXISTS library_fts"]
POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # A configuration of our own so that accents fold inside an immutable generated column.
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS lp_english",
    "CREATE TEXT SEARCH CONFIGURATION lp_english (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION lp_english ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, english_stem",
    # Facet keys go in unstemmed ('simple'): one GIN index then finds words and facets at once.
    "ALTER TABLE library_docs ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('lp_english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('lp_english'::regconfig, body), 'B') || "
    "to_tsvector('simple'::regconfig, facet_keys)) STORED",
    "CREATE INDEX ix_library_docs_search_vector ON library_docs USING gin (search_vector)",
]
POSTGRES_CREATE += POSTGRES_GONE
POSTGRES_DROP = [
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS lp_english",
    "DROP FUNCTION IF EXISTS library_docs_gone()",
]
NOT_IN_MODELS = {"search_vector", "ix_library_docs_search_vector"}


def in_models(_obj: Any, name: str | None, type_: str, *_args: Any) -> bool:
    """Alembic's include_object: the full-text index is made by hand, so it is not drift."""
    fts_table = type_ == "table" and (name or "").startswith("library_fts")
    return not (fts_table or name in NOT_IN_MODELS)


def _run(statements: list[str], dialect: str) -> Any:
    def listener(_target: Any, connection: Connection, **_kw: Any) -> None:
        if connection.dialect.name == dialect:
            for statement in statements:
                connection.execute(DDL(statement))

    return listener


# The index is made and dropped with its table, by create_all() as by the migration.
event.listen(LibraryDoc.__table__, "after_create", _run(SQLITE_CREATE, "sqlite"))
event.listen(LibraryDoc.__table__, "after_create", _run(POSTGRES_CREATE, "postgresql"))
event.listen(LibraryDoc.__table__, "before_drop", _run(SQLITE_DROP, "sqlite"))
event.listen(LibraryDoc.__table__, "after_drop", _run(POSTGRES_DROP, "postgresql"))


@dataclass(frozen=True)
class Backend:
    """The database-specific parts of one search."""

    dialect: str

    def matching(self, query: Query, keys: Sequence[str] = ()) -> Select[Any, Any]:
        """The documents with the query's words and every facet key: `doc_id` and a relevance
        `score` of the words (higher is better; 0 when there are none), selected from
        library_docs, so that a caller can add its columns and conditions without a join."""
        if self.dialect == "sqlite":
            parts = [f"({query.fts5()})"] if not query.empty else []
            parts += [f'facet_keys:"{key}"' for key in keys]
            fts = table("library_fts", column("rowid"))
            # bm25 is lower for better matches; titles count four times as much as bodies.
            score: ColumnElement[Any] = literal_column("-bm25(library_fts, 4.0, 1.0, 0.0)")
            return (
                select(LibraryDoc.id.label("doc_id"), score.label("score"))
                .select_from(fts.join(LibraryDoc, LibraryDoc.id == fts.c.rowid))
                .where(text("library_fts MATCH :fts").bindparams(fts=" AND ".join(parts)))
            )
        conds = []
        rank: ColumnElement[Any] = literal(0.0)
        if not query.empty:
            words = _tsquery(query)
            conds.append(SEARCH_VECTOR.op("@@")(words))
            rank = func.ts_rank_cd(SEARCH_VECTOR, words)
        if keys:
            facets = func.plainto_tsquery(literal_column("'simple'"), " ".join(keys))
            conds.append(SEARCH_VECTOR.op("@@")(facets))
        return select(LibraryDoc.id.label("doc_id"), rank.label("score")).where(*conds)

    def among(self, column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
        """column IN ids, with the ids as one parameter: hundreds of parameters cost more to
        compile and send than the query takes to run."""
        if self.dialect == "sqlite":
            listed = func.json_each(json.dumps(list(ids))).table_valued("value")
            return column.in_(select(listed.c.value))
        return column == any_(literal(list(ids), ARRAY(BigInteger)))

    def which_match(self, session: DbSession, query: Query, doc_ids: Sequence[int]) -> set[int]:
        """Those of the documents that have the query's words."""
        if not doc_ids or query.empty:
            return set()
        if self.dialect == "sqlite":
            found = session.execute(
                text(SQLITE_MATCHING_AMONG), {"fts": query.fts5(), "ids": json.dumps(doc_ids)}
            )
        else:
            found = session.execute(
                select(LibraryDoc.id).where(
                    self.among(LibraryDoc.id, doc_ids), SEARCH_VECTOR.op("@@")(_tsquery(query))
                )
            )
        return set(found.scalars())

    def with_snippets(
        self, session: DbSession, query: Query, doc_ids: list[int]
    ) -> list[tuple[LibraryDoc, str | None]]:
        """The documents, each with a short passage around its matching words, words marked
        (None where it has none of them)."""
        if not doc_ids:
            return []
        docs = select(LibraryDoc).where(self.among(LibraryDoc.id, doc_ids))
        if query.empty:
            return [(doc, None) for doc in session.scalars(docs)]
        if self.dialect == "sqlite":
            marks = {"a": MARK_START, "b": MARK_END}
            found = session.execute(
                text(SQLITE_SNIPPETS), {**marks, "fts": query.fts5(), "ids": json.dumps(doc_ids)}
            )
            snippets: dict[int, str] = {row[0]: row[1] for row in found}
            return [(doc, snippets.get(doc.id)) for doc in session.scalars(docs)]
        # On PostgreSQL in the same query: ts_headline works on any text.
        headline = func.ts_headline(
            literal_column("'lp_english'"),
            LibraryDoc.title + " — " + LibraryDoc.body,
            func.websearch_to_tsquery(literal_column("'lp_english'"), query.websearch()),
            POSTGRES_HEADLINE,
        )
        return [(doc, snippet) for doc, snippet in session.execute(docs.add_columns(headline))]


def _tsquery(query: Query) -> ColumnElement[Any]:
    """The query as a PostgreSQL tsquery: websearch_to_tsquery has no parentheses, so each
    group of alternatives and each word left out is one, and they are joined with &&."""
    parts = [
        func.websearch_to_tsquery(literal_column("'lp_english'"), part)
        for part in query.websearch_parts()
    ]
    return functools.reduce(lambda a, b: a.op("&&")(b), parts)


def backend(session: DbSession) -> Backend:
    return Backend(session.get_bind().dialect.name)
