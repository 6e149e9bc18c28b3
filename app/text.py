"""Checks for text typed by people: length, and characters no database stores."""

from __future__ import annotations

from typing import Any

from wtforms.validators import ValidationError

from app.errors import DomainError


def text_problem(value: str) -> str | None:
    """Why this text cannot be stored, or None.

    PostgreSQL refuses NUL; lone surrogates fail on both databases.
    """
    if "\x00" in value:
        return "Remove the invisible NUL character from this text."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "This text contains characters that are not valid Unicode."
    return None


def clean_text(value: Any, *, field: str, max_length: int, required: bool = False) -> str:
    """Strip and check a text value for a service; raises DomainError naming the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(f"{field} must be text.", field=field)
    value = value.strip()
    if required and not value:
        raise DomainError(f"{field} is required.", field=field)
    if len(value) > max_length:
        raise DomainError(
            f"{field} is too long ({len(value)} characters; at most {max_length}).", field=field
        )
    problem = text_problem(value)
    if problem:
        raise DomainError(problem, field=field)
    return value


class SafeText:
    """WTForms validator wrapping text_problem()."""

    def __call__(self, form: Any, field: Any) -> None:
        if isinstance(field.data, str):
            problem = text_problem(field.data)
            if problem:
                raise ValidationError(problem)
