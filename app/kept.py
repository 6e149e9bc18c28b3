"""What a process keeps between requests: values by a key that holds everything they depend on.

A key that holds everything its value depends on is never found again after a change, so an old
value is never served: it is only left to fall out. What a transaction reads after writing is
not kept (`has_written`): its writes may still be rolled back.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, scoped_session

from app.db import DbSession

T = TypeVar("T")
#: Every store, for a database made anew under a running process (the tests' wipe): its
#: versions and generations start again, so what is kept must go with it.
STORES: list[Kept] = []


class Kept:
    """The last `size` values put, by key, shared by a process's threads (the least recently
    used goes first)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        STORES.append(self)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        return None

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)


def kept(session: DbSession, store: Kept, key: tuple[Any, ...], make: Callable[[], T]) -> T:
    """The store's value for the key, made and put there if missing; made afresh and not put
    in a transaction that has written or holds changes not yet written (making the value may
    write them: autoflush)."""
    if has_written(session):
        return make()
    value = store.get(key)
    if value is None:
        value = make()
        if not has_written(session):
            store.put(key, value)
    return value  # type: ignore[no-any-return]


def has_written(session: DbSession) -> bool:
    """Whether the session's transaction has written anything not yet committed, or holds
    changes it has still to write."""
    real = session() if isinstance(session, scoped_session) else session
    return bool(real.info.get("written") or real.new or real.dirty or real.deleted)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info["written"] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["written"] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed or rolled back: nothing is pending any more
        session.info.pop("written", None)
