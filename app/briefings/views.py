"""Pages for the briefing pack and sessions, tasks, and the readiness board."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.actions.carry import promised
from app.briefings import services, tasks
from app.briefings.forms import PackForm, SessionForm, TaskForm
from app.briefings.markdown import render_markdown
from app.briefings.models import BriefingSignup, Task
from app.briefings.readiness import readiness, send_reminders
from app.errors import DomainError, NotFound
from app.extensions import db
from app.programmes.models import Programme
from app.programmes.services import can_manage, get_programme, list_activities, require_manager
from app.timefmt import format_local
from app.web import show_error

bp = Blueprint("briefings", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in person."""


def _managed(programme_id: int) -> Programme:
    programme = get_programme(db.session, programme_id, user=current_user)
    require_manager(programme, current_user)
    return programme


@bp.get("/programmes/<int:programme_id>/briefing")
def show(programme_id: int):  # type: ignore[no-untyped-def]
    programme = get_programme(db.session, programme_id, user=current_user)
    pack = services.get_pack(db.session, programme)
    return render_template(
        "briefings/show_briefing.html",
        programme=programme,
        pack_html=render_markdown(pack.body),
        pack=pack,
        sessions=services.sessions_of(db.session, programme),
        status=services.briefing_status(db.session, programme, current_user),
        can_manage=can_manage(programme, current_user),
        promised=promised(db.session, programme),
    )


