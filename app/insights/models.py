"""The insight library: what published debriefs found, as searchable documents.

One `LibraryDoc` per published insight, theme and note, holding the text a reader may see
(contact details already redacted) and, in `facet_keys`, the values a search narrows by.
The full-text index sits beside it: an FTS5 table on SQLite, a generated `tsvector` column on
PostgreSQL (see `app.insights.fulltext`), so neither appears in the models. It indexes the
facet keys too, so that words and facets are matched together inside one index.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint, event, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.accounts.models import User
from app.db import UTCDateTime, changed_fields, utcnow
from app.debriefs.models import Insight
from app.extensions import db
from app.programmes.models import Programme


class DocKind(StrEnum):
    INSIGHT = "insight"
    THEME = "theme"
    NOTE = "note"


class LinkKind(StrEnum):
    CONFIRMS = "confirms"
    CONTRADICTS = "contradicts"


#: The facets a search narrows by, in the order the page shows them.
FACETS = ("programme", "kind", "channel", "tag", "department", "customer")


def facet_key(facet: str, value: str) -> str:
    """One facet value as one word for the full-text index: "k" and the decimal number of its
    UTF-8 bytes. Digits pass every tokenizer and stemmer unchanged, and the key reads back."""
    return "k" + str(int.from_bytes(f"{facet}:{value}".encode()))


def facet_of_key(key: str) -> tuple[str, str]:
    """The facet and value a key stands for."""
    number = int(key[1:])
    facet, _, value = number.to_bytes((number.bit_length() + 7) // 8).decode().partition(":")
    return facet, value


def facet_keys(facets: Iterable[tuple[str, str]]) -> str:
    return " ".join(sorted({facet_key(f, v) for f, v in facets}))


class LibraryDoc(db.Model):  # type: ignore[name-defined]
    __tablename__ = "library_docs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocKind] = mapped_column(String(10))
    debrief_id: Mapped[int] = mapped_column(
        ForeignKey("debriefs.id", ondelete="CASCADE"), index=True
    )
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    insight_id: Mapped[int | None] = mapped_column(
        ForeignKey("insights.id", ondelete="CASCADE"), unique=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), unique=True
    )
    note_id: Mapped[int | None] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(500))  #: statement, theme name, or the customer
    body: Mapped[str] = mapped_column(Text, default="")  #: so what, description, or the note
    #: When it happened: the note's slot day, or the day the debrief was published.
    happened_on: Mapped[date] = mapped_column(index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: Its facet values (see `facet_key`), space-separated: an insight or a theme has those
    #: of the notes behind it.
    facet_keys: Mapped[str] = mapped_column(Text, default="")

    def detached(self) -> LibraryDoc:
        """A copy in no database session, to keep between requests."""
        columns = self.__mapper__.column_attrs
        return LibraryDoc(**{c.key: getattr(self, c.key) for c in columns})


class LibraryVector(db.Model):  # type: ignore[name-defined]
    """A document's meaning as a sentence embedding; made in the background after publishing."""

    __tablename__ = "library_vectors"

    doc_id: Mapped[int] = mapped_column(
        ForeignKey("library_docs.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(60))
    vector: Mapped[bytes] = mapped_column(LargeBinary)  #: float32, little-endian


class LibraryState(db.Model):  # type: ignore[name-defined]
    """One row: raised on every change to the library, so each process knows when to reload."""

    __tablename__ = "library_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)


class Withdrawal(db.Model):  # type: ignore[name-defined]
    """An item a debrief's organiser took out of the library, and why: the log."""

    __tablename__ = "library_withdrawals"
    __table_args__ = (UniqueConstraint("kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    debrief_id: Mapped[int] = mapped_column(
        ForeignKey("debriefs.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocKind] = mapped_column(String(10))
    item_id: Mapped[int]  #: the insight's, theme's or note's id
    title: Mapped[str] = mapped_column(String(500))  #: what it was, for the log
    reason: Mapped[str] = mapped_column(String(500))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    by: Mapped[User | None] = relationship()


class Star(db.Model):  # type: ignore[name-defined]
    __tablename__ = "library_stars"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    insight_id: Mapped[int] = mapped_column(
        ForeignKey("insights.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InsightLink(db.Model):  # type: ignore[name-defined]
    """A facilitator's word that one insight confirms or contradicts an earlier one."""

    __tablename__ = "insight_links"
    __table_args__ = (UniqueConstraint("from_id", "to_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("insights.id", ondelete="CASCADE"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("insights.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LinkKind] = mapped_column(String(12))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    from_insight: Mapped[Insight] = relationship(foreign_keys=[from_id])
    to_insight: Mapped[Insight] = relationship(foreign_keys=[to_id])


#: The library's generation up by one: every process then knows what it keeps from it is old.
RAISE_GENERATION = (
    update(LibraryState).where(LibraryState.id == 1).values(generation=LibraryState.generation + 1)
)


@event.listens_for(Session, "before_flush")
def _programme_renamed(session: Session, _context: Any, _instances: Any) -> None:
    """The library shows what it found with the programme's name and time zone: renaming one
    changes what it shows, so the generation moves, as when documents come or go."""
    if any(
        isinstance(obj, Programme) and changed_fields(obj, "title", "timezone")
        for obj in session.dirty
    ):
        session.connection().execute(RAISE_GENERATION)


from app.insights import fulltext  # noqa: E402,F401  (the full-text index is made with its table)
