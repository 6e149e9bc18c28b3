"""An insight in the library: its page, heard before, stars, links, and withdrawing items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.capture.models import Note, Photo
from app.capture.services import redacted_fields
from app.db import DbSession, is_id
from app.debriefs.models import Action, Debrief, Insight, Theme, insight_evidence
from app.debriefs.services import require_board_open
from app.errors import Conflict, DomainError, NotAllowed, NotFound
from app.insights import meaning
from app.insights.fulltext import backend
from app.insights.index import drop_item, item_column, note_title
from app.insights.models import DocKind, InsightLink, LibraryDoc, LinkKind, Star, Withdrawal
from app.insights.query import WORD, Query, Term
from app.programmes.models import Activity, Programme
from app.programmes.services import can_manage
from app.text import clean_text

HEARD_BEFORE = 5


@dataclass
class Similar:
    insight_id: int
    statement: str
    so_what: str
    programme: str
    published_at: datetime
    score: float
    notes: int  #: evidence notes behind it
    link: str = ""  #: confirms or contradicts, when a facilitator linked the two


@dataclass
class Card:
    note: Note
    title: str
    fields: dict[str, Any]
    photos: list[Photo]


@dataclass
class InsightPage:
    insight: Insight
    doc: LibraryDoc
    debrief: Debrief
    programme: Programme
    theme: str
    evidence: list[Card]
    actions: list[Action]
    heard_before: list[Similar]
    linked: list[Similar]
    programmes_backing: int
    notes_backing: int
    starred: bool
    withdrawable: bool = False


def library_doc(session: DbSession, insight_id: Any) -> LibraryDoc:
    """The library document of an insight every reader may see (published, not withdrawn)."""
    doc = (
        session.scalar(select(LibraryDoc).where(LibraryDoc.insight_id == insight_id))
        if is_id(insight_id)
        else None
    )
    if doc is None:
        raise NotFound("There is no such insight in the library.")
    return doc


def insight_page(session: DbSession, insight_id: int, *, user: User) -> InsightPage:
    doc = library_doc(session, insight_id)
    insight = session.get_one(Insight, insight_id)
    debrief = session.get_one(Debrief, doc.debrief_id, options=[selectinload(Debrief.actions)])
    programme = session.get_one(Programme, doc.programme_id)
    theme = session.get(Theme, insight.theme_id) if insight.theme_id else None
    linked = links_of(session, insight.id)
    notes = select(LibraryDoc.id).where(LibraryDoc.note_id.in_([n.id for n in insight.evidence]))
    similar = heard_before(
        session, insight.statement, programme_id=programme.id, evidence=session.scalars(notes).all()
    )
    known = {s.insight_id for s in linked}
    similar = [s for s in similar if s.insight_id not in known]
    backing = [*linked, *similar]
    return InsightPage(
        insight=insight,
        doc=doc,
        debrief=debrief,
        programme=programme,
        theme=theme.name if theme else "",
        evidence=evidence_cards(session, insight),
        actions=list(debrief.actions),
        heard_before=similar,
        linked=linked,
        programmes_backing=len({programme.title} | {s.programme for s in backing}),
        notes_backing=len(insight.evidence) + sum(s.notes for s in backing),
        starred=is_starred(session, insight.id, user),
        withdrawable=can_manage(programme, user),
    )


def evidence_cards(session: DbSession, insight: Insight) -> list[Card]:
    """The insight's evidence in the library: redacted, without notes withdrawn from it."""
    notes = session.scalars(
        select(Note)
        .join(LibraryDoc, LibraryDoc.note_id == Note.id)
        .join(insight_evidence, insight_evidence.c.note_id == Note.id)
        .where(insight_evidence.c.insight_id == insight.id)
        .options(
            selectinload(Note.photos), selectinload(Note.activity).selectinload(Activity.programme)
        )
        .order_by(Note.id)
    )
    cards = []
    for note in notes:
        fields = redacted_fields(note)
        cards.append(Card(note, note_title(note, fields), fields, list(note.photos)))
    return cards


