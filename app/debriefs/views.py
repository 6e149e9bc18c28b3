"""Debrief pages: open a debrief, the board (works without JavaScript), publish, the PDF."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from app.capture.models import Photo
from app.capture.views import photo_response
from app.db import is_id
from app.debriefs import board as ops
from app.debriefs import reports, services
from app.debriefs.forms import DebriefForm
from app.debriefs.models import ActionStatus, Debrief, Insight, Report
from app.debriefs.shared_text import Removed, removed_from
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.insights import services as library
from app.kept import Kept, kept
from app.programmes.models import ActivityKind
from app.programmes.services import get_programme
from app.web import show_error

bp = Blueprint("debriefs", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in person."""


@bp.route("/programmes/<int:programme_id>/debriefs/new", methods=["GET", "POST"])
def new_debrief(programme_id: int):  # type: ignore[no-untyped-def]
    programme = get_programme(db.session, programme_id, user=current_user)
    if not services.can_open_debrief(programme, current_user):
        abort(403)
    form = DebriefForm(programme)
    if form.validate_on_submit():
        try:
            debrief = services.create_debrief(
                db.session, programme, form.to_input(programme), by=current_user
            )
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash(f"Debrief opened for {len(debrief.invitees)} people.", "success")
            _tell_removed(removed_from(debrief))
            return redirect(url_for("debriefs.show", debrief_id=debrief.id))
    return render_template("debriefs/new_debrief.html", form=form, programme=programme)


@bp.get("/debriefs")
def list_debriefs():  # type: ignore[no-untyped-def]
    return render_template(
        "debriefs/list_debriefs.html", debriefs=services.debriefs_for(db.session, current_user)
    )


# Each card's HTML by (board, when it was made, version, whether the reader may change it):
# the same for everyone who may see that version, so made once; making 150 was a third of the
# board's time.
_cards_html = Kept(64)


def cards_html(debrief: Debrief, cards: list[ops.Card], editable: bool) -> dict[int, Markup]:
    """Note id -> its card's HTML."""

    def made() -> dict[int, Markup]:
        card = get_template_attribute("debriefs/_card.html", "card")
        return {c.note_id: card(c, editable, debrief.id) for c in cards}

    key = (*ops.version_key(debrief), editable)
    return kept(db.session, _cards_html, key, made)  # type: ignore[no-any-return]


@bp.get("/debriefs/<int:debrief_id>")
def show(debrief_id: int):  # type: ignore[no-untyped-def]
    debrief = services.get_debrief(db.session, debrief_id, user=current_user)
    board = ops.load_board(db.session, debrief, user=current_user)
    everyone = board.cards
    filters = {name: request.args.get(name, "") for name in ops.FILTERS}
    board.cards = ops.filter_cards(board.cards, **filters)
    editable = services.can_change_board(debrief, current_user)
    return render_template(
        "debriefs/show_board.html",
        debrief=debrief,
        board=board,
        cards_html=cards_html(debrief, everyone, editable),
        filters=filters,
        kinds=sorted({c.kind for c in everyone}),
        kind_labels={k.value: k.label for k in ActivityKind},
        tags=sorted({t for c in everyone for t in c.tags}),
        people=sorted({(c.author_id, c.author) for c in everyone}, key=lambda p: p[1]),
        tasks=services.task_questions(db.session, {c.task_id for c in everyone if c.task_id}),
        editable=editable,
        can_lead=services.can_lead(debrief, current_user),
        statuses=list(ActionStatus),
        reports=reports.latest(db.session, debrief),
    )


def _tell_removed(removed: list[Removed]) -> None:
    for r in removed:
        flash(r.message, "warning")


def _write(
    debrief_id: int,
    work: Callable[[Debrief], str],
    *,
    typed: str = "",
    removed: list[Removed] | None = None,
) -> Response:
    """Run one board change; refusals are shown on the board with what was typed kept, and
    the contact details taken out of what was typed (filled in by `work`) are named."""
    debrief = services.get_debrief(db.session, debrief_id, user=current_user)
    try:
        message = work(debrief)
    except (NotAllowed, NotFound):
        raise
    except DomainError as err:
        db.session.rollback()
        flash(err.message + (f" What you typed: “{typed}”." if typed else ""), "error")
    else:
        db.session.commit()
        flash(message, "success")
        _tell_removed(removed or [])
    return redirect(url_for("debriefs.show", debrief_id=debrief_id))


def _ids(name: str) -> list[int]:
    return [int(v) for v in request.form.getlist(name) if v.isdecimal() and is_id(int(v))]


