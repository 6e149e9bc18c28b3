"""A person's digest frequency, and the signed links that turn digests off without signing in."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.accounts.models import User
from app.db import DbSession
from app.digests.models import Frequency
from app.errors import DomainError, NotFound
from app.feeds.models import FeedState
from app.feeds.services import state_of

FREQUENCIES = [str(f) for f in Frequency]
LABELS = {
    Frequency.WEEKLY: "Weekly",
    Frequency.DAILY: "Daily",
    Frequency.OFF: "Off: no digest",
}
#: Binds a token to its purpose: a token signed for anything else with the same key fails.
SALT = "listening-post.digest-unsubscribe"


def frequency_of(session: DbSession, user: User) -> Frequency:
    """How often the person's digest comes (weekly when they never chose)."""
    state = session.get(FeedState, user.id)
    return Frequency(state.digest) if state else Frequency.WEEKLY


def set_frequency(session: DbSession, user: User, value: Any) -> Frequency:
    """Weekly, daily or off. Turning digests back on retires the unsubscribe links of the
    emails sent before, so an old email cannot turn them off again."""
    if not isinstance(value, str) or value not in FREQUENCIES:
        raise DomainError("Choose weekly, daily or off.", field="frequency")
    state = state_of(session, user)
    if (state.digest or Frequency.WEEKLY) == Frequency.OFF and value != Frequency.OFF:
        state.digest_epoch = (state.digest_epoch or 0) + 1
    state.digest = value
    session.flush()
    return Frequency(value)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(user_id: int, epoch: int) -> str:
    """The secret of a person's unsubscribe link: their id and the digests' epoch, signed."""
    return str(_serializer().dumps([user_id, epoch]))


def _read(token: Any) -> tuple[int, int]:
    try:
        data = _serializer().loads(token) if isinstance(token, str) and len(token) < 200 else None
    except BadSignature:
        data = None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in data)
    ):
        raise NotFound("This unsubscribe link is not valid. Sign in and go to Account to stop "
                       "digests.")  # fmt: skip
    return data[0], data[1]


def person_of(session: DbSession, token: Any) -> User:
    """Whose unsubscribe link this is; a forged, altered or retired link is refused."""
    user_id, epoch = _read(token)
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None or not user.active:
        raise NotFound("This unsubscribe link is not valid. Sign in and go to Account to stop "
                       "digests.")  # fmt: skip
    state = session.get(FeedState, user.id)
    if epoch != (state.digest_epoch if state else 0):
        raise DomainError(
            "This link is from an email sent before you turned digests back on, so it no longer "
            "works. Use the link in your latest digest, or sign in and go to Account."
        )
    return user


def unsubscribe(session: DbSession, token: Any) -> User:
    """Turn digests off for the person the link is for (twice changes nothing)."""
    user = person_of(session, token)
    state_of(session, user).digest = Frequency.OFF
    session.flush()
    return user
