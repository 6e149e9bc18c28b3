"""Photos: only real images, re-encoded without metadata, limited, and attached once."""

from __future__ import annotations

import io
import struct
import uuid
import zlib

import pytest
from PIL import Image

from app.capture.models import Note
from app.capture.photos import (
    MAX_BYTES,
    attach_photo,
    check_photo_rules,
    delete_photo,
    prepare,
)
from app.capture.sync import sync
from app.db import utcnow
from app.errors import Conflict, DomainError, NotAllowed
from app.extensions import db
from tests.capture.test_sync import item
from tests.factories import jpeg_bytes, make_user


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares a size without carrying the pixels: what a decompression bomb does."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "Phone X"  # camera model
    exif[0x0112] = 6  # orientation: rotated 90° when taken
    exif.get_ifd(0x8825)[2] = (48.0, 51.0, 24.0)  # latitude
    return exif.tobytes()


def test_photo_is_reencoded_upright_without_exif_or_gps():
    prepared = prepare(io.BytesIO(jpeg_bytes((64, 48), exif=gps_exif())))
    stored = Image.open(io.BytesIO(prepared.data))
    assert stored.format == "JPEG"
    assert stored.size == (48, 64) == (prepared.width, prepared.height)  # turned upright
    assert not stored.getexif() and b"Phone X" not in prepared.data


def test_an_iphone_heic_photo_becomes_a_jpeg():
    heic = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 30)).save(heic, "HEIF")
    prepared = prepare(io.BytesIO(heic.getvalue()))
    assert Image.open(io.BytesIO(prepared.data)).format == "JPEG"
    assert (prepared.width, prepared.height) == (64, 48)


def test_a_big_photo_is_shrunk_to_print_size_with_a_thumbnail():
    prepared = prepare(io.BytesIO(jpeg_bytes((4000, 3000))))
    assert (prepared.width, prepared.height) == (1600, 1200)
    assert Image.open(io.BytesIO(prepared.thumb)).size == (320, 240)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "not a photo"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not a photo"),
        (b"GIF89a" + b"\0" * 100, "not a photo"),
        (jpeg_bytes()[:200], "not a photo"),  # cut short
        (b"", "empty"),
        (png_header(8000, 8000), "too many pixels"),  # 64 megapixels declared
        (png_header(100_000, 100_000), "too many pixels"),  # Pillow's own bomb limit
    ],
)
def test_files_that_are_not_acceptable_photos_are_refused(content, message):
    with pytest.raises(DomainError, match=message):
        prepare(io.BytesIO(content))


def test_a_file_over_15_mb_is_refused_without_reading_it_all():
    stream = io.BytesIO(b"\xff" * (MAX_BYTES + 10))
    with pytest.raises(DomainError, match="at most 15 MB"):
        prepare(stream)
    assert stream.tell() == MAX_BYTES + 1


def _note(field, **fields):  # type: ignore[no-untyped-def]
    person, slot = field
    [saved] = sync(db.session, [item(slot, fields=fields or {"did": "Looked"})], user=person)
    return person, db.session.get(Note, saved.id)


def _attach(note, person, client_id=None):  # type: ignore[no-untyped-def]
    return attach_photo(
        db.session,
        note,
        prepare(io.BytesIO(jpeg_bytes())),
        client_id=client_id or str(uuid.uuid4()),
        shows_person=False,
        consent=False,
        user=person,
    )


def test_a_recognisable_person_needs_consent_and_a_note_holds_five(field):
    person, note = _note(field)
    with pytest.raises(DomainError, match="confirm they agreed"):
        check_photo_rules(note, 1, shows_person=True, consent=False)
    check_photo_rules(note, 1, shows_person=True, consent=True)
    for _ in range(4):
        _attach(note, person)
    check_photo_rules(note, 1, shows_person=False, consent=False)
    _attach(note, person)
    with pytest.raises(DomainError, match="at most 5 photos"):
        check_photo_rules(note, 1, shows_person=False, consent=False)


def test_only_the_author_changes_photos_and_never_after_the_debrief(field):
    person, note = _note(field)
    photo, created = _attach(note, person)
    assert created
    with pytest.raises(NotAllowed):
        _attach(note, make_user())
    with pytest.raises(NotAllowed):
        delete_photo(db.session, photo, user=make_user())
    note.locked_at = utcnow()
    with pytest.raises(Conflict, match="locked"):
        delete_photo(db.session, photo, user=person)
    note.locked_at = None
    delete_photo(db.session, photo, user=person)
    assert note.photos == []
