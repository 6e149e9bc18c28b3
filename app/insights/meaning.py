"""Similarity by meaning: sentence embeddings of the library's insights and notes.

Vectors are made in the background after a debrief is published (RQ when REDIS_URL is set,
else a thread in the web process) and kept in `library_vectors`. Each process holds them all
in one NumPy matrix, reloaded when the library's generation number moves. Without the model
package nothing here runs, and the library works on full-text relevance alone.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.db import DbSession
from app.debriefs.models import insight_evidence
from app.extensions import db, write_intent
from app.insights import embeddings
from app.insights.fulltext import backend
from app.insights.index import bump_generation, generation
from app.insights.models import DocKind, LibraryDoc, LibraryVector

#: Below this cosine similarity an insight is not taken to say the same thing. Measured on the
#: demo with all-MiniLM-L6-v2 (statement or closest evidence note): insights on one topic score
#: 0.53-0.79, insights on other topics up to 0.48.
SAME_THING = 0.5
#: Below this, a meaning match is not worth showing among search results.
RELATED = 0.25
NEAREST = 50
_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")
_encoding = ThreadPoolExecutor(max_workers=2, thread_name_prefix="encode")
_lock = threading.Lock()
log = logging.getLogger(__name__)


@dataclass
class Loaded:
    key: tuple[str, int]  #: the database and library generation these vectors are from
    index: embeddings.VectorIndex
    ids: np.ndarray  #: each row's document id, ascending
    insight: np.ndarray  #: True where the row is an insight
    programme: np.ndarray  #: each row's programme id
    day: np.ndarray  #: each row's date (happened_on) as a day number (date.toordinal)
    facet_keys: list[str]  #: each row's facet keys, as stored
    #: Each row's first values as stored: a vector whose id was reused (SQLite hands out a
    #: deleted document's id again) differs there, so it is read again, not kept.
    head: np.ndarray
    #: Row positions of the documents with each facet key: picking facets narrows a search
    #: by meaning without asking the database.
    with_key: dict[str, np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        positions: dict[str, list[int]] = {}
        for row, keys in enumerate(self.facet_keys):
            for key in keys.split():
                positions.setdefault(key, []).append(row)
        self.with_key = {key: np.array(rows, dtype=np.int64) for key, rows in positions.items()}

    def rows_with(self, keys: Sequence[str], first: date | None, last: date | None) -> np.ndarray:
        """Positions of the rows with every facet key given, within the dates."""
        rows = np.arange(len(self.ids))
        for key in keys:
            having = np.zeros(len(self.ids), dtype=bool)
            having[self.with_key.get(key, rows[:0])] = True
            rows = rows[having[rows]]
        if first is not None:
            rows = rows[self.day[rows] >= first.toordinal()]
        if last is not None:
            rows = rows[self.day[rows] <= last.toordinal()]
        return rows


_loaded: Loaded | None = None
_HEAD = 4  #: how many of a vector's first values tell a kept vector from a new one
_CHUNK = 10_000  #: vectors read per query when only some are read


def _vectors(session: DbSession) -> Loaded | None:
    """The library's vectors as one matrix, brought up to date when the library has changed."""
    global _loaded
    if not embeddings.available():
        return None
    key = (str(db.engine.url), generation(session))
    with _lock:
        if _loaded is None or _loaded.key != key:
            same_database = _loaded is not None and _loaded.key[0] == key[0]
            _loaded = _refresh(session, key, _loaded if same_database else None)
        return _loaded


def _refresh(session: DbSession, key: tuple[str, int], before: Loaded | None) -> Loaded:
    """The vectors there are now, with what is known of their documents. Only the vectors not
    held already are read: a publish adds hundreds, and reading all 100,000 takes seconds."""
    docs = session.execute(
        select(
            LibraryVector.doc_id,
            func.substr(LibraryVector.vector, 1, 4 * _HEAD),
            LibraryDoc.kind,
            LibraryDoc.programme_id,
            LibraryDoc.happened_on,
            LibraryDoc.facet_keys,
        )
        .join(LibraryDoc, LibraryDoc.id == LibraryVector.doc_id)
        .where(LibraryVector.model == embeddings.MODEL_NAME)
        .order_by(LibraryVector.doc_id)
    ).all()
    ids = np.array([d[0] for d in docs], dtype=np.int64)
    head = np.frombuffer(b"".join(d[1] for d in docs), dtype="<f4").reshape(-1, _HEAD)
    matrix = np.zeros((len(ids), embeddings.DIMENSIONS), dtype=np.float32)
    held = np.zeros(len(ids), dtype=bool)
    if before is not None and len(before.ids) and len(ids):
        at = np.minimum(np.searchsorted(before.ids, ids), len(before.ids) - 1)
        held = (before.ids[at] == ids) & (before.head[at] == head).all(axis=1)
        matrix[held] = before.index.matrix[at[held]]
    read = held.copy()
    for chunk in _vector_chunks(session, None if before is None else ids[~held]):
        # Only on the documents read above: a vector added or deleted meanwhile is left out.
        found = np.array([doc_id for doc_id, _ in chunk], dtype=np.int64)
        rows = np.minimum(np.searchsorted(ids, found), max(len(ids) - 1, 0))
        known = ids[rows] == found if len(ids) else np.zeros(len(found), dtype=bool)
        matrix[rows[known]] = embeddings.from_bytes(b"".join(v for _, v in chunk))[known]
        read[rows[known]] = True
    keep = np.flatnonzero(read)
    return Loaded(
        key=key,
        index=embeddings.VectorIndex(ids[keep], matrix if read.all() else matrix[keep]),
        ids=ids[keep],
        insight=np.array([d[2] == DocKind.INSIGHT for d in docs], dtype=np.bool_)[keep],
        programme=np.array([d[3] for d in docs], dtype=np.int64)[keep],
        day=np.array([d[4].toordinal() for d in docs], dtype=np.int64)[keep],
        facet_keys=[docs[i][5] for i in keep.tolist()],
        head=head[keep].copy(),
    )