def _int(name: str) -> int | None:
    value = request.form.get(name, "")
    return int(value) if value.isdecimal() else None


@bp.post("/debriefs/<int:debrief_id>/themes")
def add_theme(debrief_id: int) -> Response:
    name, description = request.form.get("name", ""), request.form.get("description", "")
    removed: list[Removed] = []

    def work(debrief: Debrief) -> str:
        theme = ops.create_theme(db.session, debrief, name, description, user=current_user)
        removed.extend(removed_from(theme))
        return f"Theme “{theme.name}” added."

    return _write(debrief_id, work, typed=name, removed=removed)


@bp.post("/debriefs/<int:debrief_id>/themes/<int:theme_id>")
def edit_theme(debrief_id: int, theme_id: int) -> Response:
    changes = {k: request.form.get(k, "") for k in ("name", "description")}
    removed: list[Removed] = []

    def work(debrief: Debrief) -> str:
        theme = ops.update_theme(
            db.session, debrief, theme_id, changes, seen=_int("version"), user=current_user
        )
        removed.extend(removed_from(theme))
        return "Theme saved."

    return _write(debrief_id, work, typed=changes["name"], removed=removed)


@bp.post("/debriefs/<int:debrief_id>/themes/<int:theme_id>/merge")
def merge_theme(debrief_id: int, theme_id: int) -> Response:
    def work(debrief: Debrief) -> str:
        into = ops.merge_themes(
            db.session, debrief, theme_id, _int("into"), seen=_int("version"), user=current_user
        )
        return f"Merged into “{into.name}”."

    return _write(debrief_id, work)


@bp.post("/debriefs/<int:debrief_id>/themes/<int:theme_id>/votes")
def vote(debrief_id: int, theme_id: int) -> Response:
    add = request.form.get("dot") != "remove"

    def work(debrief: Debrief) -> str:
        left = ops.vote(db.session, debrief, theme_id, add=add, user=current_user)
        return f"Dot {'placed' if add else 'taken back'}: {left} left."

    return _write(debrief_id, work)


@bp.post("/debriefs/<int:debrief_id>/moves")
def move(debrief_id: int) -> Response:
    to = request.form.get("to", "")
    new_name = request.form.get("new_theme", "") if to == "new" else None
    note_ids = _ids("note_ids")
    removed: list[Removed] = []

    def work(debrief: Debrief) -> str:
        target = ops.move_cards(
            db.session,
            debrief,
            note_ids,
            to_theme=int(to) if to.isdecimal() else None,
            new_theme=new_name,
            seen=_int("version"),
            user=current_user,
        )
        removed.extend(removed_from(target))
        where = f"“{target.name}”" if target else "unsorted"
        return f"{len(note_ids)} card{'s' if len(note_ids) != 1 else ''} moved to {where}."

    return _write(debrief_id, work, typed=new_name or "", removed=removed)


def _insight_data() -> dict[str, object]:
    theme = request.form.get("theme_id", "")
    data: dict[str, object] = {
        "statement": request.form.get("statement", ""),
        "so_what": request.form.get("so_what", ""),
        "theme_id": int(theme) if theme.isdecimal() else None,
    }
    if "evidence_sent" in request.form:  # the form lists the evidence; none ticked clears it
        data["evidence"] = _ids("evidence")
    return data


@bp.get("/debriefs/<int:debrief_id>/insights/new")
# The board's "Insight from these" posts the cards ticked, so that its form's token
# stays out of the URL (and out of logs and history). Nothing is saved.
@bp.post("/debriefs/<int:debrief_id>/insights/new")
@bp.get("/debriefs/<int:debrief_id>/insights/<int:insight_id>")
def edit_insight_page(debrief_id: int, insight_id: int | None = None):  # type: ignore[no-untyped-def]
    """The insight form; a new one takes the cards selected on the board as its evidence."""
    debrief = services.get_debrief(db.session, debrief_id, user=current_user)
    insight = ops.find_insight(debrief, insight_id) if insight_id else None
    chosen = (
        {n.id for n in insight.evidence}
        if insight
        else {int(v) for v in request.values.getlist("note_ids") if v.isdecimal()}
    )
    typed: dict[str, object] = (
        {"statement": insight.statement, "so_what": insight.so_what} if insight else {}
    )
    return _insight_form(debrief, insight, chosen, typed)


