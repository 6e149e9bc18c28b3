"""Capture pages: the observation and call-note forms, my notes, one note."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from app.briefings.services import briefing_status
from app.briefings.tasks import my_tasks, tasks_for_slot
from app.capture import services
from app.capture.forms import fields_from_form
from app.capture.models import Note, NoteType
from app.capture.schema import LABELS
from app.capture.sync import save_item
from app.db import utcnow
from app.errors import Conflict
from app.extensions import db
from app.programmes.models import Activity, ActivityKind
from app.programmes.services import get_activity

bp = Blueprint("capture", __name__)

INTERVIEW_KINDS = {ActivityKind.IN_DEPTH_INTERVIEW, ActivityKind.SHOPPER_INTERVIEW}


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in person."""


def _note_type(value: str) -> NoteType:
    try:
        return NoteType(value)
    except ValueError:
        abort(404)


def _page(
    activity: Activity,
    note_type: NoteType,
    *,
    values: MultiDict[str, str],
    errors: dict[str, str],
    client_id: str,
    note: Note | None = None,
    status: int = 200,
):  # type: ignore[no-untyped-def]
    programme = activity.programme
    return render_template(
        "capture/edit_note.html",
        activity=activity,
        programme=programme,
        note_type=note_type,
        values=values,
        errors=errors,
        client_id=client_id,
        note=note,
        labels=LABELS,
        tasks=tasks_for_slot(my_tasks(db.session, current_user, programme=programme), activity),
        briefing=briefing_status(db.session, programme, current_user),
        interview=activity.kind in INTERVIEW_KINDS,
    ), status


@bp.get("/activities/<int:activity_id>/notes/new/<note_type>")
def new_note(activity_id: int, note_type: str):  # type: ignore[no-untyped-def]
    activity = get_activity(db.session, activity_id, user=current_user)
    return _page(
        activity, _note_type(note_type), values=MultiDict(), errors={}, client_id=str(uuid.uuid4())
    )


@bp.post("/activities/<int:activity_id>/notes/new/<note_type>")
def create_note(activity_id: int, note_type: str):  # type: ignore[no-untyped-def]
    activity = get_activity(db.session, activity_id, user=current_user)
    kind = _note_type(note_type)
    fields = fields_from_form(kind, request.form)
    item = {
        "client_id": request.form.get("client_id", ""),
        "type": kind,
        "activity_id": activity.id,
        "fields": fields,
        "updated_at": utcnow().isoformat(),
        "task_id": request.form.get("task_id", type=int),
    }
    result = save_item(db.session, item, user=current_user)
    if result.status == "rejected":
        db.session.rollback()
        return _page(
            activity,
            kind,
            values=request.form,
            errors=result.errors,
            client_id=request.form.get("client_id", ""),
            status=400,
        )
    db.session.commit()
    flash(
        "Note saved." if result.status != "unchanged" else "This note was already saved.", "success"
    )
    return redirect(url_for("capture.my_notes"))


@bp.get("/notes")
def my_notes():  # type: ignore[no-untyped-def]
    notes = services.my_notes(db.session, current_user)
    return render_template(
        "capture/my_notes.html",
        notes=notes,
        contacts={n.id: services.contacts_in(n) for n in notes},
    )


@bp.get("/notes/<int:note_id>")
def show_note(note_id: int):  # type: ignore[no-untyped-def]
    note = services.get_note(db.session, note_id, user=current_user)
    return render_template(
        "capture/show_note.html",
        note=note,
        contacts=services.contacts_in(note),
        mine=note.author_id == current_user.id,
    )


@bp.post("/notes/<int:note_id>/delete")
def delete_note(note_id: int):  # type: ignore[no-untyped-def]
    note = services.get_note(db.session, note_id, user=current_user)
    try:
        services.delete_note(db.session, note, user=current_user)
    except Conflict as err:  # a locked note; NotAllowed stays a 403
        flash(err.message, "error")
        return redirect(url_for("capture.show_note", note_id=note.id))
    db.session.commit()
    flash("Note deleted.", "success")
    return redirect(url_for("capture.my_notes"))
