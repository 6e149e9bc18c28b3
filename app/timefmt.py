"""Time zones: parse local times typed in a programme's zone, show UTC times in it.

Every date and time a person reads is written here, in one style: the programme's zone, and
the reader's locale (day order, and a 24- or 12-hour clock, their own choice on Account or
else their browser's language), never both clocks on one page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import format_interval, format_skeleton
from flask import Flask, g, has_request_context, request
from flask_login import current_user

from app.errors import DomainError

# English-speaking locales whose writing of dates we follow; anyone else reads British style
# (24 hours, day before month), the closest to most of the world.
LOCALES = ("en-GB", "en-US", "en-IE", "en-AU", "en-NZ", "en-CA", "en-IN", "en-ZA", "en-SG")
CLOCKS = {"": "As my browser's language", "24": "24-hour (14:30)", "12": "12-hour (2:30 pm)"}


@dataclass(frozen=True)
class Style:
    locale: str = "en_GB"
    hour: str = "H"  #: the CLDR hour letter: "H" on a 24-hour clock, "h" on a 12-hour one

    @property
    def time_skeleton(self) -> str:
        return f"{self.hour}m"

    @property
    def hour_cycle(self) -> str:
        """The same choice for the browser's Intl.DateTimeFormat."""
        return "h23" if self.hour == "H" else "h12"


@lru_cache(maxsize=32)
def style_for(language: str, clock: str) -> Style:
    locale = Locale.parse(language, sep="-")
    if clock not in ("24", "12"):
        clock = "12" if "h" in locale.time_formats["short"].pattern else "24"
    return Style(str(locale), "H" if clock == "24" else "h")


@contextmanager
def house_style() -> Iterator[None]:
    """Writing for many readers at once (the debrief PDF, kept and shared): the house style,
    whoever happened to ask for it first."""
    if not has_request_context():
        yield
        return
    mine = g.pop("time_style", None)
    g.time_style = Style()
    try:
        yield
    finally:
        g.pop("time_style", None)
        if mine is not None:
            g.time_style = mine


def current_style() -> Style:
    """The reader's style for this request (British 24-hour outside a request)."""
    if not has_request_context():
        return Style()
    style: Style | None = g.get("time_style")  # one look at g: a page asks for every time
    if style is None:
        language = request.accept_languages.best_match(LOCALES, default=LOCALES[0])
        clock = getattr(current_user, "clock", "") or ""
        style = g.time_style = style_for(language, clock)
    return style


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


#: The years a time typed or sent may fall in; checked before any arithmetic, which near
#: year 1 or 9999 overflows.
YEARS = (2000, 2100)


def in_range(value: datetime, *, field: str) -> datetime:
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise DomainError(
            f"{field}: pick a time between the years {YEARS[0]} and {YEARS[1]}.", field=field
        )
    return value


def local_to_utc(value: datetime, tz_name: str, *, field: str) -> datetime:
    """A wall-clock time in the zone, as UTC; refuses times a clock change skips."""
    in_range(value, field=field)
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


def format_local(value: datetime | None, tz_name: str) -> str:
    """A moment: "Tue 10 Nov, 09:00" (or "Tue, Nov 10, 9:00 AM" for an American reader)."""
    return "" if value is None else _moment(value, tz_name, current_style())


def clock(value: datetime | None, tz_name: str) -> str:
    """The time of day only: "09:00" or "9:00 am"."""
    return "" if value is None else _clock(value, tz_name, current_style())


def span(start: datetime, end: datetime, tz_name: str) -> str:
    """From start to end, with the day written once when both fall on it."""
    return _span(start, end, tz_name, current_style())


def day(value: date | datetime | None, tz_name: str | None = None, *, weekday: bool = False) -> str:
    """A calendar date: "10 Nov 2026" ("Tue 10 Nov" with the weekday, for days of a programme).
    A stored moment is read in the zone given, or in UTC."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = (in_zone(value, tz_name) if tz_name else value).date()
    return _date(value, "MMMEd" if weekday else "yMMMd", current_style())


def days(first: date, last: date) -> str:
    """A run of days ("10 to 12 Nov 2026" in the locale's way), and one day once."""
    return _days(first, last, current_style())


# Babel takes 30 to 60 µs a call; a programme page shows hundreds of the same few moments, so
# each text is kept once made (keys are values, so a cache never shows one reader another's).
@lru_cache(maxsize=8192)
def _moment(value: datetime, tz_name: str, style: Style) -> str:
    local = in_zone(value, tz_name)
    return _join(style, _date(local, "MMMEd", style), _clock(value, tz_name, style))


@lru_cache(maxsize=8192)
def _clock(value: datetime, tz_name: str, style: Style) -> str:
    return format_skeleton(style.time_skeleton, in_zone(value, tz_name), locale=style.locale)


@lru_cache(maxsize=8192)
def _span(start: datetime, end: datetime, tz_name: str, style: Style) -> str:
    first, last = in_zone(start, tz_name), in_zone(end, tz_name)
    if first.date() != last.date():
        return f"{_moment(start, tz_name, style)} \N{EN DASH} {_moment(end, tz_name, style)}"
    times = format_interval(first, last, style.time_skeleton, locale=style.locale)
    return _join(style, _date(first, "MMMEd", style), times)


@lru_cache(maxsize=8192)
def _date(value: date, skeleton: str, style: Style) -> str:
    return format_skeleton(skeleton, value, locale=style.locale)


@lru_cache(maxsize=1024)
def _days(first: date, last: date, style: Style) -> str:
    return format_interval(first, last, "yMMMd", locale=style.locale)


def _join(style: Style, day_text: str, time_text: str) -> str:
    pattern = str(Locale.parse(style.locale).datetime_formats["medium"])
    return pattern.replace("{1}", day_text).replace("{0}", time_text)


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
    return "" if value is None else in_zone(value, tz_name).strftime("%Y-%m-%dT%H:%M")


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        local=format_local, clock=clock, span=span, day=day, days=days, local_input=local_input
    )
    app.jinja_env.globals["time_style"] = current_style
