"""Exports of a library search: CSV for spreadsheets, a REFI-QDA project for QDA software.

Pure functions over plain data, so views, the API and background jobs share them.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree

#: Fixed namespace of our uuid5 GUIDs. Never change it: QualCoder, ATLAS.ti, MAXQDA and NVivo
#: recognise a re-imported source or code by its GUID.
GUID_NAMESPACE = uuid.UUID("cb172b1e-46da-4d84-b248-8e70fc2062de")
QDA_NS = "urn:QDA-XML:project:1.0"
_XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'

# XML 1.0 cannot hold other control characters, lone surrogates, U+FFFE or U+FFFF; a note
# carrying one would make project.qde unreadable to every importer.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# OWASP CSV injection: Excel and LibreOffice run a cell starting with these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class QdaSource:
    """One field note as a plain-text source."""

    key: str  #: stable id of ours, e.g. "note-12"
    name: str
    text: str  #: the redacted note text; selections count its code points


@dataclass(frozen=True)
class QdaCode:
    """A theme or an insight as a code; insights can be child codes of their theme."""

    key: str
    name: str
    description: str
    parent_key: str | None = None


@dataclass(frozen=True)
class QdaSelection:
    """A coded piece of a source (evidence): text[start:end] in Unicode code points."""

    source_key: str
    code_key: str
    start: int
    end: int


@dataclass(frozen=True)
class QdaProject:
    """Everything one .qdpx file holds."""

    name: str
    origin: str
    user_name: str
    created: datetime  #: aware; written in UTC
    sources: list[QdaSource]
    codes: list[QdaCode]
    selections: list[QdaSelection]


def to_csv(header: list[str], rows: Iterable[list[object]]) -> str:
    """Render rows as RFC 4180 CSV that spreadsheets open safely and with accents intact."""
    out = io.StringIO()
    # Without a BOM Excel reads a CSV in the local ANSI code page and "café" shows as "cafÃ©".
    out.write("\ufeff")
    # RFC 4180 ends records with CRLF; QUOTE_MINIMAL then quotes any cell holding CR or LF,
    # so newlines inside a note stay inside its cell.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return out.getvalue()


def to_qdpx(project: QdaProject) -> bytes:
    """Build a REFI-QDA 1.0 project exchange file (.qdpx) from a search result."""
    _check(project)
    created = project.created.astimezone(UTC)
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    user_guid = _guid("user", project.user_name)

    # ElementTree's default_namespace refuses unqualified attributes, which this schema uses
    # throughout; declaring xmlns on the root puts every element in the namespace instead.
    root = _element(
        "Project",
        xmlns=QDA_NS,
        name=project.name,
        origin=project.origin,
        creatingUserGUID=user_guid,
        creationDateTime=stamp,
    )
    users = _element("Users")
    users.append(_element("User", guid=user_guid, name=project.user_name))
    root.append(users)
    # The schema wants at least one Code in a CodeBook and one source in Sources.
    if project.codes:
        codes = _element("Codes")
        codes.extend(_code_tree(project.codes))
        codebook = _element("CodeBook")
        codebook.append(codes)
        root.append(codebook)
    if project.sources:
        sources = _element("Sources")
        # The same evidence listed twice would give two selections one GUID: keep it once.
        by_source: dict[str, list[QdaSelection]] = {}
        for sel in dict.fromkeys(project.selections):
            by_source.setdefault(sel.source_key, []).append(sel)
        sources.extend(
            _text_source(source, by_source.get(source.key, []), user_guid, stamp)
            for source in project.sources
        )
        root.append(sources)
    # ElementTree writes its declaration in single quotes; the standard's examples and the
    # files ATLAS.ti and QualCoder write use double quotes: give importers the form they know.
    qde = _XML_DECLARATION + ElementTree.tostring(root, encoding="unicode").encode("utf-8")

    # A fixed timestamp on every entry makes the same input give the same bytes.
    zip_time = (
        created.year,
        created.month,
        created.day,
        created.hour,
        created.minute,
        created.second,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, "project.qde", qde, zip_time)
        for source in project.sources:
            # UTF-8 without a BOM: positions count code points from the file's first one,
            # and QualCoder reads a BOM as a character, shifting every coding by one.
            name = f"sources/{_guid('source', source.key)}.txt"
            _add(archive, name, source.text.encode("utf-8"), zip_time)
    return buffer.getvalue()


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    # A real number cannot carry a formula, and prefixing it would turn -2 into text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _check(project: QdaProject) -> None:
    if project.created.tzinfo is None:
        raise ValueError("The project's creation time must be timezone-aware (UTC).")
    _check_unique([source.key for source in project.sources], "source")
    _check_unique([code.key for code in project.codes], "code")
    texts = {source.key: source.text for source in project.sources}
    codes = {code.key for code in project.codes}
    for code in project.codes:
        if code.parent_key is not None and code.parent_key not in codes:
            raise ValueError(
                f"Code {code.key!r} names parent {code.parent_key!r}, which is not in the export."
            )
    for sel in project.selections:
        where = f"Selection {sel.start} to {sel.end} of source {sel.source_key!r}"
        if sel.source_key not in texts:
            raise ValueError(f"{where} refers to a source that is not in the export.")
        if sel.code_key not in codes:
            raise ValueError(
                f"{where} refers to code {sel.code_key!r}, which is not in the export."
            )
        length = len(texts[sel.source_key])
        if not 0 <= sel.start < sel.end <= length:
            raise ValueError(
                f"{where} falls outside its text of {length} characters; offsets count "
                "Unicode code points from 0, the end exclusive, and must select something."
            )


def _check_unique(keys: list[str], kind: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            # Two items with one key would share a GUID, and importers would merge them.
            raise ValueError(f"The {kind} key {key!r} appears twice; each {kind} needs its own.")
        seen.add(key)


def _code_tree(codes: list[QdaCode]) -> list[ElementTree.Element]:
    children: dict[str | None, list[QdaCode]] = {}
    for code in codes:
        children.setdefault(code.parent_key, []).append(code)
    placed = 0

    def build(code: QdaCode) -> ElementTree.Element:
        nonlocal placed
        placed += 1
        element = _element("Code", guid=_guid("code", code.key), name=code.name, isCodable="true")
        if code.description:
            element.append(_element("Description", text=code.description))
        element.extend(build(child) for child in children.get(code.key, []))
        return element

    tree = [build(code) for code in children.get(None, [])]
    # Codes whose parents form a loop never hang from a top-level code.
    if placed != len(codes):
        raise ValueError("Some codes' parent_key values form a loop; a code cannot contain itself.")
    return tree


def _text_source(
    source: QdaSource, selections: list[QdaSelection], user_guid: str, stamp: str
) -> ElementTree.Element:
    guid = _guid("source", source.key)
    element = _element(
        "TextSource",
        guid=guid,
        name=source.name,
        plainTextPath=f"internal://{guid}.txt",
        creatingUser=user_guid,
        creationDateTime=stamp,
    )
    for sel in selections:
        ident = f"{sel.source_key}:{sel.start}:{sel.end}:{sel.code_key}"
        selection = _element(
            "PlainTextSelection",
            guid=_guid("selection", ident),
            startPosition=str(sel.start),
            endPosition=str(sel.end),
            creatingUser=user_guid,
            creationDateTime=stamp,
        )
        coding = _element(
            "Coding", guid=_guid("coding", ident), creatingUser=user_guid, creationDateTime=stamp
        )
        coding.append(_element("CodeRef", targetGUID=_guid("code", sel.code_key)))
        selection.append(coding)
        element.append(selection)
    return element


def _element(tag: str, text: str | None = None, **attributes: str) -> ElementTree.Element:
    element = ElementTree.Element(
        tag, {name: _xml_text(value) for name, value in attributes.items()}
    )
    if text is not None:
        element.text = _xml_text(text)
    return element


def _xml_text(value: str) -> str:
    return _NOT_XML_CHAR.sub("", value)


def _guid(kind: str, key: str) -> str:
    # The kind keeps a note and a theme that share a key apart.
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


def _add(
    archive: zipfile.ZipFile, name: str, data: bytes, when: tuple[int, int, int, int, int, int]
) -> None:
    info = zipfile.ZipInfo(name, date_time=when)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)
