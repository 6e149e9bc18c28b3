"""On SQLite, writers wait for each other on a lock file beside the database (app/db.py): taken
when a write transaction begins, let go when its connection goes back to the pool."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.extensions import db, write_intent
from tests.conftest import database_url

pytestmark = pytest.mark.skipif(
    not database_url().startswith("sqlite"), reason="the lock file is SQLite's"
)


@pytest.fixture(autouse=True)
def writing() -> Iterator[None]:
    """As in a request that writes (a GET request before leaves the flag down)."""
    token = write_intent.set(True)
    yield
    write_intent.reset(token)


def held() -> bool:
    """Whether a connection holds the writers' lock (asked through a descriptor of our own)."""
    fd = os.open(f"{db.engine.url.database}.writers", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def test_a_writer_holds_the_lock_from_its_begin_to_its_commit_or_rollback():
    db.session.commit()
    assert not held()
    db.session.execute(select(1))
    assert held()
    db.session.commit()
    assert not held()
    db.session.execute(select(1))
    db.session.rollback()
    assert not held()


def test_a_reader_does_not_take_the_lock():
    db.session.commit()
    token = write_intent.set(False)
    try:
        db.session.execute(select(1))
        assert not held()
    finally:
        db.session.rollback()
        write_intent.reset(token)


def test_a_connection_lost_while_writing_lets_go():
    db.session.execute(select(1))
    assert held()
    db.session.connection().invalidate()
    db.session.rollback()
    assert not held()
    db.session.execute(select(1))  # a new connection takes it again
    assert held()
    db.session.commit()
