"""Library pages: search, an insight with heard before, stars, withdrawing, exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.accounts.models import Role
from app.errors import DomainError
from app.extensions import db
from app.feeds.subscriptions import follows_search
from app.insights import search as library_search
from app.insights import services
from app.insights.export import result_csv, result_qdpx
from app.insights.search import FACET_LABELS, read_filters, search
from app.programmes.models import KIND_LABELS
from app.web import safe_next

bp = Blueprint("insights", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in person."""


def can_export() -> bool:
    return current_user.is_organiser or current_user.has_role(Role.FACILITATOR)


@bp.get("/library")
def library():  # type: ignore[no-untyped-def]
    """Search the library; with no words, the newest insights."""
    try:
        return _library_page(read_filters(request.args), errors={})
    except DomainError as err:
        # The page again without what is wrong, which is marked: the rest of the search stays.
        bad = err.field or "q"
        rest = {k: v for k, v in request.args.items() if k not in (bad, "page")}
        try:
            filters = read_filters(rest)
        except DomainError:  # more than one thing wrong
            filters = library_search.Filters()
        return _library_page(filters, errors={bad: err.message}), 400


def _library_page(filters: library_search.Filters, errors: dict[str, str]) -> str:
    searched = filters.q or filters.picked or filters.date_from or filters.date_to
    return render_template(
        "insights/library.html",
        result=search(db.session, filters),
        errors=errors,
        typed=request.args,
        facet_labels=FACET_LABELS,
        max_hits=library_search.MAX_HITS,
        can_export=can_export(),
        following=bool(searched) and follows_search(db.session, current_user, filters),
    )


@bp.get("/library/insights/<int:insight_id>")
def show(insight_id: int):  # type: ignore[no-untyped-def]
    page = services.insight_page(db.session, insight_id, user=current_user)
    back = safe_next(request.args.get("back"), url_for("insights.library"))
    return render_template(
        "insights/show_insight.html", page=page, kind_labels=KIND_LABELS, back=back
    )


@bp.post("/library/insights/<int:insight_id>/star")
def star(insight_id: int) -> ResponseReturnValue:
    on = request.form.get("on") == "1"
    services.set_star(db.session, insight_id, user=current_user, on=on)
    db.session.commit()
    flash("Starred: it is in your starred insights." if on else "Star taken away.", "success")
    back = url_for("insights.show", insight_id=insight_id)
    return redirect(safe_next(request.form.get("next"), back))


@bp.get("/library/starred")
def starred():  # type: ignore[no-untyped-def]
    return render_template(
        "insights/starred.html", insights=services.starred(db.session, current_user)
    )


@bp.post("/library/withdraw")
def withdraw() -> ResponseReturnValue:
    if not current_user.is_organiser:
        abort(403)
    kind, item = request.form.get("kind", ""), request.form.get("item_id", "")
    back = safe_next(request.form.get("next"), url_for("insights.library"))
    try:
        services.withdraw(
            db.session,
            kind,
            int(item) if item.isdecimal() else None,
            request.form.get("reason", ""),
            by=current_user,
        )
    except DomainError as err:
        db.session.rollback()
        if err.status in (403, 404):
            raise
        flash(err.message, "error")
        return redirect(back)
    db.session.commit()
    flash("Withdrawn from the library; the reason is in the log.", "success")
    return redirect(url_for("insights.library"))


@bp.get("/library/withdrawals")
def withdrawals():  # type: ignore[no-untyped-def]
    if not current_user.is_organiser:
        abort(403)
    return render_template(
        "insights/withdrawals.html", rows=services.withdrawals(db.session, user=current_user)
    )


@bp.get("/library/export.<any(csv, qdpx):fmt>")
def export(fmt: str) -> ResponseReturnValue:
    """The search result as CSV or as a REFI-QDA project, for organisers and facilitators."""
    if not can_export():
        abort(403)
    try:
        filters = read_filters(request.args)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("insights.library"))
    if fmt == "csv":
        response = Response(result_csv(db.session, filters), mimetype="text/csv")
    else:
        data = result_qdpx(db.session, filters, user_name=current_user.name)
        response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="library.{fmt}"'
    return response
