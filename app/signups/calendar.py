"""Calendar files: one .ics per slot and a person's private feed."""

from __future__ import annotations

from collections.abc import Iterable

from icalendar import Calendar, Event

from app.db import utcnow
from app.errors import Conflict
from app.mail import external_url
from app.programmes.models import Activity
from app.signups.models import Signup, SignupStatus


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Listening Post//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    return cal


def _event(activity: Activity, *, waitlisted: bool = False) -> Event:
    event = Event()
    event.add("uid", f"activity-{activity.id}@listening-post")
    event.add("dtstamp", utcnow())
    event.add("dtstart", activity.starts_at)
    event.add("dtend", activity.ends_at)
    prefix = "(waitlist) " if waitlisted else ""
    event.add("summary", f"{prefix}{activity.title}")
    if activity.location:
        event.add("location", activity.location)
    details = [
        activity.kind_label,
        f"Host: {activity.host}" if activity.host else "",
        f"Bring: {activity.what_to_bring}" if activity.what_to_bring else "",
        f"Online: {activity.online_url}" if activity.online_url else "",
        activity.notes,
    ]
    event.add("description", "\n".join(d for d in details if d))
    event.add("url", external_url("programmes.show_activity", activity_id=activity.id))
    if activity.is_cancelled:
        event.add("status", "CANCELLED")
    return event


def activity_ics(activity: Activity) -> bytes:
    if activity.has_started:  # the private feed keeps past slots; a download is for what is to come
        raise Conflict("This slot has started: there is nothing to add to your calendar.")
    cal = _calendar(activity.title)
    cal.add_component(_event(activity))
    return cal.to_ical()


def feed_ics(signups: Iterable[Signup]) -> bytes:
    cal = _calendar("Listening Post")
    for signup in signups:
        cal.add_component(
            _event(signup.activity, waitlisted=signup.status == SignupStatus.WAITLISTED)
        )
    return cal.to_ical()
