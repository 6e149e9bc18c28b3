"""JSON endpoints for field notes: the phone's sync, and reading, editing, deleting notes."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from app.api import bp
from app.api.views import json_body
from app.capture import services
from app.capture.sync import sync as sync_notes
from app.errors import DomainError
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
