"""Markdown for briefing packs: CommonMark without raw HTML, then an allow-list sanitiser."""

from __future__ import annotations

from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


def _same_site(url: str) -> bool:
    parts = urlsplit(url)
    return (
        not parts.scheme and not parts.netloc and url.startswith("/") and not url.startswith("//")
    )


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if _same_site(value) else None  # images only from this site
    if tag == "a" and attribute == "href":
        scheme = urlsplit(value).scheme.lower()
        return (
            value
            if scheme in {"", "http", "https", "mailto"} and not value.startswith("//")
            else None
        )
    return value


def render_markdown(text: str) -> Markup:
    """Safe HTML for a briefing pack; headings start at h2 (the page owns h1)."""
    html = _parser.render(text).replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_filter,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704  (sanitised just above)
