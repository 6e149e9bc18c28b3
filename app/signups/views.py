"""Signing up, cancelling, my schedule, calendars and the organisers' roster."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.accounts.services import user_by_email
from app.errors import DomainError, NotFound
from app.extensions import db
from app.programmes.services import (
    get_activity,
    get_programme,
    list_activities,
    require_manager,
)
from app.signups import attendance, services
from app.signups.calendar import activity_ics, feed_ics
from app.signups.export import roster_csv
from app.signups.forms import AddPersonForm, CheckInForm
from app.signups.models import SignupStatus
from app.web import safe_next, show_error

bp = Blueprint("signups", __name__)
#: Why a person cannot leave their own place now (or None): pages offer "Cancel" only then.
bp.add_app_template_global(services.cancel_problem, "leave_problem")


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default)


@bp.post("/activities/<int:activity_id>/signup")
@login_required
def sign_up(activity_id: int):  # type: ignore[no-untyped-def]
    activity = get_activity(db.session, activity_id, user=current_user)
    try:
        signup = services.sign_up(db.session, activity, user=current_user)
    except DomainError as err:
        show_error(None, err)
    else:
        db.session.commit()
        if signup.status == SignupStatus.CONFIRMED:
            flash(f"You are signed up for “{activity.title}”.", "success")
        else:
            flash(
                "This slot is full, so you are on the waitlist. We will email you if a place "
                "comes free.",
                "info",
            )
    return redirect(_back(url_for("programmes.show_activity", activity_id=activity.id)))


@bp.post("/signups/<int:signup_id>/cancel")
@login_required
def cancel(signup_id: int):  # type: ignore[no-untyped-def]
    signup = services.get_signup(db.session, signup_id, user=current_user)
    own = signup.user_id == current_user.id
    try:
        services.cancel(db.session, signup, by=current_user)
    except DomainError as err:
        show_error(None, err)
    else:
        db.session.commit()
        flash("Your place is cancelled." if own else f"{signup.user.name} was removed.", "success")
    return redirect(_back(url_for("signups.schedule")))


@bp.get("/schedule")
@login_required
def schedule():  # type: ignore[no-untyped-def]
    signups = services.my_signups(db.session, current_user)
    upcoming, past = services.by_time(signups)
    return render_template("signups/schedule.html", upcoming=upcoming, past=past)


@bp.get("/activities/<int:activity_id>/calendar.ics")
@login_required
def activity_calendar(activity_id: int):  # type: ignore[no-untyped-def]
    activity = get_activity(db.session, activity_id, user=current_user)
    return Response(
        activity_ics(activity),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="slot-{activity.id}.ics"'},
    )


@bp.get("/calendar/<token>.ics")
def feed(token: str):  # type: ignore[no-untyped-def]
    user = services.user_for_calendar_token(db.session, token[:100])
    return Response(
        feed_ics(services.my_signups(db.session, user)),
        mimetype="text/calendar",
        headers={"Cache-Control": "private, max-age=300"},
    )


@bp.post("/account/calendar/<any(renew, revoke):action>")
@login_required
def calendar_token(action: str):  # type: ignore[no-untyped-def]
    if action == "renew":
        services.renew_calendar_token(db.session, current_user)
        flash("Here is your new calendar feed address. The old one no longer works.", "success")
    else:
        services.revoke_calendar_token(db.session, current_user)
        flash("Your calendar feed is switched off.", "success")
    db.session.commit()
    return redirect(url_for("signups.schedule") + "#calendar")


@bp.route("/activities/<int:activity_id>/people", methods=["GET", "POST"])
@login_required
def people(activity_id: int):  # type: ignore[no-untyped-def]
    activity = get_activity(db.session, activity_id, user=current_user)
    require_manager(activity.programme, current_user)
    form = AddPersonForm()
    if form.validate_on_submit():
        person = user_by_email(db.session, form.email.data or "")
        try:
            if person is None:
                raise NotFound(
                    f"No account for {form.email.data}. Invite them first.", field="email"
                )
            signup = services.sign_up(db.session, activity, user=person, by=current_user)
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            where = "added" if signup.status == SignupStatus.CONFIRMED else "put on the waitlist"
            flash(f"{person.name} {where}.", "success")
            return redirect(url_for("signups.people", activity_id=activity.id))
    roster = services.roster(db.session, activity, by=current_user)
    others = [
        a
        for a in list_activities(db.session, activity.programme)
        if a.id != activity.id and not a.is_cancelled
    ]
    return render_template(
        "signups/people.html",
        activity=activity,
        programme=activity.programme,
        roster=roster,
        form=form,
        others=others,
    )


@bp.post("/signups/<int:signup_id>/move")
@login_required
def move(signup_id: int):  # type: ignore[no-untyped-def]
    signup = services.get_signup(db.session, signup_id, user=current_user)
    require_manager(signup.activity.programme, current_user)
    back = url_for("signups.people", activity_id=signup.activity_id)
    try:
        to_id = request.form.get("to", "")
        if not to_id.isdigit():
            raise DomainError("Pick the slot to move them to.")
        to = get_activity(db.session, int(to_id), user=current_user)
        moved = services.move(db.session, signup, to, by=current_user)
    except DomainError as err:
        show_error(None, err)
    else:
        db.session.commit()
        flash(f"{moved.user.name} moved to “{to.title}” ({moved.status}).", "success")
    return redirect(back)


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/activities/<int:activity_id>/people.csv")
@login_required
def people_csv(activity_id: int):  # type: ignore[no-untyped-def]
    activity = get_activity(db.session, activity_id, user=current_user)
    roster = services.roster(db.session, activity, by=current_user)
    return _csv(roster_csv([(activity, roster)]), f"roster-slot-{activity.id}.csv")


@bp.get("/programmes/<int:programme_id>/roster.csv")
@login_required
def programme_roster_csv(programme_id: int):  # type: ignore[no-untyped-def]
    """Every slot, every person on it, whether they checked in (organisers)."""
    programme = get_programme(db.session, programme_id, user=current_user)
    slots = services.programme_roster(db.session, programme, by=current_user)
    return _csv(roster_csv(slots), f"roster-programme-{programme.id}.csv")


@bp.route("/activities/<int:activity_id>/checkin", methods=["GET", "POST"])
@login_required
def check_in(activity_id: int):  # type: ignore[no-untyped-def]
    """Arrival: the code from the host (typed, or in the QR link), or "I'm here" near the start."""
    activity = get_activity(db.session, activity_id, user=current_user)
    form = CheckInForm(code=request.args.get("code", "")[:12])
    if form.validate_on_submit():
        code = form.code.data if request.form.get("how") == "code" else None
        try:
            attendance.check_in(db.session, activity, user=current_user, code=code)
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash("You are checked in. Enjoy listening!", "success")
            return redirect(url_for("programmes.show_activity", activity_id=activity.id))
    return render_template(
        "signups/check_in.html",
        activity=activity,
        programme=activity.programme,
        form=form,
        problem=attendance.checkin_problem(activity),
    )


@bp.get("/activities/<int:activity_id>/checkin-code")
@login_required
def checkin_code(activity_id: int):  # type: ignore[no-untyped-def]
    """The code and QR code a host shows or prints (organisers)."""
    activity = get_activity(db.session, activity_id, user=current_user)
    require_manager(activity.programme, current_user)
    link = url_for(
        "signups.check_in", activity_id=activity.id, code=activity.checkin_code, _external=True
    )
    return render_template(
        "signups/checkin_code.html",
        activity=activity,
        programme=activity.programme,
        qr=attendance.qr_svg(link),
        link=link,
    )


@bp.post("/signups/<int:signup_id>/arrival")
@login_required
def arrival(signup_id: int):  # type: ignore[no-untyped-def]
    signup = services.get_signup(db.session, signup_id, user=current_user)
    require_manager(signup.activity.programme, current_user)
    try:
        attendance.mark_arrival(
            db.session, signup, arrived=request.form.get("arrived") == "yes", by=current_user
        )
    except DomainError as err:
        show_error(None, err)
    else:
        db.session.commit()
    return redirect(url_for("signups.people", activity_id=signup.activity_id) + f"#s{signup.id}")
