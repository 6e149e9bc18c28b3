"""The fields of each note type, with their limits; one checker for the sync API and the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.capture.models import NoteType
from app.capture.redaction import find_contacts, replace_found
from app.text import text_problem
from app.timefmt import YEARS

LABELS = ("surprise", "workaround", "roadblock", "own_words")


@dataclass(frozen=True)
class Text:
    max: int


@dataclass(frozen=True)
class TextList:
    max_items: int
    max: int


@dataclass(frozen=True)
class Scale:
    low: int
    high: int


@dataclass(frozen=True)
class Choices:
    options: tuple[str, ...]


@dataclass(frozen=True)
class Flag:
    pass


@dataclass(frozen=True)
class When:
    pass


@dataclass(frozen=True)
class Moments:
    max_items: int = 300


@dataclass(frozen=True)
class Duration:
    """Seconds, typed on the form as minutes:seconds (the call timer fills it)."""

    max: int = 86_400


Field = Text | TextList | Scale | Choices | Flag | When | Moments | Duration

COMMON: dict[str, Field] = {
    #: When it happened; a time without an offset is in the programme's zone (see sync).
    "observed_at": When(),
    "task_answer": Text(4000),
    "tags": TextList(20, 40),
}
FIELDS: dict[NoteType, dict[str, Field]] = {
    NoteType.OBSERVATION: {
        **COMMON,
        "customer": Text(200),  #: a few anonymous words, never a name
        "channel": Text(100),
        "place": Text(200),
        "did": Text(4000),
        "said": TextList(50, 1000),  #: verbatim quotes, one per item
        "asked": Text(2000),
        "answered": Text(2000),
        "needs": TextList(20, 300),
        "pain_points": TextList(20, 300),
        "delights": TextList(20, 300),
        "surprised": Text(2000),
        "labels": Choices(LABELS),
        "mood": Scale(1, 5),
        "consent": Flag(),
    },
    NoteType.CALL_NOTE: {
        **COMMON,
        "reason": Text(300),
        "customer_type": Text(100),
        "duration": Duration(),  #: how long the call lasted, in seconds
        #: the timeline: seconds into the call, what happened, the customer's own words
        "moments": Moments(),
        "effort": Scale(1, 7),
        "mood_start": Scale(1, 5),
        "mood_end": Scale(1, 5),
        "resolved_first_contact": Flag(),
        "root_cause": Text(1000),
        "do_better": Text(2000),
    },
}


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    value = value.strip()
    if len(value) > limit:
        raise ValueError(f"is too long ({len(value)} characters; at most {limit})")
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _check(spec: Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(spec, Text):
        return _text(value, spec.max)
    if isinstance(spec, TextList):
        if not isinstance(value, list):
            raise ValueError("must be a list of texts")
        if len(value) > spec.max_items:
            raise ValueError(f"has {len(value)} items; at most {spec.max_items}")
        return [t for t in (_text(v, spec.max) for v in value) if t]
    if isinstance(spec, Scale):
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not spec.low <= value <= spec.high
        ):
            raise ValueError(f"must be a whole number from {spec.low} to {spec.high}")
        return value
    if isinstance(spec, Choices):
        if not isinstance(value, list) or any(v not in spec.options for v in value):
            raise ValueError(f"must be a list of: {', '.join(spec.options)}")
        return sorted(set(value))
    if isinstance(spec, Flag):
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if isinstance(spec, When):
        try:
            parsed = datetime.fromisoformat(_text(value, 40))
        except ValueError as err:
            raise ValueError("must be an ISO 8601 date and time") from err
        if not YEARS[0] <= parsed.year <= YEARS[1]:  # before any arithmetic on it
            raise ValueError(f"must be between the years {YEARS[0]} and {YEARS[1]}")
        return parsed.isoformat()
    if isinstance(spec, Duration):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= spec.max:
            raise ValueError("must be a time like 04:30 (minutes:seconds), under 24 hours")
        return value
    return _moments(spec, value)


def _moments(spec: Moments, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or len(value) > spec.max_items:
        raise ValueError(f"must be a list of at most {spec.max_items} moments")
    moments = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"at", "what", "words"}:
            raise ValueError("each moment has a time (at), what happened and their words")
        at = item.get("at")
        if isinstance(at, bool) or not isinstance(at, int) or not 0 <= at <= 86_400:
            what = item.get("what") or item.get("words")
            which = f"“{what[:40]}”" if isinstance(what, str) and what else "each moment"
            raise ValueError(f"{which} needs its time into the call, like 02:15 (minutes:seconds)")
        moments.append(
            {
                "at": at,
                "what": _text(item.get("what", ""), 1000),
                "words": _text(item.get("words", ""), 1000),
            }
        )
    return sorted(moments, key=lambda m: m["at"])


def clean_fields(note_type: NoteType, fields: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields as stored, and a message per bad field (empty when all is well)."""
    if not isinstance(fields, dict):
        return {}, {"fields": "must be an object"}
    specs = FIELDS[note_type]
    clean: dict[str, Any] = {}
    errors = {name: "is not a field of this kind of note" for name in fields if name not in specs}
    for name, spec in specs.items():
        if name in fields:
            try:
                value = _check(spec, fields[name])
            except ValueError as err:
                errors[name] = str(err)
            else:
                if value not in (None, "", []):
                    clean[name] = value
    return clean, errors


def shared_copy(note_type: NoteType, fields: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The fields as everyone but the author and organisers sees them (each contact detail in
    the free text replaced by a marker), and the kinds of contact details found."""
    kinds: set[str] = set()

    def shared(text: str) -> str:
        found = find_contacts(text)
        kinds.update(f.kind for f in found)
        return replace_found(text, found)

    out: dict[str, Any] = {}
    specs = FIELDS[note_type]
    for name, value in fields.items():
        spec = specs.get(name)
        if isinstance(spec, Text):
            out[name] = shared(value)
        elif isinstance(spec, TextList):
            out[name] = [shared(v) for v in value]
        elif isinstance(spec, Moments):
            out[name] = [
                {**m, "what": shared(m["what"]), "words": shared(m["words"])} for m in value
            ]
        else:
            out[name] = value
    return out, sorted(kinds)
