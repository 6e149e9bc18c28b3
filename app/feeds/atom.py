"""Atom 1.0 (RFC 4287) documents of a feed, for any feed reader, Teams or Slack."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from app.db import utcnow
from app.feeds.services import Item
from app.mail import external_url

ATOM = "http://www.w3.org/2005/Atom"
#: Characters XML 1.0 cannot hold at all, even escaped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return NOT_XML.sub("", value)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _urn(name: str) -> str:
    """A permanent id for the feed or an entry: a name-based UUID of its address, as a URN
    (the feed's own address holds a secret that changes)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = _text(text)
    return element


def summary(item: Item) -> str:
    parts = []
    if item.so_what:
        parts.append(f"So what: {item.so_what}")
    if item.quote:
        parts.append(f"“{item.quote}”")
    parts.append(" · ".join(p for p in (item.programme, *item.reasons) if p))
    return "\n\n".join(parts)


def atom_document(*, title: str, name: str, self_url: str, items: list[Item]) -> bytes:
    """The feed named `name` (a stable path, for its id) with these items, newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", _urn(external_url("feeds.for_you") + name))
    _add(feed, "title", title)
    newest = max((i.doc.published_at for i in items), default=None)
    _add(feed, "updated", _when(newest or utcnow()))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=external_url("feeds.for_you"))
    _add(_add(feed, "author"), "name", "Listening Post")
    _add(feed, "generator", "Listening Post")
    for item in items:
        link = external_url("insights.show", insight_id=item.doc.insight_id)
        entry = _add(feed, "entry")
        _add(entry, "id", _urn(link))
        _add(entry, "title", item.statement)
        _add(entry, "updated", _when(item.doc.published_at))
        _add(entry, "published", _when(item.doc.published_at))
        _add(entry, "link", rel="alternate", type="text/html", href=link)
        for reason in item.reasons:
            _add(entry, "category", term=_text(reason)[:200])
        _add(entry, "summary", summary(item), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)  # type: ignore[no-any-return]
