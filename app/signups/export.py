"""Rosters as CSV, safe to open in a spreadsheet: one slot's, or a whole programme's."""

from __future__ import annotations

import csv
import io

from app.programmes.models import Activity
from app.signups.models import Signup
from app.signups.services import Roster
from app.timefmt import in_zone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
COLUMNS = [
    "slot",
    "starts",
    "place",
    "status",
    "position",
    "name",
    "email",
    "department",
    "checked in",
]


def safe_cell(value: object) -> str:
    """Text a spreadsheet shows as text: a leading quote stops formulas (CSV injection)."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _checked_in(signup: Signup) -> str:
    if signup.arrived_at is not None:
        return "yes"
    return "no-show" if signup.no_show else "no"


def roster_csv(slots: list[tuple[Activity, Roster]]) -> str:
    """One row per person on each slot: confirmed first, then the waitlist in order."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for activity, roster in slots:
        starts = in_zone(activity.starts_at, activity.programme.timezone)
        place = activity.location or activity.online_url
        for status, rows in (("confirmed", roster.confirmed), ("waitlisted", roster.waitlist)):
            for position, signup in enumerate(rows, start=1):
                user = signup.user
                writer.writerow(
                    safe_cell(v)
                    for v in (
                        activity.title,
                        starts.strftime("%Y-%m-%d %H:%M"),
                        place,
                        status,
                        position,
                        user.name,
                        user.email,
                        user.department,
                        _checked_in(signup) if status == "confirmed" else "",
                    )
                )
    return out.getvalue()
