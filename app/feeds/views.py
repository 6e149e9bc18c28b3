"""For you pages: the feed, marking read, Account → Subscriptions, and the Atom addresses."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.actions import loop
from app.errors import DomainError
from app.extensions import db
from app.feeds import services, subscriptions
from app.feeds.atom import atom_document
from app.feeds.forms import FollowForm
from app.feeds.models import FeedState, Follow
from app.web import safe_next

bp = Blueprint("feeds", __name__)
#: Items in an Atom document: readers keep what they have seen.
ATOM_ITEMS = 50
HOME_ITEMS = 3


@bp.get("/for-you")
@login_required
def for_you():  # type: ignore[no-untyped-def]
    """Newly published insights that match what I follow, newest first."""
    try:
        page = request.args.get("page", "1")
        feed = services.feed(db.session, current_user, page=page, key=_counts().key)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("feeds.for_you"))
    news = loop.loop_news(db.session, [current_user.id], limit=loop.SHOWN).get(current_user.id, [])
    return render_template("feeds/for_you.html", feed=feed, news=news)


@bp.post("/for-you/loop/<int:news_id>/read")
@login_required
def mark_loop_read(news_id: int) -> ResponseReturnValue:
    loop.mark_loop_read(db.session, current_user, news_id)
    db.session.commit()
    flash("Marked as read.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("feeds.for_you")))


@bp.post("/for-you/read/<int:insight_id>")
@login_required
def mark_read(insight_id: int) -> ResponseReturnValue:
    services.mark_read(db.session, current_user, insight_id)
    db.session.commit()
    flash("Marked as read.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("feeds.for_you")))


@bp.post("/for-you/read-all")
@login_required
def mark_all_read() -> ResponseReturnValue:
    services.mark_all_read(db.session, current_user)
    db.session.commit()
    flash("Everything in For you is marked as read.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("feeds.for_you")))


def _subscriptions_page(form: FollowForm | None = None, status: int = 200) -> ResponseReturnValue:
    choices = subscriptions.choices(db.session)
    state = db.session.get(FeedState, current_user.id)
    return render_template(
        "feeds/subscriptions.html",
        followed=subscriptions.followed(db.session, current_user),
        options={
            "channel": [(c, c[:1].upper() + c[1:]) for c in choices.channels],
            "department": [(d, d) for d in choices.departments],
            "kind": choices.kinds,
            "programme": choices.programmes,
        },
        choices=choices,
        own_channels=subscriptions.own_channels(current_user, choices.channels),
        defaults_on=state is None or state.defaults_on,
        feed_token=state.feed_token if state else None,
        form=form or FollowForm(),
        labels=subscriptions.LABELS,
    ), status


@bp.get("/account/subscriptions")
@login_required
def subscriptions_page() -> ResponseReturnValue:
    return _subscriptions_page()


@bp.post("/account/subscriptions")
@login_required
def subscribe() -> ResponseReturnValue:
    form = FollowForm()
    form.validate_on_submit()
    try:
        subscriptions.subscribe(db.session, current_user, form.kind.data, form.value.data)
    except DomainError as err:
        db.session.rollback()
        if form.kind.data in subscriptions.LABELS:
            form.value.errors = [err.message]  # shown beside the box of that kind
        else:  # no box on the page is of that kind: say it at the top
            flash(err.message, "error")
        return _subscriptions_page(form, err.status)
    db.session.commit()
    flash("Followed: what it brings shows in For you.", "success")
    return redirect(url_for("feeds.subscriptions_page"))


@bp.post("/account/subscriptions/search")
@login_required
def follow_search() -> ResponseReturnValue:
    """Follow the library search whose arguments the form carries."""
    args = {k: v for k, v in request.form.items() if k not in ("csrf_token", "next")}
    try:
        subscriptions.follow_search(db.session, current_user, args)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("insights.library", **_search_args(args)))
    db.session.commit()
    flash("Search followed.", "success")
    return redirect(url_for("insights.library", **_search_args(args)))


def _search_args(args: dict[str, Any]) -> dict[str, Any]:
    """Library arguments to go back to (short and text only, in case they were refused)."""
    names = ("q", "from", "to", "programme", "kind", "channel", "tag", "department", "customer")
    return {k: v[:300] for k, v in args.items() if k in names and isinstance(v, str) and v}


@bp.post("/account/subscriptions/<int:subscription_id>/delete")
@login_required
def unsubscribe(subscription_id: int) -> ResponseReturnValue:
    subscriptions.unsubscribe(db.session, current_user, subscription_id)
    db.session.commit()
    flash("You no longer follow that.", "success")
    return redirect(url_for("feeds.subscriptions_page"))


@bp.post("/account/subscriptions/defaults")
@login_required
def set_defaults() -> ResponseReturnValue:
    on = request.form.get("on") == "1"
    subscriptions.set_defaults(db.session, current_user, on)
    db.session.commit()
    flash("The defaults are on." if on else "The defaults are off.", "success")
    return redirect(url_for("feeds.subscriptions_page") + "#defaults")


@bp.post("/account/feed/<any(renew, revoke):action>")
@login_required
def feed_token(action: str) -> ResponseReturnValue:
    if action == "renew":
        subscriptions.renew_feed_token(db.session, current_user)
        flash("Here is your new feed address. The old one no longer works.", "success")
    else:
        subscriptions.revoke_feed_token(db.session, current_user)
        flash("Your feed address is switched off.", "success")
    db.session.commit()
    return redirect(url_for("feeds.subscriptions_page") + "#atom")


@bp.post("/account/subscriptions/<int:subscription_id>/feed/<any(renew, revoke):action>")
@login_required
def search_feed_token(subscription_id: int, action: str) -> ResponseReturnValue:
    subscription = subscriptions.own_subscription(db.session, current_user, subscription_id)
    if subscription.kind != Follow.SEARCH:
        flash("Only a saved search has a feed address of its own.", "error")
        return redirect(url_for("feeds.subscriptions_page"))
    if action == "renew":
        subscriptions.renew_feed_token(db.session, current_user, subscription)
        flash("Here is the search's new feed address. The old one no longer works.", "success")
    else:
        subscriptions.revoke_feed_token(db.session, current_user, subscription)
        flash("The search's feed address is switched off.", "success")
    db.session.commit()
    return redirect(url_for("feeds.subscriptions_page") + f"#search-{subscription.id}")


@bp.get("/feeds/<feed_token>.atom")
def atom(feed_token: str) -> ResponseReturnValue:
    """A private Atom feed: the person's For you, or one of their saved searches."""
    user, subscription = subscriptions.for_token(db.session, feed_token[:100])
    found = services.feed(db.session, user, page_size=ATOM_ITEMS, only=subscription)
    if subscription is None:
        title, name = f"For you: {user.name}", f"/person/{user.id}"
    else:
        label = subscriptions.followed_label(db.session, subscription)
        title, name = f"Listening Post: search {label}", f"/search/{subscription.id}"
    body = atom_document(title=title, name=name, self_url=request.base_url, items=found.items)
    return Response(
        body,
        mimetype="application/atom+xml",
        headers={"Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex"},
    )


def _counts() -> services.Counts:
    """The person's feed counts, worked out once per request."""
    if "feed_counts" not in g:
        g.feed_counts = services.feed_counts(db.session, current_user)
    return g.feed_counts  # type: ignore[no-any-return]


@bp.app_template_global("feed_unread")
def unread_badge() -> int:
    """The unread count for the tab bar."""
    if not current_user.is_authenticated:
        return 0
    return _counts().unread


@bp.app_template_global("for_you_preview")
def home_preview() -> services.Feed:
    """The newest few of the person's feed, for the home page."""
    return services.preview(db.session, current_user, HOME_ITEMS, _counts())