def _vector_chunks(session: DbSession, doc_ids: np.ndarray | None) -> Iterator[Sequence[Any]]:
    """(document id, stored vector) of these documents, or of all, some thousands at a time
    (all 100,000 at once would hold their bytes twice over)."""
    wanted = select(LibraryVector.doc_id, LibraryVector.vector).where(
        LibraryVector.model == embeddings.MODEL_NAME
    )
    if doc_ids is None:
        yield from session.execute(wanted.execution_options(yield_per=_CHUNK)).partitions()
        return
    among = backend(session).among
    for start in range(0, len(doc_ids), _CHUNK):
        chunk = doc_ids[start : start + _CHUNK].tolist()
        yield session.execute(wanted.where(among(LibraryVector.doc_id, chunk))).all()


def current(session: DbSession) -> Loaded | None:
    """The library's vectors, or None when the model is missing or nothing has a vector yet.
    A search asks once and hands them on: each asking reads the library's generation."""
    loaded = _vectors(session)
    return loaded if loaded is not None and len(loaded.index) else None


def start_encoding(text: str) -> Future[np.ndarray]:
    """The text's vector, made on another thread: a search starts it before its full-text
    query so that the two overlap (NumPy and the database drivers let go of the GIL)."""
    return _encoding.submit(query_vector, text)


@functools.lru_cache(maxsize=512)
def query_vector(text: str) -> np.ndarray:
    """A search's vector, kept: picking a facet or turning a page searches the same words
    again, and making the vector is most of what meaning adds to a search."""
    vector = embeddings.encode([text])[0]
    vector.flags.writeable = False  # shared by every search with these words
    return vector


@dataclass(frozen=True)
class Near:
    doc_id: int
    score: float
    facet_keys: str


def nearest_docs(
    loaded: Loaded,
    text: str,
    *,
    k: int = NEAREST,
    keys: Sequence[str] = (),
    first: date | None = None,
    last: date | None = None,
    encoding: Future[np.ndarray] | None = None,
) -> list[Near]:
    """The k documents closest in meaning to the text (or to its vector, if its encoding was
    started), best first, among those with every facet key given and within the dates."""
    if not text.strip():
        return []
    only = loaded.rows_with(keys, first, last) if keys or first or last else None
    vector = encoding.result() if encoding else embeddings.encode([text])[0]
    found = loaded.index.nearest(vector, k, only=only)
    rows = np.searchsorted(loaded.ids, [doc_id for doc_id, _ in found])
    return [
        Near(doc_id, score, loaded.facet_keys[row])
        for (doc_id, score), row in zip(found, rows, strict=True)
        if score >= RELATED
    ]


def similar_insights(
    session: DbSession,
    loaded: Loaded,
    text: str,
    *,
    other_than_programme: int | None,
    k: int = 5,
    evidence: Sequence[int] = (),
) -> list[tuple[int, float]]:
    """Insight documents from other programmes that say the same thing, most similar first.

    An insight is as close as its statement or the closest of its evidence notes: a statement
    is a few words, and what customers said behind it carries much of its meaning. For an
    insight already in the library, pass its evidence notes' documents: their vectors are
    compared with other statements too, so that A finds B whenever B finds A.
    """
    if not text.strip():
        return []
    exclude = None if other_than_programme is None else loaded.programme == other_than_programme
    found = loaded.index.nearest(embeddings.encode([text])[0], NEAREST, exclude=exclude)
    mine = np.flatnonzero(np.isin(loaded.ids, np.asarray(evidence, dtype=np.int64)))
    if len(mine):
        not_statements = ~loaded.insight if exclude is None else exclude | ~loaded.insight
        found += loaded.index.nearest(loaded.index.matrix[mine], NEAREST, exclude=not_statements)
    rows = np.searchsorted(loaded.ids, [doc_id for doc_id, _ in found])
    best: dict[int, float] = {}
    near_notes: dict[int, float] = {}
    for (doc_id, score), row in zip(found, rows, strict=True):
        if loaded.insight[row]:
            best[doc_id] = max(best.get(doc_id, 0.0), score)
        else:
            near_notes[doc_id] = score
    note, insight = aliased(LibraryDoc), aliased(LibraryDoc)
    backed = session.execute(
        select(note.id, insight.id)
        .join(insight_evidence, insight_evidence.c.note_id == note.note_id)
        .join(insight, insight.insight_id == insight_evidence.c.insight_id)
        .where(note.id.in_(near_notes), insight.programme_id != (other_than_programme or 0))
    )
    for note_id, insight_id in backed:
        best[insight_id] = max(best.get(insight_id, 0.0), near_notes[note_id])
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return [(doc_id, score) for doc_id, score in ranked[:k] if score >= SAME_THING]


