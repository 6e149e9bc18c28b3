"""Declarative base, the UTC datetime column type and small database helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, DateTime, MetaData, event, inspect, update
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    InstrumentedAttribute,
    Session,
    SessionTransaction,
    scoped_session,
)
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: What services take: a plain session, or Flask-SQLAlchemy's request-scoped one.
DbSession: TypeAlias = Session | scoped_session[Any]


MAX_ID = 2**31 - 1  #: the largest id an INTEGER column holds on PostgreSQL


def is_id(value: object) -> bool:
    """A whole number that can be a row id (bigger ones make the database raise, not miss)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database (SQLite keeps no zone, so we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def configure_sqlite(engine: Engine, *, write_intent: Any) -> None:
    """WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE for requests that write.

    SQLite cannot lock a row, so two processes could both count the last seat inside deferred
    transactions. A write request takes the database write lock when its transaction begins
    (waiting up to the busy timeout); reads stay deferred so pages are not serialised.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def after_commit(session: DbSession, callback: Callable[[], None]) -> None:
    """Run the callback once the session's transaction has committed; a rollback drops it.

    Background work (vectors for a published debrief) must only start when what it reads is
    there for other connections to see.
    """
    real = session() if isinstance(session, scoped_session) else session
    real.info.setdefault("after_commit", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the real commit is still to come
        return
    for callback in session.info.pop("after_commit", []):
        try:
            callback()
        except Exception:  # what committed stays committed; the background work is logged
            logging.getLogger(__name__).exception("work after a commit failed")


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:
        session.info.pop("after_commit", None)


def changed_fields(obj: Any, *names: str) -> bool:
    """Whether a stored object has any of these attributes changed, not yet flushed."""
    state = inspect(obj)
    return bool(state.persistent) and any(state.attrs[n].history.has_changes() for n in names)


def raise_counter(
    session: DbSession, counter: InstrumentedAttribute[int], where: ColumnElement[bool]
) -> int:
    """Add one to a counter (a version) in the database and return it: two writers at once
    never get the same number, as they could reading it and writing it back."""
    raised = update(counter.class_).where(where).values({counter.key: counter + 1})
    return int(session.execute(raised.returning(counter)).scalar_one())
