"""Turning a posted capture form into note fields, by the same field specs the API checks."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from app.capture.models import NoteType
from app.capture.schema import FIELDS, Choices, Duration, Flag, Moments, Scale, TextList, When

MOMENT_LINE = re.compile(r"^\s*(?:(\d{1,3}):)?(\d{1,2}):(\d{2})\s*(.*)$")
CLOCK = re.compile(r"^\s*(?:(\d{1,3}):)?(\d{1,3}):(\d{2})\s*$")
#: Empty moment rows the form offers below the ones typed (more come with "Add a moment").
BLANK_MOMENTS = 3


def _seconds(text: str) -> int | str:
    """`04:30` or `1:04:30` as seconds; anything else is passed on for the checker to refuse."""
    match = CLOCK.match(text)
    if not match:
        return text
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


def _moment_rows(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    """The form's moment rows (time, what happened, their words); rows left empty are skipped."""
    rows = zip(
        form.getlist("moment_at"),
        form.getlist("moment_what"),
        form.getlist("moment_words"),
        strict=False,
    )
    moments: list[dict[str, Any]] = []
    for at, what, words in rows:
        if not (at.strip() or what.strip() or words.strip()):
            continue
        quote = words.strip().strip('"“”')  # the form shows the quote marks around it already
        moments.append({"at": _seconds(at) if at.strip() else None, "what": what, "words": quote})
    return moments


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
        if isinstance(spec, Moments):
            # One row per moment; a page cached before the rows came posts one text instead.
            legacy = _moments(form.get(name, ""))
            rows = _moment_rows(form)
            if isinstance(legacy, str) or rows or legacy:
                fields[name] = legacy if isinstance(legacy, str) else [*legacy, *rows]
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
        elif isinstance(spec, Duration):
            fields[name] = _seconds(raw)
        elif isinstance(spec, When):
            fields[name] = raw
        else:
            fields[name] = raw
    return fields


def moment_rows(values: MultiDict[str, str]) -> list[tuple[str, str, str]]:
    """The moment rows typed so far (time, what happened, their words), for the form to show."""
    rows = zip(
        values.getlist("moment_at"),
        values.getlist("moment_what"),
        values.getlist("moment_words"),
        strict=False,
    )
    return [row for row in rows if any(part.strip() for part in row)]


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
            values.setlist("moment_at", [_clock(m["at"]) for m in value])
            values.setlist("moment_what", [m["what"] for m in value])
            values.setlist("moment_words", [m["words"] for m in value])
        elif isinstance(spec, Duration):
            values[name] = _clock(value)
        elif isinstance(spec, Flag):
            values[name] = "yes" if value else "no"
        else:
            values[name] = str(value)
    return values
