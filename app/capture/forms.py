"""Turning a posted capture form into note fields, by the same field specs the API checks."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from app.capture.models import NoteType
from app.capture.schema import FIELDS, Choices, Flag, Moments, Scale, TextList, When

MOMENT_LINE = re.compile(r"^\s*(?:(\d{1,3}):)?(\d{1,2}):(\d{2})\s*(.*)$")


def _moments(text: str) -> list[dict[str, Any]] | str:
    """Lines like `02:15 Asks for a refund | "I want my money back"`."""
    moments: list[dict[str, Any]] = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        match = MOMENT_LINE.match(line)
        if not match:
            return line  # kept as text so the checker explains what is wrong
        hours, minutes, seconds, rest = match.groups()
        what, _, words = rest.partition("|")
        moments.append(
            {
                "at": int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds),
                "what": what.strip(),
                "words": words.strip().strip('"“”'),
            }
        )
    return moments


def fields_from_form(note_type: NoteType, form: MultiDict[str, str]) -> dict[str, Any]:
    """Form values as note fields; unparseable values are passed on for the checker to refuse."""
    fields: dict[str, Any] = {}
    for name, spec in FIELDS[note_type].items():
        if isinstance(spec, Choices):
            fields[name] = form.getlist(name)
            continue
        raw = form.get(name, "").strip()
        if not raw:
            continue
        if isinstance(spec, TextList):
            separator = "," if name == "tags" else "\n"
            fields[name] = [part.strip() for part in raw.split(separator) if part.strip()]
        elif isinstance(spec, Scale):
            fields[name] = int(raw) if raw.isdigit() else raw
        elif isinstance(spec, Flag):
            fields[name] = raw in {"yes", "on", "true"}
        elif isinstance(spec, Moments):
            fields[name] = _moments(raw)
        elif isinstance(spec, When):
            fields[name] = raw
        else:
            fields[name] = raw
    return fields
