"""Time zones: parse local times typed in a programme's zone, show UTC times in it."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import Flask

from app.errors import DomainError


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def zone(name: str) -> ZoneInfo:
    """The IANA zone with this name, or a DomainError saying so."""
    if not isinstance(name, str) or name not in timezone_names():
        raise DomainError(
            f"“{name}” is not a known time zone. Use a name like Europe/Paris.", field="timezone"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:  # pragma: no cover - list and db disagree
        raise DomainError(f"“{name}” is not a known time zone.", field="timezone") from err


def local_to_utc(value: datetime, tz_name: str, *, field: str) -> datetime:
    """A wall-clock time in the zone, as UTC; refuses times a clock change skips."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    tz = zone(tz_name)
    aware = value.replace(tzinfo=tz)
    roundtrip = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if roundtrip != value:
        raise DomainError(
            f"{value:%Y-%m-%d %H:%M} does not exist in {tz_name} (the clocks change then). "
            "Pick another time.",
            field=field,
        )
    return aware.astimezone(UTC)


def parse_iso_datetime(value: object, tz_name: str, *, field: str) -> datetime:
    """An ISO 8601 time from JSON; without an offset it is read in the programme's zone."""
    if not isinstance(value, str):
        raise DomainError(f"{field} must be an ISO 8601 date and time.", field=field)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise DomainError(
            f"{field}: “{value[:40]}” is not an ISO 8601 date and time.", field=field
        ) from err
    return local_to_utc(parsed, tz_name, field=field)


def in_zone(value: datetime, tz_name: str) -> datetime:
    return value.astimezone(ZoneInfo(tz_name))


def format_local(value: datetime | None, tz_name: str, fmt: str = "%a %d %b, %H:%M") -> str:
    return "" if value is None else in_zone(value, tz_name).strftime(fmt)


def local_input(value: datetime | str | None, tz_name: str) -> str:
    """A time for a datetime-local input in the zone: a stored time, or one as typed (no
    offset, already local; or not a time at all, shown back for the person to fix)."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value[:40]
        if parsed.tzinfo is None:
            return parsed.strftime("%Y-%m-%dT%H:%M")
        value = parsed
    return format_local(value, tz_name, "%Y-%m-%dT%H:%M")


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["local_input"] = local_input
