"""The briefing pack's Markdown is rendered by a parser and then sanitised: hostile input."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.briefings.markdown import render_markdown


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        "<style>body{display:none}</style>",
        '<div onclick="alert(1)">x</div>',
        "<svg onload=alert(1)>",
    ],
)
def test_hostile_markdown_cannot_run_script(hostile):
    elements = parse(str(render_markdown(hostile)))
    assert {tag for tag, _ in elements} <= {"p", "a", "img"}
    for _, attrs in elements:
        assert not any(name.startswith("on") for name in attrs)
        for url in (attrs.get("href"), attrs.get("src")):
            assert (
                url is None
                or url.split(":")[0].lower() in {"http", "https", "mailto"}
                or url.startswith("/")
            )


def parse(html: str) -> list[tuple[str, dict[str, str]]]:
    """The elements of an HTML fragment: what a browser would build, not the text it shows."""
    found: list[tuple[str, dict[str, str]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
            found.append((tag, {k: v or "" for k, v in attrs}))

    Collector().feed(html)
    return found


def test_images_only_from_this_site():
    html = str(
        render_markdown(
            "![a](https://evil.example/t.png) ![b](//evil.example/t.png) "
            "![c](/static/icons/icon-192.png)"
        )
    )
    assert "evil.example" not in html
    assert 'src="/static/icons/icon-192.png"' in html


def test_ordinary_markdown_is_kept():
    html = str(render_markdown("# Objectives\n\n- **Watch** first\n- [Guide](https://example.com)"))
    assert "<h2>Objectives</h2>" in html  # h1 belongs to the page
    assert "<strong>Watch</strong>" in html
    assert 'href="https://example.com"' in html and 'rel="noopener noreferrer nofollow"' in html
