"""The debrief PDF: what it says, in what order, on which page, and what it never fetches."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from app.debriefs import board as ops
from app.debriefs.report import bar_chart, report_html
from app.extensions import db
from app.pdf import BASE_URL, OwnFilesOnly, render_pdf
from tests.debriefs.conftest import write_note

HOSTILE = (
    '<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/passwd"> '
    "<style>body{background:url(http://198.51.100.7/x)}</style> "
    '<iframe src="http://198.51.100.7"></iframe> '
    "<script>alert(1)</script>"
)


def debriefed(fieldwork):  # type: ignore[no-untyped-def]
    debrief = fieldwork.open_debrief()
    prices = ops.move_cards(
        db.session,
        debrief,
        [fieldwork.notes[0].id],
        new_theme="Hidden unit prices",
        seen=debrief.version,
        user=fieldwork.people[0],
    )
    ops.move_cards(
        db.session,
        debrief,
        [fieldwork.notes[2].id],
        new_theme="Refunds are slow",
        seen=debrief.version,
        user=fieldwork.people[0],
    )
    ops.vote(db.session, debrief, prices.id, add=True, user=fieldwork.people[0])
    ops.save_insight(
        db.session,
        debrief,
        {
            "statement": "People cannot compare unit prices",
            "so_what": "Put the price per kilo on labels",
            "theme_id": prices.id,
            "evidence": [fieldwork.notes[0].id],
        },
        user=fieldwork.people[0],
    )
    ops.save_action(
        db.session,
        debrief,
        {"what": "Add unit prices to shelf labels", "owner": "Retail team"},
        user=fieldwork.people[0],
    )
    return debrief


def render(debrief, paper="a4"):  # type: ignore[no-untyped-def]
    html, fetcher = report_html(db.session, debrief, paper=paper)
    pdf, pages = render_pdf(html, fetcher)
    return PdfReader(io.BytesIO(pdf)), pages, fetcher


def page_texts(reader: PdfReader) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_the_pdf_says_it_all_in_order_with_contact_details_removed(fieldwork):
    reader, pages, _ = render(debriefed(fieldwork))
    text = " ".join(page_texts(reader))
    order = [
        "Debrief: closeness week",
        "Contents",
        "Summary",
        "Hidden unit prices",
        "People cannot compare unit prices",
        "Put the price per kilo on labels",
        "Why is the big one dearer per gram?",
        "Refunds are slow",
        "I want my money back",
        "Actions",
        "Add unit prices to shelf labels",
        "Appendix: every note by activity",
        "I can't carry this up the stairs",
    ]
    position = -1
    for words in order:  # each found after the one before it
        position = text.find(words, position + 1)
        assert position != -1, words
    assert "[phone number removed]" in text and "07700 900123" not in text
    assert pages == len(reader.pages) and reader.metadata.title == "Debrief: closeness week"


def test_every_page_but_the_cover_says_page_x_of_y(fieldwork):
    reader, pages, _ = render(debriefed(fieldwork))
    texts = page_texts(reader)
    assert "Page 1 of" not in texts[0]
    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} of {pages}" in text


def test_the_contents_point_at_the_right_pages(fieldwork):
    reader, _, _ = render(debriefed(fieldwork))
    texts = page_texts(reader)
    contents = texts[1].split("Contents ", 1)[1].split(" Summary Notes")[0]
    entries = re.findall(r"([A-Z][^.]+?) \.{3,} (\d+)", contents)
    assert [name for name, _ in entries][:4] == [
        "Insights at a glance",
        "Summary",
        "Hidden unit prices",
        "Refunds are slow",
    ]
    for name, page in entries:
        assert name.strip() in texts[int(page) - 1], (name, page)


def test_paper_sizes(fieldwork):
    debrief = debriefed(fieldwork)
    a4, _, _ = render(debrief, "a4")
    letter, _, _ = render(debrief, "letter")
    assert [round(float(x)) for x in a4.pages[0].mediabox[2:]] == [595, 842]
    assert [round(float(x)) for x in letter.pages[0].mediabox[2:]] == [612, 792]


def test_fonts_are_embedded_and_only_our_files_are_fetched(fieldwork):
    reader, _, fetcher = render(debriefed(fieldwork))
    fonts = reader.pages[2]["/Resources"]["/Font"]
    for ref in fonts.values():
        descriptor = ref.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
    assert fetcher.refused == []
    assert all(
        url.startswith((BASE_URL + "static/", BASE_URL + "photos/")) for url in fetcher.fetched
    )
    assert any(url.startswith(BASE_URL + "photos/") for url in fetcher.fetched)


def test_markup_in_notes_is_printed_as_text_and_fetches_nothing(fieldwork):
    write_note(
        fieldwork.people[0],
        fieldwork.slots[0],
        {"did": HOSTILE, "said": [HOSTILE[:900]], "tags": ["<b>x</b>"]},
    )
    debrief = fieldwork.open_debrief()
    ops.create_theme(db.session, debrief, HOSTILE[:200], user=fieldwork.people[0])
    reader, _, fetcher = render(debrief)
    text = " ".join(page_texts(reader))
    assert '<img src="file:///etc/passwd">' in text and "<script>alert(1)</script>" in text
    assert "root:" not in text
    assert fetcher.refused == []
    assert not any("etc/passwd" in url or "198.51.100.7" in url for url in fetcher.fetched)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://198.51.100.7/x.png",
        BASE_URL + "static/../app/config.py",
        BASE_URL + "static/../../etc/passwd",
        BASE_URL + "static/css/app.css?x=1",
        BASE_URL + "photos/999",
        "data:text/plain,hello",
    ],
)
def test_the_fetcher_refuses_everything_but_our_files(url):
    fetcher = OwnFilesOnly({"1": b"\xff\xd8"})
    with pytest.raises(ValueError, match="not one of this app's files"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert fetcher.fetch(BASE_URL + "photos/1").read() == b"\xff\xd8"


def test_chart_labels_are_escaped():
    svg = str(bar_chart([("<script>alert(1)</script>", 3), ("Prices", 1)]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and svg.count("<rect") == 2


def test_a_long_actions_table_repeats_its_header_on_every_page(fieldwork):
    debrief = fieldwork.open_debrief()
    for n in range(70):
        data = {"what": f"Action number {n} for the shop floor", "owner": "Retail team"}
        ops.save_action(db.session, debrief, data, user=fieldwork.people[0])
    reader, _, _ = render(debrief)
    pages = [t for t in page_texts(reader) if "Action number" in t]
    assert len(pages) >= 2
    assert all("What Owner Due Status" in text for text in pages)


def test_insights_at_a_glance_come_right_after_the_cover(fieldwork):
    debrief = debriefed(fieldwork)
    ops.save_insight(
        db.session,
        debrief,
        {"statement": "Refunds feel slow", "so_what": "Say when the money arrives"},
        user=fieldwork.people[0],
    )
    texts = page_texts(render(debrief)[0])
    assert texts[1].startswith("Insights at a glance")
    glance = texts[1].split("Contents")[0]
    assert (  # one entry each, in the order of the themes (by dots), then those without one
        "People cannot compare unit prices — So what: Put the price per kilo on labels "
        "Refunds feel slow — So what: Say when the money arrives" in glance
    )


def test_the_cover_says_what_it_is_in_plain_words(fieldwork):
    cover = page_texts(render(debriefed(fieldwork))[0])[0].replace(
        "DEBRIEF REPORT", "Debrief report"
    )
    for words in (
        "Debrief report",
        "Closeness week",  # the programme
        "The question we went out to answer",
        "3 people from across the company went out to watch and listen to customers, "
        "and wrote 3 notes.",
        "Out with customers",
        "3: 2 from watching or meeting customers, 1 from listening to calls",
        "1 insight, 2 themes, 1 action, and every note",
        "Email addresses, phone numbers and card numbers written in the notes are blanked out.",
    ):
        assert words in cover, words
    for jargon in ("version", "Board", "Activities:", "redact", "closeness debrief"):
        assert jargon not in cover, jargon


def test_each_quote_is_printed_once_on_its_theme_page(fieldwork):
    debrief = debriefed(fieldwork)
    theme = debrief.themes[0]  # "Hidden unit prices", holding notes[0]
    again = {"evidence": [fieldwork.notes[0].id], "theme_id": theme.id}
    ops.save_insight(
        db.session, debrief, {"statement": "Big packs look dear", **again}, user=fieldwork.people[0]
    )
    ops.save_insight(
        db.session,
        debrief,
        {"statement": "People ask out loud", "evidence": [fieldwork.notes[0].id]},
        user=fieldwork.people[0],
    )
    ops.save_insight(
        db.session,
        debrief,
        {"statement": "Prices confuse people", "evidence": [fieldwork.notes[0].id]},
        user=fieldwork.people[0],
    )
    text = " ".join(page_texts(render(debrief)[0]))
    themes, others = text.split("Refunds are slow 1 card")[0], text.split("Other insights")[-1]
    assert themes.count("“Why is the big one dearer per gram?”") == 1  # two insights, one theme
    assert "In customers' words" not in themes.split("Hidden unit prices 1 card")[1]
    assert others.split("Actions")[0].count("“Why is the big one dearer per gram?”") == 1


def rich_board(fieldwork, themes: int = 5, cards: int = 4):  # type: ignore[no-untyped-def]
    """A debrief the size of a real afternoon: themes of cards with insights and actions."""
    ann = fieldwork.people[0]
    groups = [
        [
            write_note(
                ann,
                fieldwork.slots[0],
                {
                    "customer": f"shopper {t}-{n}",
                    "did": "Picked up a pack, read the back, put it down again. " * 2,
                    "said": [f"Quote {t}-{n}: I would buy it if I knew what it costs per use"],
                    "tags": ["price"],
                },
            ).id
            for n in range(cards)
        ]
        for t in range(themes)
    ]
    debrief = fieldwork.open_debrief()
    for t, ids in enumerate(groups):
        theme = ops.move_cards(
            db.session, debrief, ids, new_theme=f"Theme {t}", seen=debrief.version, user=ann
        )
        for i in range(2):
            data = {
                "statement": f"Insight {t}.{i}: people cannot work out the cost per use",
                "so_what": "Print the cost per use on the front of every pack",
                "theme_id": theme.id,
                "evidence": ids[i * 2 : i * 2 + 2],
            }
            ops.save_insight(db.session, debrief, data, user=ann)
    for a in range(8):
        data = {"what": f"Action {a}: print the cost per use", "owner": "Packaging"}
        ops.save_action(db.session, debrief, data, user=ann)
    return debrief


MM = 72 / 25.4


def filled(page) -> float:  # type: ignore[no-untyped-def]
    """How far down its text area a page is written: 0 empty, 1 to the bottom margin."""
    top, bottom = float(page.mediabox[3]) - 22 * MM, 20 * MM  # the margins of pdf.css
    lines = []

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() and bottom < y < top:  # not the running header or the page number
            lines.append(y)

    page.extract_text(visitor_text=visit)
    return (top - min(lines, default=top)) / (top - bottom)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_page_is_left_nearly_empty(fieldwork, paper):
    """Sections run on: only the cover stands alone, and only the last page may be short."""
    reader, _, _ = render(rich_board(fieldwork), paper)
    fill = [round(filled(page), 2) for page in reader.pages]
    # A page is left short only where a heading keeps with its text or an insight stays whole.
    assert all(f > 0.6 for f in fill[1:-1]), fill


def test_a_small_debrief_fits_on_a_few_pages(fieldwork):
    reader, _, _ = render(debriefed(fieldwork))
    assert len(reader.pages) == 4, [round(filled(page), 2) for page in reader.pages]
