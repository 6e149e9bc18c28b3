"""Every route in the URL map, for every role and for anonymous visitors: who gets in."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from sqlalchemy import select, update

from app.accounts.models import Role
from app.actions.models import LoopNews
from app.briefings.services import acknowledge, join_session, mark_attended
from app.briefings.tasks import TaskInput, create_task
from app.capture.models import Note, Photo
from app.capture.photos import attach_photo, prepare
from app.capture.sync import sync
from app.db import utcnow
from app.debriefs import board
from app.debriefs.services import DebriefInput, create_debrief, publish
from app.digests.services import unsubscribe_token
from app.extensions import db
from app.feeds.models import Subscription
from app.feeds.subscriptions import follow_search, renew_feed_token
from app.signups.services import renew_calendar_token, sign_up
from app.webhooks.models import Webhook
from tests.factories import (
    jpeg_bytes,
    make_activity,
    make_briefing_session,
    make_programme,
    make_user,
)

#: Who may use each endpoint. A new route fails this test until it is listed here.
ACCESS = {
    "static": "public",
    "accounts.login": "public",
    "accounts.forgot_password": "public",
    "accounts.accept_invite": "public",
    "accounts.reset_password": "public",
    "signups.feed": "public",
    "api.openapi": "public",
    "pwa.service_worker": "public",
    "pwa.offline": "public",
    "api.csrf_token": "user",
    "accounts.logout": "public",  # signing out when signed out is harmless
    "accounts.account": "user",
    "accounts.set_clock": "user",
    "programmes.home": "user",
    "programmes.show": "user",
    "programmes.show_activity": "user",
    "signups.sign_up": "user",
    "signups.schedule": "user",
    "signups.activity_calendar": "user",
    "signups.calendar_token": "user",
    "api.me": "user",
    "api.my_schedule": "user",
    "api.list_programmes": "user",
    "api.get_programme": "user",
    "api.list_activities": "user",
    "api.get_activity": "user",
    "api.sign_up": "user",
    "programmes.new": "organiser",
    "api.create_programme": "organiser",
    "accounts.people": "organiser",
    "accounts.import_people": "organiser",
    "accounts.edit_person": "admin",
    "webhooks.list_webhooks": "admin",
    "webhooks.edit_webhook": "admin",
    "webhooks.rotate_secret": "admin",
    "webhooks.send_test": "admin",
    "webhooks.delete_webhook": "admin",
    "programmes.edit": "manager",
    "programmes.change_status": "manager",
    "programmes.add_organiser": "manager",
    "programmes.participation": "manager",
    "programmes.new_activity": "manager",
    "programmes.edit_activity": "manager",
    "programmes.cancel_activity": "manager",
    "programmes.duplicate_activity": "manager",
    "signups.people": "manager",
    "signups.people_csv": "manager",
    "signups.programme_roster_csv": "manager",
    "signups.move": "manager",
    "api.update_programme": "manager",
    "api.change_programme_status": "manager",
    "api.create_activity": "manager",
    "signups.cancel": "owner",
    "api.cancel_signup": "owner",
    "briefings.show": "user",
    "briefings.acknowledge": "user",
    "briefings.join": "user",
    "briefings.my_tasks": "user",
    "signups.check_in": "user",
    "api.check_in": "user",
    "api.my_tasks": "user",
    "api.get_briefing": "user",
    "api.acknowledge_briefing": "user",
    "api.join_briefing": "user",
    "briefings.leave": "owner",
    "briefings.edit_pack": "manager",
    "briefings.new_session": "manager",
    "briefings.attendance": "manager",
    "briefings.mark_attended": "manager",
    "briefings.programme_tasks": "manager",
    "briefings.new_task": "manager",
    "briefings.edit_task": "manager",
    "briefings.retire_task": "manager",
    "briefings.readiness_board": "manager",
    "briefings.remind": "manager",
    "signups.checkin_code": "manager",
    "signups.arrival": "manager",
    "api.list_tasks": "manager",
    "api.create_task": "manager",
    "api.get_task": "manager",
    "api.update_task": "manager",
    "api.retire_task": "manager",
    "api.sync": "user",
    "api.my_notes": "user",
    "api.get_note": "owner",
    "api.update_note": "author",
    "api.delete_note": "author",
    "capture.new_note": "user",
    "capture.create_note": "user",
    "capture.my_notes": "user",
    "capture.show_note": "owner",
    "capture.delete_note": "author",
    "capture.choose_slot": "user",
    "capture.edit_note": "author",
    "capture.add_photos": "author",
    "capture.show_photo": "owner",
    "capture.delete_photo": "author",
    "api.upload_photo": "user",
    "api.get_photo": "owner",
    "api.delete_photo": "author",
    "debriefs.new_debrief": "manager",
    "debriefs.list_debriefs": "user",
    "debriefs.show": "owner",
    "debriefs.add_theme": "owner",
    "debriefs.edit_theme": "owner",
    "debriefs.merge_theme": "owner",
    "debriefs.vote": "owner",
    "debriefs.move": "owner",
    "debriefs.edit_insight_page": "owner",
    "debriefs.save_insight": "owner",
    "debriefs.save_action": "owner",
    "debriefs.publish": "manager",
    "debriefs.pdf": "owner",
    "debriefs.photo": "owner",
    "api.create_debrief": "manager",
    "api.get_debrief": "owner",
    "api.create_theme": "owner",
    "api.update_theme": "owner",
    "api.merge_themes": "owner",
    "api.move_cards": "owner",
    "api.add_vote": "owner",
    "api.remove_vote": "owner",
    "api.create_insight": "owner",
    "api.update_insight": "owner",
    "api.create_action": "owner",
    "api.update_action": "owner",
    "api.publish_debrief": "manager",
    "api.debrief_pdf": "owner",
    "insights.library": "user",
    "insights.show": "user",
    "insights.star": "user",
    "insights.starred": "user",
    "insights.withdraw": "organiser",
    "insights.withdrawals": "organiser",
    "insights.export": "organiser",
    "api.library_search": "user",
    "api.library_insight": "user",
    "api.library_star": "user",
    "api.library_starred": "user",
    "api.library_similar": "user",
    "api.library_withdraw": "organiser",
    "api.link_insight": "owner",
    "feeds.for_you": "user",
    "feeds.mark_read": "user",
    "feeds.mark_all_read": "user",
    "feeds.subscriptions_page": "user",
    "feeds.subscribe": "user",
    "feeds.follow_search": "user",
    "feeds.set_defaults": "user",
    "feeds.feed_token": "user",
    "feeds.unsubscribe": "author",
    "feeds.search_feed_token": "author",
    "feeds.atom": "public",  # the secret address is the key
    "api.feed": "user",
    "api.feed_read": "user",
    "api.feed_read_all": "user",
    "api.feed_subscriptions": "user",
    "api.feed_subscribe": "user",
    "api.feed_defaults": "user",
    "api.feed_unsubscribe": "author",
    "api.feed_digest": "user",
    "digests.set_frequency": "user",
    "digests.unsubscribe": "public",  # the signed address is the key
    "actions.register": "user",
    "actions.progress": "owner",  # the action's owner, and the debrief's organisers
    "api.list_actions": "user",
    "api.action_progress": "owner",
    "programmes.carry_action": "manager",
    "programmes.uncarry_action": "manager",
    "feeds.mark_loop_read": "author",  # one's own news of what came of what one heard
    "api.feed_loop_read": "author",
}
#: Library routes name an insight the library holds: one of a published debrief.
LIBRARY = ("insights.", "api.library", "feeds.", "api.feed")

ALLOWED = {
    "public": {"anonymous", "employee", "other_organiser", "manager", "admin", "owner"},
    "user": {"employee", "other_organiser", "manager", "admin", "owner"},
    "organiser": {"other_organiser", "manager", "admin"},
    "admin": {"admin"},
    "manager": {"manager", "admin"},
    "owner": {"owner", "manager", "admin"},
    "author": {"owner"},
}


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ACCESS), "classify new routes in ACCESS"


def _world():  # type: ignore[no-untyped-def]
    manager = make_user(Role.ORGANISER)
    programme = make_programme(manager)
    slot = make_activity(programme, capacity=5)
    make_activity(programme, day=1)
    owner = make_user()
    signup = sign_up(db.session, slot, user=owner)
    briefing = make_briefing_session(programme, capacity=10)
    booking = join_session(db.session, briefing, programme, user=owner)
    acknowledge(db.session, programme, user=owner)
    mark_attended(db.session, booking, programme, attended=True, by=manager)
    [saved] = sync(
        db.session,
        [
            {
                "client_id": str(uuid.uuid4()),
                "type": "observation",
                "activity_id": slot.id,
                "fields": {"did": "Looked"},
                "updated_at": "2030-01-01T10:00:00+00:00",
            }
        ],
        user=owner,
    )
    note = db.session.get(Note, saved.id)
    photo, _ = attach_photo(
        db.session,
        note,
        prepare(io.BytesIO(jpeg_bytes())),
        client_id=str(uuid.uuid4()),
        shows_person=False,
        consent=False,
        user=owner,
    )
    debrief = create_debrief(
        db.session,
        programme,
        DebriefInput(title="Debrief", starts_at=utcnow(), location="Room 1"),
        by=manager,
    )
    theme = board.create_theme(db.session, debrief, "Prices", user=manager)
    insight = board.save_insight(db.session, debrief, {"statement": "Prices"}, user=manager)
    # Owned by the owner by name: the action register lets them update it.
    action = board.save_action(
        db.session, debrief, {"what": "Fix", "owner": owner.name}, user=manager
    )
    # Done, answering an insight the owner's note backs: the owner is told.
    heard = board.save_insight(
        db.session, debrief, {"statement": "Heard", "evidence": [saved.id]}, user=manager
    )
    board.save_action(
        db.session,
        debrief,
        {"what": "Done", "owner": "Team", "status": "done", "insight_id": heard.id},
        user=manager,
    )
    news_id = db.session.scalar(select(LoopNews.id).where(LoopNews.user_id == owner.id))
    published = _published_insight(manager)
    task = create_task(
        db.session,
        programme,
        TaskInput(question="Why?", scope="slot", activity_id=slot.id),
        by=manager,
    )
    people = {
        "employee": make_user(),
        "other_organiser": make_user(Role.ORGANISER),
        "manager": manager,
        "admin": make_user(Role.ADMIN),
        "owner": owner,
    }
    values = {
        "programme_id": programme.id,
        "activity_id": slot.id,
        "signup_id": signup.id,
        "user_id": owner.id,
        "token": renew_calendar_token(db.session, owner),
        "feed_token": renew_feed_token(db.session, owner),
        "unsubscribe_token": unsubscribe_token(owner.id, 0),
        "subscription_id": follow_search(db.session, owner, {"q": "prices"}).id,
        "action": "close",
        "filename": "css/app.css",
        "briefing_id": briefing.id,
        "booking_id": booking.id,
        "task_id": task.id,
        "note_id": saved.id,
        "note_type": "observation",
        "photo_id": photo.id,
        "size": "thumb",
        "debrief_id": debrief.id,
        "theme_id": theme.id,
        "insight_id": insight.id,
        "action_id": action.id,
        "news_id": news_id,
        "published_insight_id": published.id,
        "other_id": published.id,
        "fmt": "csv",
        "webhook_id": _webhook().id,
    }
    db.session.commit()
    return people, values


def _webhook() -> Webhook:
    webhook = Webhook(url="https://hooks.example.com/in", events="action.updated", secret="whsec_")
    db.session.add(webhook)
    db.session.flush()
    return webhook


def _published_insight(manager):  # type: ignore[no-untyped-def]
    """An insight of another programme's published debrief: what the library holds."""
    programme = make_programme(manager, title="Earlier week")
    make_activity(programme)
    debrief = create_debrief(
        db.session,
        programme,
        DebriefInput(title="Earlier debrief", starts_at=utcnow(), location="Room 2"),
        by=manager,
    )
    insight = board.save_insight(db.session, debrief, {"statement": "Earlier"}, user=manager)
    publish(db.session, debrief, by=manager)
    return insight


