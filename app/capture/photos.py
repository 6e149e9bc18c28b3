"""Photos on notes: checked to be real photos, re-encoded without metadata, attached once.

Every upload is decoded and saved again as a JPEG, so what is stored and served is pixels only:
no EXIF, no GPS, no script hidden in a file that merely claims to be an image.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import IO

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.capture.models import Note, Photo
from app.db import DbSession
from app.errors import Conflict, DomainError, NotAllowed

pillow_heif.register_heif_opener()  # iPhones and some Android phones take HEIC photos

MAX_PHOTOS = 5
MAX_BYTES = 15 * 1024 * 1024
#: A 48-megapixel phone camera fits; a small file that unpacks to billions of pixels does not.
MAX_PIXELS = 50_000_000
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
FULL_SIZE = 1600
THUMB_SIZE = 320


@dataclass(frozen=True)
class Prepared:
    data: bytes
    thumb: bytes
    width: int
    height: int


def _jpeg(image: Image.Image, size: int, quality: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((size, size))
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def prepare(upload: IO[bytes]) -> Prepared:
    """The photo re-encoded at print size with a thumbnail; DomainError says why not."""
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise DomainError("A photo can be at most 15 MB.", field="photos")
    if not raw:
        raise DomainError("The photo file is empty.", field="photos")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=FORMATS) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise DomainError(
                        "The photo has too many pixels (at most 50 megapixels).", field="photos"
                    )
                opened.draft("RGB", (FULL_SIZE, FULL_SIZE))  # JPEG decodes straight to size
                image = ImageOps.exif_transpose(opened).convert("RGB")
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as err:
        raise DomainError(
            "The photo has too many pixels (at most 50 megapixels).", field="photos"
        ) from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise DomainError(
            "That file is not a photo: send a JPEG, PNG, WebP or HEIC image.", field="photos"
        ) from err
    data = _jpeg(image, FULL_SIZE, 82)
    width, height = Image.open(io.BytesIO(data)).size
    return Prepared(data, _jpeg(image, THUMB_SIZE, 75), width, height)


def check_photo_rules(note: Note | None, adding: int, *, shows_person: bool, consent: bool) -> None:
    """The limits every photo obeys, checked before any image is decoded."""
    if shows_person and not consent:
        raise DomainError(
            "Someone can be recognised: confirm they agreed to the photo, or leave it out.",
            field="photos",
        )
    have = len(note.photos) if note is not None else 0
    if have + adding > MAX_PHOTOS:
        raise DomainError(
            f"A note can have at most {MAX_PHOTOS} photos (this one has {have}).", field="photos"
        )


def photo_client_id(raw: object) -> str:
    try:
        return str(uuid.UUID(raw)) if isinstance(raw, str) else ""
    except ValueError:
        return ""


def attach_photo(
    session: DbSession,
    note: Note,
    prepared: Prepared,
    *,
    client_id: str,
    shows_person: bool,
    consent: bool,
    user: User,
) -> tuple[Photo, bool]:
    """Attach a photo to one's own note; the same client id again returns the stored one."""
    _check_author(note, user)
    photo = Photo(
        client_id=client_id,
        note_id=note.id,
        data=prepared.data,
        thumb=prepared.thumb,
        width=prepared.width,
        height=prepared.height,
        shows_person=shows_person,
        consent=consent,
    )
    try:
        with session.begin_nested():
            session.add(photo)
    except IntegrityError:
        # The same photo arrived twice at the same moment: the other upload stored it.
        existing = find_photo(session, client_id)
        if existing is None:
            raise
        return _same_photo(existing, note), False
    session.refresh(note, ["photos"])
    return photo, True


def find_photo(session: DbSession, client_id: str) -> Photo | None:
    return session.scalar(select(Photo).where(Photo.client_id == client_id))


def resent_photo(session: DbSession, note: Note, client_id: str) -> Photo | None:
    """The stored photo when this upload was sent before, so it is not decoded again."""
    existing = find_photo(session, client_id)
    return None if existing is None else _same_photo(existing, note)


def _same_photo(photo: Photo, note: Note) -> Photo:
    if photo.note_id != note.id:
        raise Conflict("This photo id is already used on another note.")
    return photo


def _check_author(note: Note, user: User) -> None:
    if note.author_id != user.id:
        raise NotAllowed("Only the author can change a note's photos.")
    if note.locked_at is not None:
        raise Conflict("This note is locked: its debrief has been published.")


def delete_photo(session: DbSession, photo: Photo, *, user: User) -> None:
    """Remove a photo from one's own note (until its debrief locks it)."""
    _check_author(photo.note, user)
    photo.note.photos.remove(photo)  # delete-orphan: the row goes, and the note's list agrees
    session.flush()
