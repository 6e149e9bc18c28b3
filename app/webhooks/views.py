"""Admin pages: webhooks, their secret (shown once), a test event and the delivery log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import DomainError
from app.extensions import db
from app.web import show_error
from app.webhooks import services
from app.webhooks.forms import EVENT_LABELS, WebhookForm
from app.webhooks.models import Webhook

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


@bp.before_request
@login_required
def _admins_only() -> None:
    if not current_user.is_admin:
        abort(403)


def _webhook(webhook_id: int) -> Webhook:
    return db.get_or_404(Webhook, webhook_id)


def _show_secret(webhook: Webhook, secret: str, status: int = 200):  # type: ignore[no-untyped-def]
    # Shown in this answer only, never stored in the session or a cache.
    page = render_template("webhooks/secret.html", webhook=webhook, secret=secret)
    return page, status, {"Cache-Control": "no-store"}


@bp.route("", methods=["GET", "POST"])
def list_webhooks():  # type: ignore[no-untyped-def]
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            webhook = services.create_webhook(
                db.session, url=form.url.data, events=form.events.data, by=current_user
            )
        except DomainError as err:
            show_error(form, err)
        else:
            secret = webhook.secret
            db.session.commit()
            return _show_secret(webhook, secret, 201)
    status = 400 if form.errors else 200
    page = render_template(
        "webhooks/list_webhooks.html",
        form=form,
        webhooks=services.list_webhooks(db.session),
        labels=EVENT_LABELS,
    )
    return page, status


@bp.route("/<int:webhook_id>", methods=["GET", "POST"])
def edit_webhook(webhook_id: int):  # type: ignore[no-untyped-def]
    webhook = _webhook(webhook_id)
    form = WebhookForm(obj=webhook)
    if request.method == "GET":
        form.events.data = webhook.event_list
    if form.validate_on_submit():
        try:
            services.update_webhook(
                db.session,
                webhook,
                url=form.url.data,
                events=form.events.data,
                active=bool(form.active.data),
                by=current_user,
            )
        except DomainError as err:
            show_error(form, err)
            webhook = _webhook(webhook_id)
        else:
            db.session.commit()
            flash("Webhook saved.", "success")
            return redirect(url_for("webhooks.edit_webhook", webhook_id=webhook_id))
    page_arg = request.args.get("page", "1")
    page = int(page_arg) if page_arg.isdecimal() and 0 < int(page_arg) < 10_000 else 1
    attempts, older = services.delivery_log(db.session, webhook, page)
    body = render_template(
        "webhooks/edit_webhook.html",
        form=form,
        webhook=webhook,
        attempts=attempts,
        page=page,
        older=older,
    )
    return body, 400 if form.errors else 200


@bp.post("/<int:webhook_id>/rotate")
def rotate_secret(webhook_id: int):  # type: ignore[no-untyped-def]
    webhook = _webhook(webhook_id)
    secret = services.rotate_secret(db.session, webhook, by=current_user)
    db.session.commit()
    return _show_secret(webhook, secret)


@bp.post("/<int:webhook_id>/test")
def send_test(webhook_id: int):  # type: ignore[no-untyped-def]
    webhook = _webhook(webhook_id)
    services.send_test(db.session, webhook, by=current_user)
    db.session.commit()
    flash("Test event sent: its delivery shows in the log below within seconds.", "success")
    return redirect(url_for("webhooks.edit_webhook", webhook_id=webhook_id) + "#log")


@bp.post("/<int:webhook_id>/delete")
def delete_webhook(webhook_id: int):  # type: ignore[no-untyped-def]
    webhook = _webhook(webhook_id)
    services.delete_webhook(db.session, webhook, by=current_user)
    db.session.commit()
    flash("Webhook deleted.", "success")
    return redirect(url_for("webhooks.list_webhooks"))