def _insight_form(
    debrief: Debrief,
    insight: Insight | None,
    chosen: set[int],
    typed: dict[str, object],
    ticked: dict[int, str] | None = None,
) -> str:
    """The insight form with what was typed, and the earlier insights it may have heard before:
    those linked, those ticked (kept while the statement changes), then the most similar."""
    board = ops.load_board(db.session, debrief, user=current_user)
    statement = str(typed.get("statement") or "")
    if ticked is not None:
        linked = library.ticked_links(db.session, ticked)
    else:
        linked = library.links_of(db.session, insight.id) if insight else []
    known = {s.insight_id for s in linked}
    similar = library.heard_before(db.session, statement, programme_id=debrief.programme_id)
    return render_template(
        "debriefs/edit_insight.html",
        debrief=debrief,
        board=board,
        insight=insight,
        typed=typed,
        evidence=[c for c in board.cards if c.note_id in chosen],
        heard=linked + [s for s in similar if s.insight_id not in known],
    )


def _links() -> dict[int, str]:
    """The links ticked under "Heard before": insight id -> confirms, contradicts or ""."""
    return {i: request.form.get(f"link_{i}", "") for i in _ids("link_ids")}


@bp.post("/debriefs/<int:debrief_id>/insights")
@bp.post("/debriefs/<int:debrief_id>/insights/<int:insight_id>")
def save_insight(debrief_id: int, insight_id: int | None = None) -> ResponseReturnValue:
    data = _insight_data()
    if request.form.get("check"):  # "Check heard before" without JavaScript: nothing is saved
        debrief = services.get_debrief(db.session, debrief_id, user=current_user)
        insight = ops.find_insight(debrief, insight_id) if insight_id else None
        return _insight_form(debrief, insight, set(_ids("evidence")), data, _links())
    links = _links()
    removed: list[Removed] = []

    def work(debrief: Debrief) -> str:
        insight = ops.save_insight(
            db.session,
            debrief,
            data,
            insight_id=insight_id,
            seen=_int("version"),
            user=current_user,
        )
        removed.extend(removed_from(insight))
        for other_id, kind in links.items():
            library.set_link(db.session, insight, other_id, kind, by=current_user)
        return "Insight saved." if insight_id else "Insight added."

    return _write(debrief_id, work, typed=str(data["statement"]), removed=removed)


@bp.post("/debriefs/<int:debrief_id>/actions")
@bp.post("/debriefs/<int:debrief_id>/actions/<int:action_id>")
def save_action(debrief_id: int, action_id: int | None = None) -> Response:
    fields = ("what", "owner", "due_on", "status", "insight_id")
    data = {k: request.form[k] for k in fields if k in request.form}
    removed: list[Removed] = []

    def work(debrief: Debrief) -> str:
        action = ops.save_action(
            db.session, debrief, data, action_id=action_id, seen=_int("version"), user=current_user
        )
        removed.extend(removed_from(action))
        return "Action saved." if action_id else "Action added."

    return _write(debrief_id, work, typed=data.get("what", ""), removed=removed)


@bp.post("/debriefs/<int:debrief_id>/publish")
def publish(debrief_id: int) -> Response:
    def work(debrief: Debrief) -> str:
        services.publish(db.session, debrief, by=current_user)
        return "Published: every reader can see it, and its notes are locked."

    return _write(debrief_id, work)


def current_report(debrief: Debrief) -> Report:
    """The PDF of the board as it is now, started in the background once committed if need be."""
    report, in_background = reports.request_report(
        db.session, debrief, request.args.get("paper", "a4")
    )
    db.session.commit()
    if in_background:
        reports.start(report.id)
    return report


@bp.get("/debriefs/<int:debrief_id>/pdf")
def pdf(debrief_id: int):  # type: ignore[no-untyped-def]
    """The PDF when it is ready; otherwise start it and show its progress."""
    debrief = services.get_debrief(db.session, debrief_id, user=current_user)
    report = current_report(debrief)
    if report.status == "done":
        return reports.pdf_response(db.session, report, debrief)
    return render_template("debriefs/report_progress.html", debrief=debrief, report=report), 202


@bp.get("/debriefs/<int:debrief_id>/photos/<int:photo_id>")
def photo(debrief_id: int, photo_id: int):  # type: ignore[no-untyped-def]
    """A card's photo, for everyone who may see the board."""
    debrief = services.get_debrief(db.session, debrief_id, user=current_user)
    found = db.session.get(Photo, photo_id)
    covered = {a.id for a in debrief.activities}
    if found is None or found.note.deleted_at is not None or found.note.activity_id not in covered:
        raise NotFound("There is no such photo on this board.")
    return photo_response(found, thumb=request.args.get("size") != "full")