@bp.post("/programmes/<int:programme_id>/briefing/acknowledge")
def acknowledge(programme_id: int):  # type: ignore[no-untyped-def]
    programme = get_programme(db.session, programme_id, user=current_user)
    services.acknowledge(db.session, programme, user=current_user)
    db.session.commit()
    flash("Thank you: your briefing is acknowledged.", "success")
    return redirect(url_for("briefings.show", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/briefing/edit", methods=["GET", "POST"])
def edit_pack(programme_id: int):  # type: ignore[no-untyped-def]
    programme = _managed(programme_id)
    pack = services.get_pack(db.session, programme)
    form = PackForm(obj=pack)
    if not form.is_submitted():
        form.briefed_by.data = "session" if pack.session_required else "pack"
    if form.validate_on_submit():
        try:
            services.save_pack(
                db.session,
                programme,
                body=form.body.data or "",
                required=bool(form.required.data),
                session_required=form.briefed_by.data != "pack",
                by=current_user,
            )
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash("Briefing pack saved.", "success")
            return redirect(url_for("briefings.show", programme_id=programme.id))
    return render_template("briefings/edit_pack.html", programme=programme, form=form)


@bp.route("/programmes/<int:programme_id>/briefing/sessions/new", methods=["GET", "POST"])
def new_session(programme_id: int):  # type: ignore[no-untyped-def]
    programme = _managed(programme_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            services.create_session(
                db.session, programme, form.to_input(programme.timezone), by=current_user
            )
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash("Briefing session scheduled.", "success")
            return redirect(url_for("briefings.show", programme_id=programme.id))
    return render_template("briefings/edit_session.html", programme=programme, form=form)


@bp.post("/briefing-sessions/<int:briefing_id>/join")
def join(briefing_id: int):  # type: ignore[no-untyped-def]
    briefing, programme = services.get_session(db.session, briefing_id, user=current_user)
    try:
        services.join_session(db.session, briefing, programme, user=current_user)
    except DomainError as err:
        show_error(None, err)
    else:
        db.session.commit()
        flash(
            f"You are booked on the briefing of "
            f"{format_local(briefing.starts_at, programme.timezone)}.",
            "success",
        )
    return redirect(url_for("briefings.show", programme_id=programme.id))


def _booking(booking_id: int) -> tuple[BriefingSignup, Programme]:
    booking = db.session.get(BriefingSignup, booking_id)
    if booking is None:
        raise NotFound("There is no such booking.")
    programme = db.session.get(Programme, booking.briefing.programme_id)
    if programme is None or not (
        booking.user_id == current_user.id or can_manage(programme, current_user)
    ):
        raise NotFound("There is no such booking.")
    return booking, programme


@bp.post("/briefing-signups/<int:booking_id>/leave")
def leave(booking_id: int):  # type: ignore[no-untyped-def]
    booking, programme = _booking(booking_id)
    services.leave_session(db.session, booking, by=current_user)
    db.session.commit()
    flash("Your briefing place is cancelled.", "success")
    return redirect(url_for("briefings.show", programme_id=programme.id))


@bp.get("/briefing-sessions/<int:briefing_id>/attendance")
def attendance(briefing_id: int):  # type: ignore[no-untyped-def]
    briefing, programme = services.get_session(db.session, briefing_id, user=current_user)
    people = services.attendance(db.session, briefing, programme, by=current_user)
    return render_template(
        "briefings/attendance.html", programme=programme, briefing=briefing, people=people
    )


@bp.post("/briefing-signups/<int:booking_id>/attended")
def mark_attended(booking_id: int):  # type: ignore[no-untyped-def]
    booking, programme = _booking(booking_id)
    services.mark_attended(
        db.session,
        booking,
        programme,
        attended=request.form.get("attended") == "yes",
        by=current_user,
    )
    db.session.commit()
    return redirect(
        url_for("briefings.attendance", briefing_id=booking.briefing_id) + f"#p{booking.id}"
    )


@bp.get("/tasks")
def my_tasks():  # type: ignore[no-untyped-def]
    return render_template(
        "briefings/my_tasks.html", tasks=tasks.my_tasks(db.session, current_user)
    )


@bp.get("/programmes/<int:programme_id>/tasks")
def programme_tasks(programme_id: int):  # type: ignore[no-untyped-def]
    programme = _managed(programme_id)
    return render_template(
        "briefings/tasks.html",
        programme=programme,
        tasks=tasks.programme_tasks(db.session, programme, by=current_user),
    )


def _task_form(programme: Programme, task: Task | None) -> TaskForm:
    form = TaskForm(obj=task)
    slots = [a for a in list_activities(db.session, programme) if not a.is_cancelled]
    form.activity_id.choices = [
        (a.id, f"{a.title} · {format_local(a.starts_at, programme.timezone)}") for a in slots
    ]
    if task is not None and request.method == "GET":
        form.emails.data = "\n".join(u.email for u in task.assignees)
    return form


def _save_task(programme: Programme, task: Task | None):  # type: ignore[no-untyped-def]
    form = _task_form(programme, task)
    if form.validate_on_submit():
        try:
            if task is None:
                tasks.create_task(db.session, programme, form.to_input(), by=current_user)
            else:
                tasks.update_task(db.session, task, programme, form.to_input(), by=current_user)
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash("Task saved.", "success")
            return redirect(url_for("briefings.programme_tasks", programme_id=programme.id))
    return render_template("briefings/edit_task.html", programme=programme, form=form, task=task)


@bp.route("/programmes/<int:programme_id>/tasks/new", methods=["GET", "POST"])
def new_task(programme_id: int):  # type: ignore[no-untyped-def]
    return _save_task(_managed(programme_id), None)


@bp.route("/programmes/<int:programme_id>/tasks/<int:task_id>/edit", methods=["GET", "POST"])
def edit_task(programme_id: int, task_id: int):  # type: ignore[no-untyped-def]
    programme = _managed(programme_id)
    return _save_task(programme, tasks.get_task(db.session, task_id, programme, by=current_user))


@bp.post("/programmes/<int:programme_id>/tasks/<int:task_id>/retire")
def retire_task(programme_id: int, task_id: int):  # type: ignore[no-untyped-def]
    programme = _managed(programme_id)
    task = tasks.get_task(db.session, task_id, programme, by=current_user)
    tasks.retire_task(db.session, task, programme, by=current_user)
    db.session.commit()
    flash("Task retired.", "success")
    return redirect(url_for("briefings.programme_tasks", programme_id=programme.id))


@bp.get("/programmes/<int:programme_id>/readiness")
def readiness_board(programme_id: int):  # type: ignore[no-untyped-def]
    programme = _managed(programme_id)
    board = readiness(db.session, programme, by=current_user)
    return render_template("briefings/readiness.html", programme=programme, board=board)


@bp.post("/programmes/<int:programme_id>/readiness/remind")
def remind(programme_id: int):  # type: ignore[no-untyped-def]
    programme = _managed(programme_id)
    sent = send_reminders(db.session, programme, by=current_user)
    db.session.commit()
    flash(f"Reminders sent to {sent} {'person' if sent == 1 else 'people'}.", "success")
    return redirect(url_for("briefings.readiness_board", programme_id=programme.id))
