"""JSON endpoints. Auth: the browser session (writes need X-CSRFToken) or a Bearer token."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.accounts.services import user_for_api_token
from app.api import bp
from app.api.openapi import openapi_document
from app.api.serialize import activity_json, programme_json, signup_json, user_json
from app.errors import DomainError, NotAllowed, json_error
from app.extensions import csrf, db
from app.programmes import services as programmes
from app.programmes.services import ActivityInput, ProgrammeInput
from app.signups import attendance
from app.signups import services as signups
from app.timefmt import parse_iso_datetime, zone

csrf.exempt(bp)  # checked below for cookie sessions only; Bearer requests carry no cookie
PROGRAMME_FIELDS = {f for f in ProgrammeInput.__dataclass_fields__}
ACTIVITY_FIELDS = {f for f in ActivityInput.__dataclass_fields__}


@bp.before_request
def _authenticate():  # type: ignore[no-untyped-def]
    if request.endpoint == "api.openapi":
        return None
    auth = request.authorization
    if auth is not None and auth.type == "bearer":
        user = user_for_api_token(db.session, auth.token or "")
        if user is None:
            return json_error("unauthorized", "The API token is not valid or was revoked.", 401)
        g._login_user = user  # Flask-Login reads current_user from here
        return None
    if not current_user.is_authenticated:
        return json_error("unauthorized", "Sign in, or send 'Authorization: Bearer <token>'.", 401)
    if request.method not in {"GET", "HEAD", "OPTIONS"}:
        csrf.protect()
    return None


def json_body(allowed: set[str]) -> dict[str, Any]:
    """The request's JSON object; refuses anything else and unknown fields."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError("Send a JSON object with Content-Type: application/json.")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(unknown)[:200]}.")
    return data


# Typed fields: each reads one field of a JSON body and refuses a value of the wrong type
# with a 400 naming the field, so a list or an object never reaches a service or a column.
# Lengths and meanings stay the services' to check; `max_length` only bounds the work.


def text(data: dict[str, Any], name: str, *, max_length: int = 10_000, default: str = "") -> str:
    """A string field; missing or null is `default`."""
    value = data.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise DomainError(f"{name} must be text.", field=name)
    if len(value) > max_length:
        raise DomainError(f"{name} is too long: at most {max_length} characters.", field=name)
    return value


def optional_text(data: dict[str, Any], name: str, *, max_length: int = 10_000) -> str | None:
    """A string field that may be null or missing (None)."""
    return text(data, name, max_length=max_length) if data.get(name) is not None else None


def integer(data: dict[str, Any], name: str) -> int | None:
    """A whole-number field (not true/false, not 2.0); missing or null is None."""
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 2**53:
        raise DomainError(f"{name} must be a whole number.", field=name)
    return value


def boolean(data: dict[str, Any], name: str, *, default: bool = False) -> bool:
    value = data.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise DomainError(f"{name} must be true or false.", field=name)
    return value


def text_list(
    data: dict[str, Any], name: str, *, max_items: int = 500, max_length: int = 1000
) -> list[str]:
    """A list of strings; missing or null is an empty list."""
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > max_items:
        raise DomainError(f"{name} must be a list of at most {max_items} texts.", field=name)
    return [text({name: item}, name, max_length=max_length) for item in value]


def _date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as err:
        raise DomainError(f"{field} must be a date like 2026-03-02.", field=field) from err


def _programme_input(data: dict[str, Any], current: dict[str, Any] | None = None) -> ProgrammeInput:
    merged = {**(current or {}), **data}
    missing = sorted(PROGRAMME_FIELDS - {"purpose", "customer_question"} - set(merged))
    if missing:
        raise DomainError(f"Missing fields: {', '.join(missing)}.")
    tz = text(merged, "timezone", max_length=64)
    zone(tz)
    return ProgrammeInput(
        title=text(merged, "title", max_length=200),
        purpose=text(merged, "purpose", max_length=4000),
        customer_question=text(merged, "customer_question", max_length=500),
        starts_on=_date(text(merged, "starts_on", max_length=10), "starts_on"),
        ends_on=_date(text(merged, "ends_on", max_length=10), "ends_on"),
        timezone=tz,
        signup_opens_at=_datetime(merged, "signup_opens_at", tz),
        signup_closes_at=_datetime(merged, "signup_closes_at", tz),
    )


def _datetime(data: dict[str, Any], name: str, tz: str) -> datetime:
    return parse_iso_datetime(text(data, name, max_length=40), tz, field=name)


def _activity_input(data: dict[str, Any], tz: str) -> ActivityInput:
    missing = sorted({"kind", "title", "starts_at", "ends_at", "capacity"} - set(data))
    if missing:
        raise DomainError(f"Missing fields: {', '.join(missing)}.")
    capacity = integer(data, "capacity")
    if capacity is None:
        raise DomainError("capacity must be a whole number.", field="capacity")
    return ActivityInput(
        kind=text(data, "kind", max_length=40),
        title=text(data, "title", max_length=200),
        location=text(data, "location", max_length=300),
        online_url=text(data, "online_url", max_length=500),
        starts_at=_datetime(data, "starts_at", tz),
        ends_at=_datetime(data, "ends_at", tz),
        capacity=capacity,
        host=text(data, "host", max_length=200),
        what_to_bring=text(data, "what_to_bring", max_length=1000),
        notes=text(data, "notes", max_length=4000),
    )


