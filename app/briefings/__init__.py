"""Briefing packs and sessions, tasks for each person, and readiness before going out."""
