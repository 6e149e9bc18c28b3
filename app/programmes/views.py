"""Pages for programmes and their slots."""

from __future__ import annotations

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
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms import SelectChoice

from app.accounts.services import user_by_email
from app.actions import carry
from app.briefings.services import briefing_status
from app.briefings.tasks import my_tasks, tasks_for_slot
from app.debriefs.services import can_open_debrief, open_debriefs_for
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.kept import Kept, kept
from app.programmes import services
from app.programmes.forms import (
    COMMON_ZONES,
    ActivityForm,
    ConfirmForm,
    DestructiveForm,
    DuplicateForm,
    OrganiserForm,
    ProgrammeForm,
)
from app.programmes.models import Activity, ActivityKind, Programme
from app.programmes.setup import setup_checklist
from app.signups.models import Signup
from app.signups.services import (
    by_time,
    cancel_problem,
    my_signups,
    my_signups_by_activity,
    roster,
    window_problem,
)
from app.timefmt import current_style, in_zone, local_to_utc
from app.web import show_error

bp = Blueprint("programmes", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in person."""


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    upcoming, over = by_time(my_signups(db.session, current_user))
    upcoming = upcoming[:5]
    # Where they went (a place on the waitlist of a slot that is over did not happen).
    past = [s for s in over if s.status == "confirmed"]
    going = next((s for s in upcoming if s.status == "confirmed"), None)
    briefing = tasks = None
    if going is not None:
        programme = going.activity.programme
        briefing = briefing_status(db.session, programme, current_user)
        tasks = tasks_for_slot(
            my_tasks(db.session, current_user, programme=programme), going.activity
        )
    return render_template(
        "programmes/home.html",
        upcoming=upcoming,
        past=past[:5],
        going=going,
        briefing=briefing,
        tasks=tasks,
        debriefs=open_debriefs_for(db.session, current_user),
        programmes=services.visible_programmes(db.session, current_user),
    )


@bp.route("/programmes/new", methods=["GET", "POST"])
def new():  # type: ignore[no-untyped-def]
    if not current_user.is_organiser:
        abort(403)
    form = ProgrammeForm()
    _follow_choices(form, None)
    if form.validate_on_submit():
        try:
            programme = services.create_programme(db.session, form.to_input(), by=current_user)
            carry.set_follows(db.session, programme, form.follows_id.data, by=current_user)
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash("Programme created as a draft. Add slots, then publish it.", "success")
            return redirect(url_for("programmes.show", programme_id=programme.id))
    return render_template(
        "programmes/edit_programme.html", form=form, programme=None, zones=COMMON_ZONES
    )


@bp.get("/programmes/<int:programme_id>")
def show(programme_id: int):  # type: ignore[no-untyped-def]
    programme = services.get_programme(db.session, programme_id, user=current_user)
    filters = {k: request.args.get(k, "")[:100] for k in ("kind", "day", "place")}
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() else 1
    try:
        found = services.find_activities(
            db.session,
            programme,
            kind=filters["kind"],
            day=filters["day"],
            place=filters["place"],
            page=page_number,
        )
    except DomainError as err:
        show_error(None, err)
        filters = dict.fromkeys(filters, "")
        found = services.find_activities(db.session, programme, page=page_number)
    manages = services.can_manage(programme, current_user)
    return render_template(
        "programmes/show_programme.html",
        earlier=carry.earlier_open(db.session, programme, user=current_user),
        programme=programme,
        found=found,
        days=services.programme_days(programme),
        kinds=list(ActivityKind),
        filters=filters,
        link_filters={k: v for k, v in filters.items() if v},
        slot_items=slot_items(programme, found.slots, request.full_path),
        can_manage=manages,
        checklist=setup_checklist(db.session, programme, by=current_user) if manages else None,
        can_open_debrief=can_open_debrief(programme, current_user),
    )


# Each slot's list item by everything it shows: the same for everyone who sees that slot in that
# state (places left, their own place, what stops them signing up), so made once; making them
# was a third of the programme page's time.
_slot_items = Kept(4096)
#: Stands in for the session's CSRF token in kept HTML. Text on a page is escaped, so none can
#: hold a raw "<" and be taken for it.
CSRF_MARK = "<csrf-token>"


def slot_items(programme: Programme, slots: list[Activity], back: str) -> Markup:
    """The list items of these slots for the person signed in, with their sign-up buttons."""
    mine = my_signups_by_activity(db.session, current_user, programme)
    items = [_slot_item(programme, slot, mine.get(slot.id), back) for slot in slots]
    return Markup("".join(items).replace(CSRF_MARK, generate_csrf()))  # noqa: S704 - made escaped


def _slot_item(programme: Programme, slot: Activity, own: Signup | None, back: str) -> str:
    tz = programme.timezone
    problem = window_problem(programme, slot)
    leave = cancel_problem(own) if own else None
    key = (
        slot.id, slot.title, slot.kind, slot.location, slot.starts_at, slot.ends_at,
        slot.is_cancelled, slot.capacity, slot.seats_left, slot.has_started,
        own and (own.id, own.status, own.arrived_at is not None),
        problem, leave, tz, current_style(), back,
    )  # fmt: skip

    def made() -> str:
        item = get_template_attribute("_macros/slots.html", "slot_item")
        return str(item(slot, tz, own, problem, leave, back, Markup(CSRF_MARK)))  # noqa: S704

    return kept(db.session, _slot_items, key, made)


def _managed_programme(programme_id: int) -> Programme:
    programme = services.get_programme(db.session, programme_id, user=current_user)
    services.require_manager(programme, current_user)
    return programme


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
def edit(programme_id: int):  # type: ignore[no-untyped-def]
    programme = _managed_programme(programme_id)
    form = ProgrammeForm(obj=programme)
    _follow_choices(form, programme)
    if request.method == "GET":
        form.follows_id.data = str(programme.follows_id or "")
        form.signup_opens_at.data = in_zone(programme.signup_opens_at, programme.timezone).replace(
            tzinfo=None
        )
        form.signup_closes_at.data = in_zone(
            programme.signup_closes_at, programme.timezone
        ).replace(tzinfo=None)
    if form.validate_on_submit():
        try:
            services.update_programme(db.session, programme, form.to_input(), by=current_user)
            if "follows_id" in request.form:  # a form without the field leaves it as it is
                carry.set_follows(db.session, programme, form.follows_id.data, by=current_user)
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash("Programme saved.", "success")
            return redirect(url_for("programmes.show", programme_id=programme.id))
    return render_template(
        "programmes/edit_programme.html",
        form=form,
        programme=programme,
        zones=COMMON_ZONES,
        organiser_form=OrganiserForm(),
    )


def _follow_choices(form: ProgrammeForm, programme: Programme | None) -> None:
    choices = carry.follow_choices(db.session, programme, current_user)
    form.follows_id.choices = [SelectChoice("", "No earlier programme")] + [
        SelectChoice(str(p.id), f"{p.title} ({p.starts_on:%b %Y})") for p in choices
    ]


@bp.post("/programmes/<int:programme_id>/carried/<int:action_id>")
def carry_action(programme_id: int, action_id: int):  # type: ignore[no-untyped-def]
    """Carry an earlier programme's action into this one's briefing."""
    programme = _managed_programme(programme_id)
    try:
        action = carry.carry(db.session, programme, action_id, by=current_user)
    except (NotFound, NotAllowed):
        raise  # an action one may not see is not there: 404
    except DomainError as err:
        show_error(None, err)
    else:
        db.session.commit()
        flash(f"Carried into the briefing: “{action.what}”.", "success")
    return redirect(url_for("programmes.show", programme_id=programme.id) + "#earlier")


@bp.post("/programmes/<int:programme_id>/carried/<int:action_id>/remove")
def uncarry_action(programme_id: int, action_id: int):  # type: ignore[no-untyped-def]
    programme = _managed_programme(programme_id)
    carry.uncarry(db.session, programme, action_id, by=current_user)
    db.session.commit()
    flash("Taken out of the briefing.", "success")
    return redirect(url_for("programmes.show", programme_id=programme.id) + "#earlier")


#: What each change of status means for people, said on its confirmation page.
#: What ticking the box says, for the steps that ask for it.
UNDERSTAND = {
    "close": "I understand that sign-up stops now",
    "archive": "I understand that it can no longer be changed",
}
STATUS_CONSEQUENCES = {
    "publish": "Everyone can then see the programme and sign up while sign-up is open.",
    "close": "Nobody can sign up or leave a slot any more; organisers can still move people. "
    "You can reopen sign-up later.",
    "archive": "The programme and its slots can no longer be changed. This cannot be undone.",
}


@bp.route(
    "/programmes/<int:programme_id>/<any(publish, close, archive):action>",
    methods=["GET", "POST"],
)
def change_status(programme_id: int, action: str):  # type: ignore[no-untyped-def]
    """Publish in one step; closing and archiving ask for a ticked "I understand" first."""
    programme = _managed_programme(programme_id)
    form = ConfirmForm() if action == "publish" else DestructiveForm()
    if isinstance(form, DestructiveForm):
        form.understand.label.text = UNDERSTAND[action]
    if form.validate_on_submit():
        try:
            services.change_status(db.session, programme, action, by=current_user)
        except DomainError as err:
            show_error(None, err)
        else:
            db.session.commit()
            flash(f"Programme {services.PAST_TENSE[action]}.", "success")
        return redirect(url_for("programmes.show", programme_id=programme.id))
    return render_template(
        "programmes/confirm_status.html",
        programme=programme,
        action=action,
        form=form,
        consequence=STATUS_CONSEQUENCES[action],
        checklist=setup_checklist(db.session, programme, by=current_user),
    )


@bp.post("/programmes/<int:programme_id>/organisers")
def add_organiser(programme_id: int):  # type: ignore[no-untyped-def]
    programme = _managed_programme(programme_id)
    form = OrganiserForm()
    if form.validate_on_submit():
        person = user_by_email(db.session, form.email.data or "")
        try:
            if person is None:
                raise NotFound(f"No account for {form.email.data}. Invite them first.")
            services.add_organiser(db.session, programme, person, by=current_user)
        except DomainError as err:
            show_error(None, err)
        else:
            db.session.commit()
            flash(f"{person.name} now co-organises this programme.", "success")
    else:
        flash("Give the email of an organiser.", "error")
    return redirect(url_for("programmes.edit", programme_id=programme.id))


@bp.get("/programmes/<int:programme_id>/participation")
def participation(programme_id: int):  # type: ignore[no-untyped-def]
    programme = _managed_programme(programme_id)
    figures = services.participation(db.session, programme, by=current_user)
    return render_template("programmes/participation.html", programme=programme, p=figures)


@bp.route("/programmes/<int:programme_id>/activities/new", methods=["GET", "POST"])
def new_activity(programme_id: int):  # type: ignore[no-untyped-def]
    programme = _managed_programme(programme_id)
    form = ActivityForm()
    if form.validate_on_submit():
        try:
            activity = services.create_activity(
                db.session, programme, form.to_input(programme.timezone), by=current_user
            )
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash("Slot added.", "success")
            return redirect(url_for("programmes.show_activity", activity_id=activity.id))
    return render_template(
        "programmes/edit_activity.html", form=form, programme=programme, activity=None
    )


@bp.get("/activities/<int:activity_id>")
def show_activity(activity_id: int):  # type: ignore[no-untyped-def]
    activity = services.get_activity(db.session, activity_id, user=current_user)
    mine = my_signups_by_activity(db.session, current_user, activity.programme).get(activity.id)
    tasks = my_tasks(db.session, current_user, programme=activity.programme) if mine else []
    briefing = briefing_status(db.session, activity.programme, current_user) if mine else None
    return render_template(
        "programmes/show_activity.html",
        activity=activity,
        programme=activity.programme,
        mine=mine,
        briefing=briefing,
        tasks=tasks_for_slot(tasks, activity),
        problem=window_problem(activity.programme, activity),
        can_manage=services.can_manage(activity.programme, current_user),
    )


def _managed_activity(activity_id: int):  # type: ignore[no-untyped-def]
    activity = services.get_activity(db.session, activity_id, user=current_user)
    services.require_manager(activity.programme, current_user)
    return activity


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
def edit_activity(activity_id: int):  # type: ignore[no-untyped-def]
    activity = _managed_activity(activity_id)
    programme = activity.programme
    form = ActivityForm(obj=activity)
    if request.method == "GET":
        form.starts_at.data = in_zone(activity.starts_at, programme.timezone).replace(tzinfo=None)
        form.ends_at.data = in_zone(activity.ends_at, programme.timezone).replace(tzinfo=None)
    if form.validate_on_submit():
        try:
            services.update_activity(
                db.session, activity, form.to_input(programme.timezone), by=current_user
            )
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash("Slot saved.", "success")
            return redirect(url_for("programmes.show_activity", activity_id=activity.id))
    return render_template(
        "programmes/edit_activity.html", form=form, programme=programme, activity=activity
    )


@bp.route("/activities/<int:activity_id>/cancel", methods=["GET", "POST"])
def cancel_activity(activity_id: int):  # type: ignore[no-untyped-def]
    """Cancelling a slot tells everyone on it, so it asks for a ticked "I understand" first."""
    activity = _managed_activity(activity_id)
    form = DestructiveForm()
    form.understand.label.text = "I understand that everyone on it is told and loses their place"
    if form.validate_on_submit():
        try:
            told = services.cancel_activity(db.session, activity, by=current_user)
        except DomainError as err:
            show_error(None, err)
        else:
            db.session.commit()
            people = "1 person was" if told == 1 else f"{told} people were"
            flash(f"Slot cancelled; {people} told.", "success")
        return redirect(url_for("programmes.show_activity", activity_id=activity.id))
    return render_template(
        "programmes/cancel_activity.html",
        activity=activity,
        programme=activity.programme,
        form=form,
        roster=roster(db.session, activity, by=current_user),
    )


@bp.route("/activities/<int:activity_id>/duplicate", methods=["GET", "POST"])
def duplicate_activity(activity_id: int):  # type: ignore[no-untyped-def]
    activity = _managed_activity(activity_id)
    programme = activity.programme
    form = DuplicateForm()
    if not form.is_submitted():
        # Right after the original, on the same day: the usual second sitting.
        form.starts_at.data = in_zone(activity.ends_at, programme.timezone).replace(tzinfo=None)
    if form.validate_on_submit():
        try:
            copies = services.duplicate_activity(
                db.session,
                activity,
                starts_at=local_to_utc(form.starts_at.data, programme.timezone, field="starts_at"),  # type: ignore[arg-type]
                copies=form.copies.data or 0,
                every_days=form.every_days.data or 0,
                by=current_user,
            )
        except DomainError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash(
                "1 copy added." if len(copies) == 1 else f"{len(copies)} copies added.", "success"
            )
            if len(copies) == 1:
                return redirect(url_for("programmes.show_activity", activity_id=copies[0].id))
            return redirect(url_for("programmes.show", programme_id=activity.programme_id))
    return render_template(
        "programmes/duplicate_activity.html", form=form, activity=activity, programme=programme
    )