@bp.get("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(openapi_document())


@bp.get("/csrf-token")
def csrf_token():  # type: ignore[no-untyped-def]
    """A fresh token for the browser's next JSON write (the outbox asks before each send)."""
    return jsonify(token=generate_csrf())


@bp.get("/me")
def me():  # type: ignore[no-untyped-def]
    return jsonify(user_json(current_user))


@bp.get("/me/schedule")
def my_schedule():  # type: ignore[no-untyped-def]
    items = signups.my_signups(db.session, current_user)
    return jsonify(items=[signup_json(s, with_activity=True) for s in items])


@bp.get("/programmes")
def list_programmes():  # type: ignore[no-untyped-def]
    items = programmes.visible_programmes(db.session, current_user)
    return jsonify(items=[programme_json(p) for p in items])


@bp.post("/programmes")
def create_programme():  # type: ignore[no-untyped-def]
    if not current_user.is_organiser:
        raise NotAllowed("Only organisers can create programmes.")
    data = _programme_input(json_body(PROGRAMME_FIELDS))
    programme = programmes.create_programme(db.session, data, by=current_user)
    db.session.commit()
    return jsonify(programme_json(programme)), 201


@bp.get("/programmes/<int:programme_id>")
def get_programme(programme_id: int):  # type: ignore[no-untyped-def]
    programme = programmes.get_programme(db.session, programme_id, user=current_user)
    return jsonify(programme_json(programme))


@bp.patch("/programmes/<int:programme_id>")
def update_programme(programme_id: int):  # type: ignore[no-untyped-def]
    programme = programmes.get_programme(db.session, programme_id, user=current_user)
    programmes.require_manager(programme, current_user)
    data = _programme_input(json_body(PROGRAMME_FIELDS), programme_json(programme))
    programmes.update_programme(db.session, programme, data, by=current_user)
    db.session.commit()
    return jsonify(programme_json(programme))


@bp.post("/programmes/<int:programme_id>/<any(publish, close, archive):action>")
def change_programme_status(programme_id: int, action: str):  # type: ignore[no-untyped-def]
    programme = programmes.get_programme(db.session, programme_id, user=current_user)
    programmes.change_status(db.session, programme, action, by=current_user)
    db.session.commit()
    return jsonify(programme_json(programme))


@bp.get("/programmes/<int:programme_id>/activities")
def list_activities(programme_id: int):  # type: ignore[no-untyped-def]
    programme = programmes.get_programme(db.session, programme_id, user=current_user)
    kind, day, place = (request.args.get(k, "")[:100] for k in ("kind", "day", "place"))
    found = programmes.find_activities(
        db.session, programme, kind=kind, day=day, place=place, per_page=None
    )
    items = found.slots
    return jsonify(items=[activity_json(a) for a in items])


@bp.post("/programmes/<int:programme_id>/activities")
def create_activity(programme_id: int):  # type: ignore[no-untyped-def]
    programme = programmes.get_programme(db.session, programme_id, user=current_user)
    programmes.require_manager(programme, current_user)
    data = _activity_input(json_body(ACTIVITY_FIELDS), programme.timezone)
    activity = programmes.create_activity(db.session, programme, data, by=current_user)
    db.session.commit()
    return jsonify(activity_json(activity)), 201


@bp.get("/activities/<int:activity_id>")
def get_activity(activity_id: int):  # type: ignore[no-untyped-def]
    activity = programmes.get_activity(db.session, activity_id, user=current_user)
    return jsonify(activity_json(activity))


@bp.post("/activities/<int:activity_id>/signups")
def sign_up(activity_id: int):  # type: ignore[no-untyped-def]
    activity = programmes.get_activity(db.session, activity_id, user=current_user)
    signup = signups.sign_up(db.session, activity, user=current_user)
    db.session.commit()
    return jsonify(signup_json(signup)), 201


@bp.post("/activities/<int:activity_id>/checkin")
def check_in(activity_id: int):  # type: ignore[no-untyped-def]
    """Arrival, from 30 minutes before the start to the end: with the host's code, or none."""
    activity = programmes.get_activity(db.session, activity_id, user=current_user)
    body = json_body({"code"}) if request.content_length else {}
    code = optional_text(body, "code", max_length=100)  # a wrong code is told it does not match
    signup = attendance.check_in(db.session, activity, user=current_user, code=code)
    db.session.commit()
    return jsonify(signup_json(signup))


@bp.delete("/signups/<int:signup_id>")
def cancel_signup(signup_id: int):  # type: ignore[no-untyped-def]
    signup = signups.get_signup(db.session, signup_id, user=current_user)
    signups.cancel(db.session, signup, by=current_user)
    db.session.commit()
    return jsonify(signup_json(signup))
