"""Declarative base, the UTC datetime column type and small database helpers."""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import time
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


#: How long SQLite waits for another connection's write lock, in seconds.
BUSY_TIMEOUT = 15
#: How often a writer waiting for another looks again, in seconds.
WRITER_POLL = 0.0002


class SQLiteConnection(sqlite3.Connection):
    """A connection whose writers wait for each other on a lock file beside the database,
    taken before BEGIN IMMEDIATE and let go right after COMMIT or ROLLBACK.

    SQLite's own wait sleeps 1, 2, 5, 10, 15, 20, 25... ms between tries, so a writer behind
    another one of 3 ms slept 8: with two workers writing, one was mostly asleep. Here the
    waiter looks again every WRITER_POLL. Each connection has a descriptor of its own, so that
    threads of one process wait for each other too.
    """

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        path = os.fspath(database)
        in_memory = path in ("", ":memory:") or path.startswith("file:")
        self.writers = None if in_memory else os.open(f"{path}.writers", os.O_RDWR | os.O_CREAT)
        self.writing = False

    def wait_for_writers(self) -> None:
        """Take the writers' lock; after BUSY_TIMEOUT, go on and let SQLite's own wait answer."""
        if self.writers is None or self.writing:
            return
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                fcntl.flock(self.writers, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(WRITER_POLL)
            else:
                self.writing = True
                return

    def _done_writing(self) -> None:
        if self.writing and self.writers is not None:
            fcntl.flock(self.writers, fcntl.LOCK_UN)
            self.writing = False

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._done_writing()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._done_writing()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.writers is not None:
                os.close(self.writers)  # lets go of the lock too
                self.writers, self.writing = None, False


def sqlite_engine_options(options: dict[str, Any]) -> dict[str, Any]:
    """The engine options with SQLite's connections made as SQLiteConnection."""
    connect_args = {**options.get("connect_args", {}), "factory": SQLiteConnection}
    return {**options, "connect_args": connect_args}


def configure_sqlite(engine: Engine, *, write_intent: Any) -> None:
    """WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE for requests that write.

    SQLite cannot lock a row, so two processes could both count the last seat inside deferred
    transactions. A write request takes the database write lock when its transaction begins
    (waiting for other writers first, see SQLiteConnection); reads stay deferred so pages are
    not serialised.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not write_intent.get():
            conn.exec_driver_sql("BEGIN")
            return
        dbapi_conn = conn.connection.dbapi_connection
        if isinstance(dbapi_conn, SQLiteConnection):
            dbapi_conn.wait_for_writers()
        conn.exec_driver_sql("BEGIN IMMEDIATE")


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