def _requests(app, values):  # type: ignore[no-untyped-def]
    """Every (endpoint, method, url); deleting and signing out come last so nothing is gone
    before the routes that read it are tried."""
    requests = []
    for rule in app.url_map.iter_rules():
        choices = re.search(r"<any\(([^)]*)\):action>", rule.rule)
        options = [c.strip() for c in choices.group(1).split(",")] if choices else []
        rule_values = dict(values)
        if rule.endpoint.startswith(LIBRARY):
            rule_values["insight_id"] = values["published_insight_id"]
        if options and values["action"] not in options:
            rule_values["action"] = options[0]
        url = re.sub(
            r"<(?:[^:>]+:)?([^>]+)>", lambda m, v=rule_values: str(v[m.group(1)]), rule.rule
        )
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            requests.append((rule.endpoint, method, url))
    return sorted(
        requests,
        key=lambda r: (
            r[0] == "accounts.logout",
            r[1] == "DELETE" or r[2].endswith("/delete"),
            r[2],
            r[1],
        ),
    )


def _keep_photo(values) -> None:  # type: ignore[no-untyped-def]
    """Put the photo back after a delete route took it, so the next route finds it."""
    if db.session.get(Photo, values["photo_id"]) is None:
        db.session.add(
            Photo(
                id=values["photo_id"],
                client_id=str(uuid.uuid4()),
                note_id=values["note_id"],
                data=jpeg_bytes(),
                thumb=jpeg_bytes(),
                width=64,
                height=48,
            )
        )


