"""What is typed on a debrief board is shared with every reader (the board, the published
debrief, its PDF, the API, the library and For you), so contact details are removed from it as
it is saved, with the same redaction as notes. The person who typed them is told what was
removed and from where, and keeps everything else they typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from app.capture.redaction import LABELS, find_contacts, redact
from app.errors import DomainError
from app.text import clean_text

NOTICE = "{a} {kind} was removed from the {where}: contact details are never shared."


@dataclass(frozen=True)
class Removed:
    """One kind of contact detail taken out of one field."""

    field: str  #: the field's name in the API: so_what, owner…
    kind: str  #: email, phone, card or iban
    where: str  #: the field in words: "insight's so what"

    @property
    def message(self) -> str:
        label = LABELS[self.kind]
        article = "An" if label[0] in "aeiouAEIOU" else "A"
        return NOTICE.format(a=article, kind=label, where=self.where)

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "kind": self.kind, "message": self.message}


#: What the last save of each board object removed, until the view reads it (removed_from).
_removed: WeakKeyDictionary[Any, list[Removed]] = WeakKeyDictionary()


def shared_text(
    thing: Any,
    value: Any,
    *,
    name: str,
    field: str,
    where: str,
    max_length: int,
    required: bool = False,
) -> str:
    """The text as every reader will see it: checked like any text, contact details removed
    (what was removed is kept for `removed_from(thing)`)."""
    text = clean_text(value, field=field, max_length=max_length, required=required)
    kinds = list(dict.fromkeys(f.kind for f in find_contacts(text)))
    if not kinds:
        return text
    redacted = redact(text)
    if len(redacted) > max_length:
        raise DomainError(
            f"{field} holds contact details, which are never shared: take them out "
            f"(or shorten it to fit in {max_length} characters once they are removed).",
            field=name,
        )
    _removed.setdefault(thing, []).extend(Removed(name, kind, where) for kind in kinds)
    return redacted


def removed_from(*things: Any) -> list[Removed]:
    """What saving these objects removed from their texts; asked once, then forgotten."""
    return [r for thing in things if thing is not None for r in _removed.pop(thing, [])]