def _similar(session: DbSession, docs: list[tuple[int, float]]) -> list[Similar]:
    """Library documents of insights as Similar, in the order given."""
    if not docs:
        return []
    ids = [d for d, _ in docs]
    rows = session.execute(
        select(LibraryDoc, Insight.so_what, Programme.title)
        .join(Insight, Insight.id == LibraryDoc.insight_id)
        .join(Programme, Programme.id == LibraryDoc.programme_id)
        .where(LibraryDoc.id.in_(ids))
    ).all()
    counts: dict[int, int] = dict(
        session.execute(  # type: ignore[arg-type]
            select(insight_evidence.c.insight_id, func.count())
            .where(insight_evidence.c.insight_id.in_([r[0].insight_id for r in rows]))
            .group_by(insight_evidence.c.insight_id)
        ).all()
    )
    by_id = {r[0].id: r for r in rows}
    out = []
    for doc_id, score in docs:
        if doc_id not in by_id:
            continue
        doc, so_what, title = by_id[doc_id]
        out.append(
            Similar(
                insight_id=doc.insight_id or 0,
                statement=doc.title,
                so_what=so_what,
                programme=title,
                published_at=doc.published_at,
                score=round(score, 3),
                notes=counts.get(doc.insight_id or 0, 0),
            )
        )
    return out


def heard_before(
    session: DbSession,
    text: str,
    *,
    programme_id: int | None,
    k: int = HEARD_BEFORE,
    evidence: Sequence[int] = (),
) -> list[Similar]:
    """Earlier insights from other programmes that say the same thing, most similar first.

    By meaning when the model is present (`evidence`: the library documents of an insight's
    notes, see `meaning.similar_insights`); otherwise by the words they share.
    """
    text = text.strip()[:2000]
    if not text:
        return []
    if loaded := meaning.current(session):
        return _similar(
            session,
            meaning.similar_insights(
                session, loaded, text, other_than_programme=programme_id, k=k, evidence=evidence
            ),
        )
    words = sorted({w.lower() for w in WORD.findall(text) if len(w) > 3})[:30]
    if not words:
        return []
    found = backend(session).matching(Query(groups=[[Term((w,)) for w in words]])).subquery()
    rows = session.execute(
        select(found.c.doc_id, found.c.score)
        .join(LibraryDoc, LibraryDoc.id == found.c.doc_id)
        .where(LibraryDoc.kind == DocKind.INSIGHT, LibraryDoc.programme_id != (programme_id or 0))
        .order_by(found.c.score.desc())
        .limit(k)
    ).all()
    # Sharing one common word is not "the same thing": ask for a good part of the words.
    least = 2 if len(words) > 3 else 1
    kept = [(r.doc_id, float(r.score)) for r in rows]
    return [
        s for s in _similar(session, kept) if _shared(s.statement + " " + s.so_what, words) >= least
    ]


def _shared(text: str, words: list[str]) -> int:
    have = {w.lower() for w in WORD.findall(text)}
    return sum(1 for w in words if w in have or w.rstrip("s") in have)


def links_of(session: DbSession, insight_id: int) -> list[Similar]:
    """Insights linked to this one, in either direction, that the library holds."""
    return links_for(session, [insight_id]).get(insight_id, [])


def links_for(session: DbSession, insight_ids: list[int]) -> dict[int, list[Similar]]:
    """The linked insights of each of these insights, in a constant number of queries."""
    links = session.scalars(
        select(InsightLink).where(
            InsightLink.from_id.in_(insight_ids) | InsightLink.to_id.in_(insight_ids)
        )
    ).all()
    pairs = [(k.from_id, k.to_id, str(k.kind)) for k in links if k.from_id in insight_ids]
    pairs += [(k.to_id, k.from_id, str(k.kind)) for k in links if k.to_id in insight_ids]
    docs = session.execute(
        select(LibraryDoc.id, LibraryDoc.insight_id).where(
            LibraryDoc.insight_id.in_({other for _, other, _ in pairs})
        )
    ).all()
    found = {s.insight_id: s for s in _similar(session, [(doc_id, 1.0) for doc_id, _ in docs])}
    out: dict[int, list[Similar]] = {}
    for mine, other, kind in pairs:
        if other in found:
            out.setdefault(mine, []).append(replace(found[other], link=kind))
    return out