def _keep_subscription(values) -> None:  # type: ignore[no-untyped-def]
    """Put the owner's saved search back after a delete route took it."""
    if db.session.get(Subscription, values["subscription_id"]) is None:
        db.session.add(
            Subscription(
                id=values["subscription_id"],
                user_id=values["user_id"],
                kind="search",
                value="x",
                search='{"q": "prices"}',
            )
        )


@pytest.mark.parametrize(
    "role", ["anonymous", "employee", "other_organiser", "manager", "admin", "owner"]
)
def test_who_gets_in(app, client, role):
    people, values = _world()
    if role != "anonymous":
        assert client.sign_in(people[role]).status_code == 302
    token = client.csrf_token()
    wrong = []
    for endpoint, method, url in _requests(app, values):
        if endpoint in ("signups.calendar_token", "feeds.feed_token") and role == "owner":
            continue  # renewing would change the feed token used by signups.feed, feeds.atom
        db.session.execute(update(Note).values(deleted_at=None))  # each delete route gets a note
        _keep_photo(values)
        _keep_subscription(values)
        if method == "GET":
            response = client.get(url)
        elif url.startswith("/api/"):
            response = client.open(url, method=method, json={}, headers={"X-CSRFToken": token})
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        denied = response.status_code in (401, 403, 404) or (
            response.status_code == 302
            and "/login" in response.headers["Location"]
            and endpoint not in ("accounts.logout",)
        )
        expected_in = role in ALLOWED[ACCESS[endpoint]]
        if denied == expected_in or response.status_code >= 500:
            wrong.append(f"{method} {url} ({endpoint}): {response.status_code}")
        response.close()
    assert wrong == [], "\n".join(wrong)
