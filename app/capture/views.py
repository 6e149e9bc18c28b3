"""Capture pages: the observation and call-note forms, my notes, one note."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage, MultiDict

from app.briefings.services import briefing_status
from app.briefings.tasks import my_tasks, tasks_for_slot
from app.capture import photos, services
from app.capture.forms import BLANK_MOMENTS, fields_from_form, form_values, moment_rows
from app.capture.models import Note, NoteType, Photo
from app.capture.schema import LABELS
from app.capture.sync import save_item
from app.db import utcnow
from app.errors import Conflict, DomainError
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
        noticed=services.NOTICED,
        moments=moment_rows(values),
        blank_moments=BLANK_MOMENTS,
        tasks=tasks_for_slot(my_tasks(db.session, current_user, programme=programme), activity),
        briefing=briefing_status(db.session, programme, current_user),
        interview=activity.kind in INTERVIEW_KINDS,
        known_tags=services.programme_tags(db.session, programme.id),
        max_photos=photos.MAX_PHOTOS - (len(note.photos) if note else 0),
    ), status


@bp.get("/activities/<int:activity_id>/notes/new/<note_type>")
def new_note(activity_id: int, note_type: str):  # type: ignore[no-untyped-def]
    activity = get_activity(db.session, activity_id, user=current_user)
    return _page(
        activity, _note_type(note_type), values=MultiDict(), errors={}, client_id=str(uuid.uuid4())
    )


@bp.get("/notes/new")
def choose_slot():  # type: ignore[no-untyped-def]
    """Pick the slot (the one happening now comes first) and the kind of note, in one tap."""
    slots = services.capture_slots(db.session, current_user, utcnow())
    return render_template("capture/choose_slot.html", slots=slots)


def _uploads() -> list[FileStorage]:
    return [f for f in request.files.getlist("photos") if f.filename]


def _photo_flags() -> tuple[bool, bool]:
    return request.form.get("shows_person") == "yes", request.form.get("photo_consent") == "yes"


def _prepare_uploads(note: Note | None) -> list[photos.Prepared]:
    """Every chosen photo checked and re-encoded before anything is stored."""
    uploads = _uploads()
    shows_person, consent = _photo_flags()
    if uploads:
        photos.check_photo_rules(note, len(uploads), shows_person=shows_person, consent=consent)
    return [photos.prepare(upload.stream) for upload in uploads]


def _attach(note: Note, prepared: list[photos.Prepared]) -> None:
    shows_person, consent = _photo_flags()
    for photo in prepared:
        photos.attach_photo(
            db.session,
            note,
            photo,
            client_id=str(uuid.uuid4()),
            shows_person=shows_person,
            consent=consent,
            user=current_user,
        )


@bp.post("/activities/<int:activity_id>/notes/new/<note_type>")
def create_note(activity_id: int, note_type: str):  # type: ignore[no-untyped-def]
    activity = get_activity(db.session, activity_id, user=current_user)
    kind = _note_type(note_type)
    try:
        prepared = _prepare_uploads(None)
    except DomainError as err:
        return _page(
            activity,
            kind,
            values=request.form,
            errors={"photos": err.message},
            client_id=request.form.get("client_id", ""),
            status=400,
        )
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
    if result.status == "created":
        _attach(db.session.get_one(Note, result.id), prepared)
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
        details=services.note_details(note.type, note.fields),
        contacts=services.contacts_in(note),
        mine=note.author_id == current_user.id,
        max_photos=photos.MAX_PHOTOS,
    )


def _own_note(note_id: int) -> Note:
    note = services.get_note(db.session, note_id, user=current_user)
    if note.author_id != current_user.id:
        abort(403)
    return note


@bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
def edit_note(note_id: int):  # type: ignore[no-untyped-def]
    note = _own_note(note_id)
    values, errors, status = form_values(note.type, note.fields), {}, 200
    values["version"] = str(note.version)
    if request.method == "POST":
        fields = fields_from_form(note.type, request.form)
        try:
            services.update_note(
                db.session,
                note,
                fields,
                base_version=request.form.get("version", type=int),
                user=current_user,
            )
        except DomainError as err:
            db.session.rollback()
            values, status = request.form, 409 if isinstance(err, Conflict) else 400
            errors = {"form": err.message}
        else:
            db.session.commit()
            flash("Note updated.", "success")
            return redirect(url_for("capture.show_note", note_id=note.id))
    return _page(
        note.activity,
        note.type,
        values=values,
        errors=errors,
        client_id=note.client_id,
        note=note,
        status=status,
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


@bp.post("/notes/<int:note_id>/photos")
def add_photos(note_id: int):  # type: ignore[no-untyped-def]
    note = _own_note(note_id)
    try:
        if not _uploads():
            raise DomainError("Choose one or more photos first.")
        _attach(note, _prepare_uploads(note))
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        db.session.commit()
        flash("Photos added.", "success")
    return redirect(url_for("capture.show_note", note_id=note.id))


@bp.get("/photos/<int:photo_id>")
@bp.get("/photos/<int:photo_id>/<any(thumb):size>")
def show_photo(photo_id: int, size: str = "full"):  # type: ignore[no-untyped-def]
    return photo_response(
        services.get_photo(db.session, photo_id, user=current_user), thumb=size == "thumb"
    )


@bp.post("/photos/<int:photo_id>/delete")
def delete_photo(photo_id: int):  # type: ignore[no-untyped-def]
    photo = services.get_photo(db.session, photo_id, user=current_user)
    note_id = _own_note(photo.note_id).id
    try:
        photos.delete_photo(db.session, photo, user=current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        db.session.commit()
        flash("Photo removed.", "success")
    return redirect(url_for("capture.show_note", note_id=note_id))


def photo_response(photo: Photo, *, thumb: bool) -> Response:
    """The stored JPEG, cached only by the person's own browser (ids never change content)."""
    response = Response(photo.thumb if thumb else photo.data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Disposition"] = "inline"
    return response
