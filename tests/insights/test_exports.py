"""CSV and REFI-QDA (.qdpx) exports of a library search result."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema

from app.insights.exports import (
    QdaCode,
    QdaProject,
    QdaSelection,
    QdaSource,
    to_csv,
    to_qdpx,
)

SCHEMA = Path(__file__).parent / "refi-qda" / "Project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}

# Accents, an emoji outside the BMP (one code point, two UTF-16 units, four UTF-8 bytes),
# markup characters and a line break, so offsets and escaping are both put to the test.
COUNTER_TEXT = 'Kundin, ca. 60: "Zu teuer für 2 € 😅" <b>&</b>\nSie ging zum Regal zurück.'
CALL_TEXT = "Anrufer ärgert sich: «Die Rechnung ist falsch» & legt auf. Ça arrive 🙃."
EVIDENCE = {
    ("note-1", "theme-price"): '"Zu teuer für 2 € 😅" <b>&</b>',
    ("note-1", "insight-shelf"): "Sie ging zum Regal zurück.",
    ("note-2", "theme-price"): "«Die Rechnung ist falsch» & legt auf",
}


def _selection(source: QdaSource, code_key: str) -> QdaSelection:
    quote = EVIDENCE[(source.key, code_key)]
    start = source.text.index(quote)
    return QdaSelection(source.key, code_key, start, start + len(quote))


def make_project(**changes: object) -> QdaProject:
    counter = QdaSource("note-1", "Observation, Behind the counter, 3 Mar 2026", COUNTER_TEXT)
    call = QdaSource("note-2", "Call note, Service centre <Köln> & co, 4 Mar 2026", CALL_TEXT)
    project = QdaProject(
        name='Customer closeness week, "März"',
        origin="Listening Post",
        user_name="Zoë Organiser",
        created=datetime(2026, 3, 5, 9, 30, tzinfo=UTC),
        sources=[counter, call],
        codes=[
            QdaCode("theme-price", 'Price <shock> & "value"\x07', "People balk\x0b at prices."),
            QdaCode("insight-shelf", "Shoppers walk away", "Evidence: shelf", "theme-price"),
        ],
        selections=[
            _selection(counter, "theme-price"),
            _selection(counter, "insight-shelf"),
            _selection(call, "theme-price"),
        ],
    )
    return replace(project, **changes)  # type: ignore[arg-type]


def read_qdpx(data: bytes) -> tuple[zipfile.ZipFile, ElementTree.Element]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return archive, ElementTree.fromstring(archive.read("project.qde"))


def test_project_file_is_valid_against_the_published_refi_qda_schema() -> None:
    archive, _ = read_qdpx(to_qdpx(make_project()))

    xmlschema.XMLSchema(SCHEMA).validate(io.BytesIO(archive.read("project.qde")))


def test_every_source_text_is_stored_as_utf8_without_bom() -> None:
    project = make_project()
    archive, root = read_qdpx(to_qdpx(project))

    by_name = {source.name: source.text for source in project.sources}
    elements = root.findall("q:Sources/q:TextSource", NS)
    assert len(elements) == len(project.sources)
    for element in elements:
        path = element.get("plainTextPath", "")
        assert path == f"internal://{element.get('guid')}.txt"
        stored = archive.read("sources/" + path.removeprefix("internal://"))
        assert not stored.startswith(b"\xef\xbb\xbf")
        assert stored.decode("utf-8") == by_name[element.get("name", "")]
    assert sorted(archive.namelist())[0] == "project.qde"


def test_selection_offsets_count_code_points_and_pick_out_the_evidence() -> None:
    project = make_project()
    archive, root = read_qdpx(to_qdpx(project))

    codes = {code.get("guid"): code.get("name") for code in root.iter(f"{{{NS['q']}}}Code")}
    names = {code.name.replace("\x07", ""): code.key for code in project.codes}
    found = set()
    for source in root.findall("q:Sources/q:TextSource", NS):
        text = archive.read("sources/" + source.get("guid", "") + ".txt").decode("utf-8")
        key = next(s.key for s in project.sources if s.name == source.get("name"))
        for selection in source.findall("q:PlainTextSelection", NS):
            ref = selection.find("q:Coding/q:CodeRef", NS)
            assert ref is not None
            assert ref.get("targetGUID") in codes
            code_key = names[codes[ref.get("targetGUID")] or ""]
            start = int(selection.get("startPosition", ""))
            end = int(selection.get("endPosition", ""))
            assert text[start:end] == EVIDENCE[(key, code_key)]
            found.add((key, code_key))
    assert found == set(EVIDENCE)


def test_insight_is_nested_as_child_code_of_its_theme_with_markup_escaped() -> None:
    _, root = read_qdpx(to_qdpx(make_project()))

    (theme,) = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert theme.get("name") == 'Price <shock> & "value"'  # the bell character is stripped
    assert theme.get("isCodable") == "true"
    assert theme.findtext("q:Description", namespaces=NS) == "People balk at prices."
    (insight,) = theme.findall("q:Code", NS)
    assert insight.get("name") == "Shoppers walk away"
    assert root.get("name") == 'Customer closeness week, "März"'
    assert root.find("q:Users/q:User", NS).get("name") == "Zoë Organiser"  # type: ignore[union-attr]


def test_guids_are_stable_across_exports() -> None:
    first = to_qdpx(make_project())

    assert to_qdpx(make_project()) == first
    # A later export with other notes keeps the identity of the note both contain.
    project = make_project()
    later = make_project(sources=project.sources[:1], selections=project.selections[:2])
    path = "q:Sources/q:TextSource[@name='Observation, Behind the counter, 3 Mar 2026']"
    old = read_qdpx(first)[1].find(path, NS)
    new = read_qdpx(to_qdpx(later))[1].find(path, NS)
    assert old is not None and new is not None
    assert old.get("guid") == new.get("guid")


def test_repeated_evidence_is_exported_once() -> None:
    project = make_project()
    doubled = make_project(selections=[*project.selections, project.selections[0]])

    _, root = read_qdpx(to_qdpx(doubled))

    assert len(root.findall(".//q:PlainTextSelection", NS)) == len(project.selections)


def test_export_without_codes_or_sources_is_still_valid() -> None:
    data = to_qdpx(make_project(codes=[], sources=[], selections=[]))

    archive, _ = read_qdpx(data)
    assert archive.namelist() == ["project.qde"]
    xmlschema.XMLSchema(SCHEMA).validate(io.BytesIO(archive.read("project.qde")))


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (QdaSelection("note-1", "theme-price", 10, len(COUNTER_TEXT) + 1), "falls outside"),
        (QdaSelection("note-1", "theme-price", -1, 5), "falls outside"),
        (QdaSelection("note-1", "theme-price", 5, 5), "must select something"),
        (QdaSelection("note-9", "theme-price", 0, 5), "source that is not in the export"),
        (QdaSelection("note-1", "theme-gone", 0, 5), "code 'theme-gone'"),
    ],
)
def test_bad_selection_is_refused_with_a_clear_message(
    selection: QdaSelection, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        to_qdpx(make_project(selections=[selection]))


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ([QdaCode("a", "A", "", "missing")], "names parent 'missing'"),
        ([QdaCode("a", "A", "", "b"), QdaCode("b", "B", "", "a")], "form a loop"),
        ([QdaCode("a", "A", ""), QdaCode("a", "A again", "")], "code key 'a' appears twice"),
    ],
)
def test_bad_codes_are_refused(codes: list[QdaCode], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        to_qdpx(make_project(codes=codes, selections=[]))


def test_naive_creation_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        to_qdpx(make_project(created=datetime(2026, 3, 5, 9, 30)))


def parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_csv_neutralises_formulas() -> None:
    cells = ['=HYPERLINK("http://evil.example","Click")', "+1", "-2", "@SUM(A1:A9)", "\tx", "\rx"]

    rows = parse_csv(to_csv(["quote"], [[cell] for cell in cells]))

    assert rows == [["quote"], *[["'" + cell] for cell in cells]]


def test_csv_keeps_newlines_quotes_accents_and_numbers() -> None:
    quote = 'Sie sagte "zu teuer",\nund ging. Café 😅'

    out = to_csv(["quote", "votes", "delta", "note"], [[quote, 3, -2, None]])

    assert out.encode("utf-8").startswith(b"\xef\xbb\xbf")  # Excel then reads UTF-8
    assert out.endswith("\r\n")
    assert parse_csv(out) == [["quote", "votes", "delta", "note"], [quote, "3", "-2", ""]]
