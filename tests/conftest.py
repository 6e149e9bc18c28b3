"""Fixtures: one app per run on SQLite (default) or on DATABASE_URL; clean tables per test."""

from __future__ import annotations

import email
import email.policy
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, text

from app import create_app
from app.accounts.models import Role, User
from app.config import load_config, normalise_database_url
from app.extensions import db, limiter
from app.insights import meaning
from app.kept import STORES
from tests.factories import PASSWORD, make_user

TMP = Path(tempfile.mkdtemp(prefix="lp-tests-"))
os.environ["INSTANCE_PATH"] = str(TMP / "instance")


#: The Redis database the queue tests flush: its own per run, so two runs at once (CI runs the
#: suite on SQLite and PostgreSQL side by side) do not empty each other's queues.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def database_url() -> str:
    return normalise_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{TMP / 'test.sqlite3'}"
    )


def test_config(**overrides: Any) -> dict[str, Any]:
    """The production configuration, with test values where tests need them."""
    os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-tests")
    return {
        **load_config(str(TMP / "instance")),
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url(),
        "MAIL_SERVER": "",
        "MAIL_DEFAULT_SENDER": "lp@example.com",
        "RATELIMIT_STORAGE_URI": "memory://",
        "REPORT_QUEUE_URL": "",
        "LIBRARY_EMBED_INLINE": True,  # vectors made as a debrief publishes, not in a thread
        "LIBRARY_WARM_UP": False,  # tests that want it make an app of their own
        "WEBHOOKS_BACKGROUND": False,  # webhook tests deliver when they choose, see tests/webhooks
        "SIGN_IN_RATE_LIMIT": "1000 per minute",
        "PASSWORD_HASH_PROFILE": "fast-for-tests",
        "BASE_URL": "http://localhost",
        **overrides,
    }


class Client(FlaskClient):
    """A test client that sends the CSRF token like the pages do.

    Each request runs in its own app context, as in production: otherwise it would share `g`
    (the signed-in user, the CSRF token) and the database session with the test around it.
    The test's own work is committed first so the request sees it and no lock is held, and the
    test's objects are reloaded afterwards so it sees what the request changed.
    """

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def, override]
        if has_app_context():
            db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # see what the request changed
        return response

    def csrf_token(self) -> str:
        response = self.get("/account")
        if response.status_code != 200:
            response = self.get("/login")
        page = response.get_data(as_text=True)
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.post(url, data={"csrf_token": self.csrf_token(), **(data or {})}, **kwargs)

    def api(self, method: str, url: str, json: Any = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        headers = kwargs.pop("headers", {})
        if method.upper() not in {"GET", "HEAD"}:
            headers.setdefault("X-CSRFToken", self.csrf_token())
        return self.open(url, method=method, json=json, headers=headers, **kwargs)

    def sign_in(self, user: User, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        return self.form("/login", {"email": user.email, "password": password})


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    app = create_app(test_config())
    app.test_client_class = Client
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _wipe() -> None:
    # DELETE, not TRUNCATE, on PostgreSQL too: TRUNCATE costs about 130 ms per test for 42
    # mostly empty tables, DELETE about 9 ms. Ids then start at 1 again, as after TRUNCATE.
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        for name in tables:
            conn.execute(text(f"DELETE FROM {name}"))
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"))


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.remove()
        _wipe()
        limiter.reset()
        # What is kept is keyed by versions and generations, which start again after the
        # wipe: the next test must not meet this one's.
        meaning._loaded = None
        for store in STORES:
            store.clear()
    for mail in (TMP / "instance" / "outbox").glob("*.eml"):
        mail.unlink()


@pytest.fixture
def client(app: Flask) -> Client:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def login_as(client: Client):  # type: ignore[no-untyped-def]
    """Create a person with these roles, sign them in on `client`, return them."""

    def _login(*roles: Role, **kwargs: Any) -> User:
        user = make_user(*roles, **kwargs)
        db.session.commit()
        response = client.sign_in(user)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return _login


@pytest.fixture
def outbox() -> Any:
    """The mail written to the instance outbox, oldest first, as text."""

    def _read() -> list[str]:
        folder = TMP / "instance" / "outbox"
        messages = [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(folder.glob("*.eml"))
        ]
        return [f"To: {m['To']}\nSubject: {m['Subject']}\n\n{m.get_content()}" for m in messages]

    return _read


@pytest.fixture
def count_queries(app: Flask):  # type: ignore[no-untyped-def]
    """A context manager counting SQL statements sent while it is open."""
    from contextlib import contextmanager

    @contextmanager
    def _count() -> Iterator[list[str]]:
        statements: list[str] = []

        def _record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", _record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", _record)

    return _count
