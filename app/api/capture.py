"""JSON endpoints for field notes: the phone's sync, and reading, editing, deleting notes."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import select

from app.api import bp
from app.api.views import json_body
from app.capture import photos, services
from app.capture.models import Note
from app.capture.sync import sync as sync_notes
from app.capture.views import photo_response
from app.errors import DomainError, NotFound
from app.extensions import db


@bp.post("/sync")
def sync():  # type: ignore[no-untyped-def]
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError('Send a JSON object {"items": [...]}.')
    results = sync_notes(db.session, data.get("items"), user=current_user)
    db.session.commit()
    return jsonify(results=[r.as_json() for r in results])


@bp.get("/me/notes")
def my_notes():  # type: ignore[no-untyped-def]
    notes = services.my_notes(db.session, current_user)
    return jsonify(items=[services.note_json(n, viewer=current_user) for n in notes])


@bp.get("/notes/<int:note_id>")
def get_note(note_id: int):  # type: ignore[no-untyped-def]
    note = services.get_note(db.session, note_id, user=current_user)
    return jsonify(services.note_json(note, viewer=current_user))


@bp.patch("/notes/<int:note_id>")
def update_note(note_id: int):  # type: ignore[no-untyped-def]
    note = services.get_note(db.session, note_id, user=current_user)
    data = json_body({"fields", "version"})
    services.update_note(
        db.session, note, data.get("fields"), base_version=data.get("version"), user=current_user
    )
    db.session.commit()
    return jsonify(services.note_json(note, viewer=current_user))


@bp.delete("/notes/<int:note_id>")
def delete_note(note_id: int):  # type: ignore[no-untyped-def]
    note = services.get_note(db.session, note_id, user=current_user)
    services.delete_note(db.session, note, user=current_user)
    db.session.commit()
    return "", 204


def _flag(name: str) -> bool:
    value = request.form.get(name, "false")
    if value not in {"true", "false"}:
        raise DomainError(f"{name} must be true or false.", field=name)
    return value == "true"


@bp.post("/photos")
def upload_photo():  # type: ignore[no-untyped-def]
    """One photo for one of my notes, found by the note's client id; idempotent by its own."""
    client_id = photos.photo_client_id(request.form.get("client_id"))
    if not client_id:
        raise DomainError("client_id must be a UUID made on the phone.", field="client_id")
    note = db.session.scalar(
        select(Note).where(Note.client_id == request.form.get("note_client_id", ""))
    )
    if note is None or note.deleted_at is not None or note.author_id != current_user.id:
        raise NotFound("There is no such note of yours: send the note before its photos.")
    existing = photos.resent_photo(db.session, note, client_id)
    if existing is not None:
        return jsonify(services.photo_json(existing) | {"status": "unchanged"}), 200
    upload = request.files.get("file")
    if upload is None:
        raise DomainError("Send the photo as the multipart field file.", field="file")
    shows_person, consent = _flag("shows_person"), _flag("consent")
    photos.check_photo_rules(note, 1, shows_person=shows_person, consent=consent)
    photo, created = photos.attach_photo(
        db.session,
        note,
        photos.prepare(upload.stream),
        client_id=client_id,
        shows_person=shows_person,
        consent=consent,
        user=current_user,
    )
    db.session.commit()
    status = "created" if created else "unchanged"
    return jsonify(services.photo_json(photo) | {"status": status}), 201 if created else 200


@bp.get("/photos/<int:photo_id>")
def get_photo(photo_id: int):  # type: ignore[no-untyped-def]
    size = request.args.get("size", "full")
    if size not in {"full", "thumb"}:
        raise DomainError("size is full or thumb.", field="size")
    return photo_response(
        services.get_photo(db.session, photo_id, user=current_user), thumb=size == "thumb"
    )


@bp.delete("/photos/<int:photo_id>")
def delete_photo(photo_id: int):  # type: ignore[no-untyped-def]
    photos.delete_photo(
        db.session, services.get_photo(db.session, photo_id, user=current_user), user=current_user
    )
    db.session.commit()
    return "", 204
