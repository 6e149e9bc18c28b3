"""The roster as CSV, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from app.programmes.models import Activity
from app.signups.services import Roster
from app.timefmt import in_zone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: object) -> str:
    """Text a spreadsheet shows as text: a leading quote stops formulas (CSV injection)."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def roster_csv(activity: Activity, roster: Roster) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["status", "position", "name", "email", "department", "slot", "starts"])
    starts = in_zone(activity.starts_at, activity.programme.timezone).strftime("%Y-%m-%d %H:%M")
    for status, rows in (("confirmed", roster.confirmed), ("waitlisted", roster.waitlist)):
        for position, signup in enumerate(rows, start=1):
            user = signup.user
            writer.writerow(
                safe_cell(v)
                for v in (
                    status,
                    position,
                    user.name,
                    user.email,
                    user.department,
                    activity.title,
                    starts,
                )
            )
    return out.getvalue()
