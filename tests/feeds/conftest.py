"""The library of tests/insights (two published programmes), and a reader who joined before
they were published, so that what the library holds is new to them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import User
from app.db import utcnow
from app.extensions import db
from tests.debriefs.conftest import fieldwork as fieldwork
from tests.insights.conftest import Library
from tests.insights.conftest import library as library

__all__ = ["fieldwork", "library"]


@pytest.fixture
def reader(library: Library) -> User:
    """Finance: no channel is named like it, so the defaults bring every channel."""
    library.reader.created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    return library.reader
