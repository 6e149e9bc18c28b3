"""Small helpers shared by the HTML views."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash
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
    """Only same-site relative paths are followed after sign-in."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
