"""Fixtures shared with other features' tests."""

from tests.debriefs.conftest import fieldwork  # noqa: F401  (a programme with notes to debrief)
