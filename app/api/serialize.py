"""JSON shapes of the API's objects."""

from __future__ import annotations

from typing import Any

from app.accounts.models import User
from app.programmes.models import Activity, Programme
from app.signups.models import Signup


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "department": user.department,
        "clock": user.clock,
        "roles": sorted(user.roles),
    }


def programme_json(p: Programme) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "purpose": p.purpose,
        "customer_question": p.customer_question,
        "starts_on": p.starts_on.isoformat(),
        "ends_on": p.ends_on.isoformat(),
        "timezone": p.timezone,
        "signup_opens_at": p.signup_opens_at.isoformat(),
        "signup_closes_at": p.signup_closes_at.isoformat(),
        "status": str(p.status),
    }


def activity_json(a: Activity) -> dict[str, Any]:
    return {
        "id": a.id,
        "programme_id": a.programme_id,
        "kind": str(a.kind),
        "title": a.title,
        "location": a.location,
        "online_url": a.online_url,
        "starts_at": a.starts_at.isoformat(),
        "ends_at": a.ends_at.isoformat(),
        "capacity": a.capacity,
        "seats_taken": a.seats_taken,
        "host": a.host,
        "what_to_bring": a.what_to_bring,
        "notes": a.notes,
        "cancelled": a.is_cancelled,
    }


def signup_json(s: Signup, *, with_activity: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": s.id,
        "activity_id": s.activity_id,
        "status": str(s.status),
        "checked_in_at": s.arrived_at.isoformat() if s.arrived_at else None,
    }
    if with_activity:
        data["activity"] = activity_json(s.activity)
        data["phase"] = s.activity.phase
    return data
