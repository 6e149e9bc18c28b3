"""Small helpers shared by the HTML views."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

from flask import flash, get_flashed_messages, request
from flask_wtf import FlaskForm

from app.errors import DomainError
from app.extensions import db


def show_error(form: FlaskForm | None, err: DomainError) -> None:
    """Tie a refusal to its form field when there is one, else flash it; roll back the attempt."""
    db.session.rollback()
    field: Any = getattr(form, err.field, None) if form is not None and err.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, err.message]
    else:
        flash(err.message, "error")


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed (after sign-in, back to a search...)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    # Browsers read a backslash as a slash ("/\\evil.example" is another site) and drop tabs
    # and newlines from URLs.
    if any(c == "\\" or ord(c) < 32 for c in target):
        return default
    return target


#: Sent by the service worker when it fetches pages ahead for offline use (see static/sw.js).
WARMING_HEADER = "X-Page-Warm"


def page_flashes() -> list[tuple[str, str]]:
    """The messages for this page. A page fetched ahead for offline use leaves them for the
    page the person opens next: warming must not eat "You are checked in"."""
    if request.headers.get(WARMING_HEADER):
        return []
    return cast(list[tuple[str, str]], get_flashed_messages(with_categories=True))