def set_link(
    session: DbSession, insight: Insight, other_id: Any, kind: Any, *, by: User
) -> InsightLink | None:
    """Say that an insight being written confirms or contradicts one in the library ("" unlinks)."""
    require_board_open(insight.debrief, by)
    if kind not in ("", None, *LinkKind.__members__.values()):
        raise DomainError(
            "A link says the insight confirms or contradicts the other.", field="kind"
        )
    if kind in ("", None):  # unlinking works even if the other has left the library
        session.execute(
            delete(InsightLink).where(
                InsightLink.from_id == insight.id, InsightLink.to_id == other_id
            )
        )
        session.flush()
        return None
    other = library_doc(session, other_id)
    if other.programme_id == insight.debrief.programme_id:
        raise DomainError("Link insights from other programmes; this one is from the same.")
    session.execute(
        delete(InsightLink).where(InsightLink.from_id == insight.id, InsightLink.to_id == other_id)
    )
    link = InsightLink(from_id=insight.id, to_id=other_id, kind=LinkKind(kind), by_id=by.id)
    session.add(link)
    session.flush()
    return link


def is_starred(session: DbSession, insight_id: int, user: User) -> bool:
    return session.get(Star, (user.id, insight_id)) is not None


def set_star(session: DbSession, insight_id: Any, *, user: User, on: bool) -> None:
    """Star an insight in the library, or take the star away; doing it twice changes nothing."""
    library_doc(session, insight_id)
    star = session.get(Star, (user.id, insight_id))
    if on and star is None:
        session.add(Star(user_id=user.id, insight_id=insight_id))
    elif not on and star is not None:
        session.delete(star)
    session.flush()


def ticked_links(session: DbSession, ticked: dict[int, str]) -> list[Similar]:
    """The insights a facilitator ticked as confirmed or contradicted, as the library holds
    them (one withdrawn or unpublished is left out), each with its tick."""
    docs = session.scalars(
        select(LibraryDoc.id)
        .where(LibraryDoc.insight_id.in_([i for i, kind in ticked.items() if kind]))
        .order_by(LibraryDoc.published_at.desc(), LibraryDoc.id.desc())
    )
    found = _similar(session, [(doc_id, 1.0) for doc_id in docs])
    return [replace(s, link=ticked[s.insight_id]) for s in found]


def starred(session: DbSession, user: User) -> list[Similar]:
    """My starred insights that the library still holds, the latest starred first."""
    rows = session.execute(
        select(LibraryDoc.id)
        .join(Star, Star.insight_id == LibraryDoc.insight_id)
        .where(Star.user_id == user.id)
        .order_by(Star.created_at.desc(), LibraryDoc.id.desc())
    ).all()
    return _similar(session, [(r.id, 1.0) for r in rows])


def withdraw(session: DbSession, kind: Any, item_id: Any, reason: Any, *, by: User) -> Withdrawal:
    """Take one item out of the library, with a reason for the log (the programme's organisers)."""
    if kind not in DocKind.__members__.values():
        raise DomainError("Say what to withdraw: an insight, a theme or a note.", field="kind")
    column = item_column(DocKind(kind))
    doc = session.scalar(select(LibraryDoc).where(column == item_id)) if is_id(item_id) else None
    if doc is None:
        raise NotFound("That item is not in the library.")
    programme = session.get_one(Programme, doc.programme_id)
    if not can_manage(programme, by):
        raise NotAllowed("Only the organisers of the debrief's programme withdraw items.")
    why = clean_text(reason, field="Reason", max_length=500, required=True)
    if session.scalar(
        select(Withdrawal.id).where(Withdrawal.kind == kind, Withdrawal.item_id == item_id)
    ):
        raise Conflict("This item has already been withdrawn.")
    record = Withdrawal(
        debrief_id=doc.debrief_id,
        kind=DocKind(kind),
        item_id=item_id,
        title=doc.title,
        reason=why,
        by_id=by.id,
    )
    session.add(record)
    drop_item(session, DocKind(kind), item_id)
    return record


def withdrawals(session: DbSession, *, user: User) -> list[tuple[Withdrawal, Programme]]:
    """The log of withdrawn items, for the organisers of their programmes, newest first."""
    rows = session.execute(
        select(Withdrawal, Programme)
        .join(Debrief, Debrief.id == Withdrawal.debrief_id)
        .join(Programme, Programme.id == Debrief.programme_id)
        .options(selectinload(Withdrawal.by), selectinload(Programme.organisers))
        .order_by(Withdrawal.at.desc(), Withdrawal.id.desc())
    ).all()
    return [(w, p) for w, p in rows if can_manage(p, user)]
