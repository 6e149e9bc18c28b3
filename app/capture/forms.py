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
        if name == "tags":  # tags picked from the programme's, then tags typed
            picked = [t for t in form.getlist("tag_picks") if t.strip()]
            raw = ", ".join([*picked, raw]) if raw else ", ".join(picked)
        if not raw:
            continue
        if isinstance(spec, TextList):
            separator = "," if name == "tags" else "\n"
            parts = [part.strip() for part in raw.split(separator) if part.strip()]
            fields[name] = list(dict.fromkeys(parts)) if name == "tags" else parts
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


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    clock = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{hours}:{clock}" if hours else clock


def form_values(note_type: NoteType, fields: dict[str, Any]) -> MultiDict[str, str]:
    """A stored note's fields as the capture form shows them, for editing."""
    values: MultiDict[str, str] = MultiDict()
    for name, spec in FIELDS[note_type].items():
        value = fields.get(name)
        if value is None:
            continue
        if isinstance(spec, Choices):
            values.setlist(name, list(value))
        elif isinstance(spec, TextList):
            values[name] = (", " if name == "tags" else "\n").join(value)
        elif isinstance(spec, Moments):
            values[name] = "\n".join(
                f"{_clock(m['at'])} {m['what']}" + (f" | {m['words']}" if m["words"] else "")
                for m in value
            )
        elif isinstance(spec, Flag):
            values[name] = "yes" if value else "no"
        else:
            values[name] = str(value)
    return values
