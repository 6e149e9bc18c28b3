"""Digest pages: the frequency on Account, and the unsubscribe link that needs no sign-in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.digests import services
from app.digests.models import Frequency
from app.errors import DomainError
from app.extensions import csrf, db

bp = Blueprint("digests", __name__)


@bp.post("/account/digest")
@login_required
def set_frequency() -> ResponseReturnValue:
    try:
        chosen = services.set_frequency(db.session, current_user, request.form.get("frequency"))
    except DomainError as err:
        db.session.rollback()
        from app.accounts.forms import ChangePasswordForm, ClockForm
        from app.accounts.views import _account_page

        g.digest_error = err.message  # shown beside the choices
        page = _account_page(ChangePasswordForm(formdata=None), ClockForm(clock=current_user.clock))
        return page, err.status
    db.session.commit()
    flash(
        "No more digests by email." if chosen == Frequency.OFF else f"Your digest comes {chosen}.",
        "success",
    )
    return redirect(url_for("accounts.account") + "#digest")


@bp.route("/digests/unsubscribe/<unsubscribe_token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail apps POST "List-Unsubscribe=One-Click" with no page, so no CSRF
# token. The signed token in the address is the proof instead: it names one person, and all it
# can do is turn that person's digests off. The page's own button posts here too.
def unsubscribe(unsubscribe_token: str) -> ResponseReturnValue:
    """GET asks to confirm (mail scanners follow links); POST turns digests off."""
    token = unsubscribe_token[:200]
    if request.method == "POST":
        user = services.unsubscribe(db.session, token)
        db.session.commit()
        return render_template("digests/unsubscribe.html", user=user, token=token, done=True)
    user = services.person_of(db.session, token)
    frequency = services.frequency_of(db.session, user)
    return render_template(
        "digests/unsubscribe.html",
        user=user,
        token=token,
        done=frequency == Frequency.OFF,
        frequency=frequency,
    )


@bp.app_template_global("digest_settings")
def digest_settings() -> dict[str, Any]:
    """The Account page's digest choices: the person's frequency and any error to show."""
    return {
        "frequency": services.frequency_of(db.session, current_user),
        "choices": services.LABELS,
        "error": g.get("digest_error"),
    }
