"""The feeds tests' library and reader: a digest holds what For you holds."""

from __future__ import annotations

from tests.feeds.conftest import fieldwork as fieldwork
from tests.feeds.conftest import library as library
from tests.feeds.conftest import reader as reader

__all__ = ["fieldwork", "library", "reader"]