def doc_text(doc: LibraryDoc) -> str:
    """What a document's vector means: an insight's statement alone (its "so what" says what
    to do, not what was heard), a note's whole text."""
    if doc.kind == DocKind.INSIGHT or not doc.body:
        return doc.title
    return f"{doc.title}. {doc.body}"


def pending(session: DbSession, *, debrief_id: int | None = None) -> list[tuple[int, str]]:
    """The documents that lack a vector (of one debrief, or all), with the text to embed."""
    has_vector = select(LibraryVector.doc_id).where(LibraryVector.model == embeddings.MODEL_NAME)
    wanted = select(LibraryDoc).where(
        LibraryDoc.kind.in_([DocKind.INSIGHT, DocKind.NOTE]), LibraryDoc.id.not_in(has_vector)
    )
    if debrief_id is not None:
        wanted = wanted.where(LibraryDoc.debrief_id == debrief_id)
    return [(d.id, doc_text(d)) for d in session.scalars(wanted.order_by(LibraryDoc.id))]


def store(session: DbSession, docs: list[tuple[int, str]]) -> int:
    """Embed the texts first, then store their vectors: no database lock is held meanwhile."""
    if not docs:
        return 0
    vectors = embeddings.encode([text for _, text in docs])
    session.add_all(
        LibraryVector(doc_id=doc_id, model=embeddings.MODEL_NAME, vector=embeddings.to_bytes(v))
        for (doc_id, _), v in zip(docs, vectors, strict=True)
    )
    bump_generation(session)
    return len(docs)


def embed_missing(session: DbSession, *, debrief_id: int | None = None) -> int:
    """Make the vectors the library lacks (of one debrief, or all); returns how many."""
    if not embeddings.available():
        return 0
    return store(session, pending(session, debrief_id=debrief_id))


def start(debrief_id: int) -> None:
    """Make a newly published debrief's vectors in the background, after its commit."""
    if not embeddings.available():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    queue_url = app.config.get("REPORT_QUEUE_URL")
    if queue_url:
        from redis import Redis
        from rq import Queue

        Queue("library", connection=Redis.from_url(queue_url)).enqueue(
            embed_job, debrief_id, job_timeout=1800
        )
    elif app.config.get("LIBRARY_EMBED_INLINE"):
        _embed_in(app, debrief_id)
    else:
        _thread.submit(_embed_in, app, debrief_id)


@contextmanager
def _in_background(app: Flask, what: str) -> Iterator[None]:
    """Work on a thread of its own: in the app's context, reading until it says otherwise, its
    failure logged (nobody waits for it), its session closed after."""
    token = write_intent.set(False)
    with app.app_context():
        try:
            yield
        except Exception:
            log.exception("%s failed", what)
            db.session.rollback()
        finally:
            db.session.remove()
            write_intent.reset(token)


def _embed_in(app: Flask, debrief_id: int) -> None:
    # Read, let go of the database while the model works, then write in a short transaction
    # (on SQLite a write transaction holds the whole database).
    with _in_background(app, f"embedding the library documents of debrief {debrief_id}"):
        todo = pending(db.session, debrief_id=debrief_id)
        db.session.rollback()
        write_intent.set(True)
        store(db.session, todo)
        db.session.commit()


def warm_up_on_first_request(app: Flask) -> None:
    """Load the model and the library's vectors in the background when a process serves its
    first request: otherwise the first search or "heard before" in each process waits for
    them (3.5 s at 100,000 vectors)."""
    if not embeddings.available():
        return
    started = threading.Event()

    @app.before_request
    def _warm_up() -> None:
        if not started.is_set():
            started.set()
            _thread.submit(_warm_up_in, app)


def _warm_up_in(app: Flask) -> None:
    with _in_background(app, "loading the library's vectors"):
        query_vector("customer")
        _vectors(db.session)


def embed_job(debrief_id: int) -> None:
    """What the RQ worker runs: an app of its own, its connections closed when done."""
    from app import create_app

    app = create_app()
    try:
        _embed_in(app, debrief_id)
    finally:
        with app.app_context():
            db.engine.dispose()
