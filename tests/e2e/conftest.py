"""Browser tests: Debian's chromium driven by Playwright, in a phone viewport."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from app.extensions import write_intent
from tests.conftest import TMP, database_url
from tests.debriefs.conftest import fieldwork  # noqa: F401  (a programme with notes)
from tests.live_server import live_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {"executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(playwright: Any) -> dict[str, Any]:
    return {**playwright.devices["Pixel 7"], "locale": "en-GB"}


@pytest.fixture
def server() -> Iterator[str]:
    """A gunicorn server on the test database.

    The test's own reads then begin deferred transactions, so on SQLite they never hold the
    write lock the server's requests need.
    """
    token = write_intent.set(False)
    with live_server(database_url(), str(TMP / "instance")) as url:
        yield url
    write_intent.reset(token)
