"""The action register page, and its owner's status and progress form."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.actions import services
from app.debriefs.shared_text import removed_from
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.web import safe_next

bp = Blueprint("actions", __name__)


@bp.get("/actions")
@login_required
def register() -> ResponseReturnValue:
    """Every action I may read, filtered by the query string (works without JS)."""
    try:
        filters = services.clean_filters(request.args.to_dict())
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("actions.register"))
    programmes, departments = services.choices(db.session)
    return render_template(
        "actions/register.html",
        rows=services.register(db.session, current_user, filters),
        filters=filters,
        programmes=programmes,
        departments=departments,
        statuses=services.STATUSES,
        note_length=services.NOTE_LENGTH,
    )


@bp.post("/actions/<int:action_id>/progress")
@login_required
def progress(action_id: int) -> ResponseReturnValue:
    back = safe_next(request.form.get("next"), url_for("actions.register"))
    try:
        action = services.get_action(db.session, action_id, user=current_user)
        record = services.record_progress(
            db.session,
            action,
            status=request.form.get("status"),
            note=request.form.get("note", ""),
            user=current_user,
        )
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except DomainError as err:
        db.session.rollback()
        typed = request.form.get("note", "")[:500]
        flash(err.message + (f" What you typed: “{typed}”." if typed else ""), "error")
        return redirect(back + f"#action-{action_id}")
    db.session.commit()
    flash(f"Progress saved: “{action.what}” is {action.status}.", "success")
    for r in removed_from(record):
        flash(r.message, "warning")
    return redirect(back + f"#action-{action_id}")
