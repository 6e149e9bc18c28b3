"""Sign-in, sign-out, passwords, invitations and the people admin."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.accounts import services
from app.accounts.forms import (
    ChangePasswordForm,
    ClockForm,
    CsvInviteForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    SetPasswordForm,
    UserForm,
)
from app.accounts.models import User
from app.errors import DomainError
from app.extensions import db, limiter
from app.web import safe_next, show_error

bp = Blueprint("accounts", __name__)


def _sign_in_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def _email_key() -> str:
    return "email:" + request.form.get("email", "").strip().lower()[:254]


def _begin_session(user: User) -> None:
    cookie_session.clear()  # a fresh cookie after sign-in: no session fixation
    services.start_session(db.session, user)
    login_user(user)
    cookie_session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], key_func=_email_key)
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("programmes.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data or "", form.password.data or "")
        if user is None:
            db.session.commit()
            flash("That email and password do not match an active account.", "error")
        else:
            _begin_session(user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), url_for("programmes.home")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated and current_user.current_session_token:
        services.end_session(db.session, current_user.current_session_token)
        db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def forgot_password():  # type: ignore[no-untyped-def]
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, form.email.data or "")
        db.session.commit()
        flash("If that address has an account, a link to reset the password is on its way.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


def _set_password_page(token: str, purpose: str, template: str):  # type: ignore[no-untyped-def]
    try:
        user = services.user_for_token(db.session, token, purpose)
    except DomainError as err:
        return render_template("errors/error.html", status=400, message=err.message), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(db.session, user, form.password.data or "")
        except DomainError as err:
            show_error(form, err)
        else:
            _begin_session(user)
            db.session.commit()
            flash("Your password is set. Welcome!", "success")
            return redirect(url_for("programmes.home"))
    return render_template(template, form=form, user=user)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):  # type: ignore[no-untyped-def]
    return _set_password_page(token, "invite", "accounts/accept_invite.html")


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):  # type: ignore[no-untyped-def]
    return _set_password_page(token, "reset", "accounts/reset_password.html")


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, current_user.email, form.current.data or "")
        if user is None:
            form.current.errors = ["That is not your current password."]
        else:
            try:
                services.set_password(
                    db.session,
                    user,
                    form.password.data or "",
                    keep_token=current_user.current_session_token,
                )
            except DomainError as err:
                show_error(form, err)
            else:
                db.session.commit()
                flash("Password changed. Your other devices are signed out.", "success")
                return redirect(url_for("accounts.account"))
    return _account_page(form, ClockForm(clock=current_user.clock))


def _account_page(form: ChangePasswordForm, clock_form: ClockForm) -> str:
    return render_template("accounts/account.html", form=form, clock_form=clock_form)


@bp.post("/account/clock")
@login_required
def set_clock():  # type: ignore[no-untyped-def]
    form = ClockForm()
    if form.validate_on_submit():
        try:
            services.set_clock(current_user, form.clock.data or "")
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash("Times are now shown your way.", "success")
            return redirect(url_for("accounts.account"))
    return _account_page(ChangePasswordForm(formdata=None), form), 400


def _require_inviter() -> None:
    if not current_user.is_organiser:
        abort(403)


@bp.route("/people", methods=["GET", "POST"])
@login_required
def people():  # type: ignore[no-untyped-def]
    _require_inviter()
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = services.invite_user(
                db.session,
                email=form.email.data or "",
                name=form.name.data or "",
                department=form.department.data or "",
                roles=services.parse_roles(form.roles.data or []),
                by=current_user,
            )
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash(f"Invitation sent to {user.email}.", "success")
            return redirect(url_for("accounts.people"))
    users = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template("accounts/people.html", form=form, csv_form=CsvInviteForm(), users=users)


@bp.post("/people/import")
@login_required
def import_people():  # type: ignore[no-untyped-def]
    _require_inviter()
    form = CsvInviteForm()
    if not form.validate_on_submit():
        for error in form.file.errors:
            flash(str(error), "error")
        return redirect(url_for("accounts.people"))
    try:
        text = form.file.data.read().decode("utf-8-sig")
        result = services.import_invitations(db.session, text, by=current_user)
    except UnicodeDecodeError:
        flash("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.", "error")
        return redirect(url_for("accounts.people"))
    except DomainError as err:
        show_error(None, err)
        return redirect(url_for("accounts.people"))
    db.session.commit()
    flash(f"{len(result.invited)} invitations sent.", "success")
    for error in result.errors[:50]:
        flash(error, "error")
    return redirect(url_for("accounts.people"))


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit_person(user_id: int):  # type: ignore[no-untyped-def]
    if not current_user.is_admin:
        abort(403)
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.roles.data = sorted(str(role) for role in user.roles)
    if form.validate_on_submit():
        try:
            services.update_user(
                db.session,
                user,
                name=form.name.data or "",
                department=form.department.data or "",
                roles=services.parse_roles(form.roles.data or []),
                active=bool(form.active.data),
                by=current_user,
            )
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash(f"Saved {user.name}.", "success")
            return redirect(url_for("accounts.people"))
    return render_template("accounts/edit_person.html", form=form, person=user)
