"""Account rules: invitations, passwords, sessions, roles and API tokens."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import joinedload

from app.accounts.models import ApiToken, AuthSession, Role, User, UserRole
from app.db import DbSession, utcnow
from app.errors import Conflict, DomainError, NotAllowed
from app.mail import external_url, queue_mail
from app.text import clean_text
from app.timefmt import CLOCKS

INVITE_MAX_AGE = 14 * 24 * 3600
RESET_MAX_AGE = 2 * 3600
MIN_PASSWORD = 10
MAX_PASSWORD = 256
CSV_MAX_ROWS = 2000


def _hasher() -> PasswordHasher:
    if current_app.config.get("PASSWORD_HASH_PROFILE") == "fast-for-tests":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()  # Argon2id, RFC 9106 low-memory profile


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalise_email(raw: str) -> str:
    """A valid address in lower case, or DomainError."""
    raw = clean_text(raw, field="Email", max_length=254, required=True)
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError as err:
        raise DomainError(f"“{raw}” is not a valid email address.", field="email") from err


def parse_roles(values: Iterable[str]) -> set[Role]:
    roles = set()
    for value in values:
        try:
            roles.add(Role(value.strip().lower()))
        except ValueError as err:
            names = ", ".join(r.value for r in Role)
            raise DomainError(
                f"Unknown role “{value}”. Use one of: {names}.", field="roles"
            ) from err
    return roles


def user_by_email(session: DbSession, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    session: DbSession,
    *,
    email: str,
    name: str,
    roles: Iterable[Role] = (),
    department: str = "",
    password: str | None = None,
) -> User:
    """Create an account; raises Conflict if the email is taken."""
    email = normalise_email(email)
    if user_by_email(session, email):
        raise Conflict(f"There is already an account for {email}.", field="email")
    user = User(
        email=email,
        name=clean_text(name, field="Name", max_length=120, required=True),
        department=clean_text(department, field="Department", max_length=120),
    )
    user.role_rows = [UserRole(role=r) for r in set(roles) - {Role.EMPLOYEE}]
    if password is not None:
        user.password_hash = _hasher().hash(check_password(password))
    session.add(user)
    session.flush()
    return user


def invite_user(
    session: DbSession, *, email: str, name: str, roles: set[Role], department: str, by: User
) -> User:
    """Create an account without a password and mail its invitation link."""
    if not by.is_organiser:
        raise NotAllowed("Only organisers and admins can invite people.")
    if Role.ADMIN in roles and not by.is_admin:
        raise NotAllowed("Only admins can give the admin role.", field="roles")
    user = create_user(session, email=email, name=name, roles=roles, department=department)
    link = external_url("accounts.accept_invite", token=make_token(user, "invite"))
    queue_mail(
        session,
        to=user.email,
        subject="You are invited to Listening Post",
        body=(
            f"Hello {user.name},\n\n{by.name} invited you to Listening Post, where we sign up to "
            f"go out and listen to customers.\n\nSet your password here (valid 14 days):\n{link}\n"
        ),
    )
    return user


@dataclass
class CsvImport:
    invited: list[User]
    errors: list[str]


def import_invitations(session: DbSession, text: str, *, by: User) -> CsvImport:
    """Invite every row of a CSV with columns email,name[,department][,roles]; bad rows are listed.

    Roles in the roles column are separated by spaces or semicolons.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = {h.strip().lower() for h in (reader.fieldnames or [])}
    if not {"email", "name"} <= headers:
        raise DomainError("The CSV needs a header row with at least the columns email and name.")
    result = CsvImport([], [])
    for line, row in enumerate(reader, start=2):
        if line > CSV_MAX_ROWS + 1:
            result.errors.append(f"Stopped after {CSV_MAX_ROWS} rows; split the file.")
            break
        row = {(k or "").strip().lower(): (v or "") for k, v in row.items() if k}
        try:
            with session.begin_nested():
                roles = parse_roles(r for r in row.get("roles", "").replace(";", " ").split() if r)
                result.invited.append(
                    invite_user(
                        session,
                        email=row.get("email", ""),
                        name=row.get("name", ""),
                        department=row.get("department", ""),
                        roles=roles,
                        by=by,
                    )
                )
        except DomainError as err:
            result.errors.append(f"Line {line}: {err.message}")
    return result


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise DomainError(f"Use at least {MIN_PASSWORD} characters.", field="password")
    if len(password) > MAX_PASSWORD:
        raise DomainError(f"Use at most {MAX_PASSWORD} characters.", field="password")
    return password


def set_clock(user: User, clock: str) -> None:
    """The clock this person reads times in: "24", "12", or "" for their browser's language."""
    if clock not in CLOCKS:
        raise DomainError("Choose 24-hour, 12-hour or as your browser's language.", field="clock")
    user.clock = clock


def set_password(
    session: DbSession, user: User, password: str, *, keep_token: str | None = None
) -> None:
    """Set a new password and end every other session of this person."""
    user.password_hash = _hasher().hash(check_password(password))
    revoke_sessions(session, user, except_token=keep_token)


def authenticate(session: DbSession, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same work either way)."""
    user = user_by_email(session, email)
    hasher = _hasher()
    if user is None or not user.password_hash or not user.active:
        hasher.hash(password[:MAX_PASSWORD])  # spend the same time so timing tells nothing
        return None
    try:
        hasher.verify(user.password_hash, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def start_session(session: DbSession, user: User) -> str:
    """Record a new signed-in session; the returned token goes into the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(AuthSession(user=user, token_hash=sha256(token)))
    session.flush()
    user.current_session_token = token
    return token


@functools.cache
def _session_query() -> Select[User]:
    """The person a live session belongs to. Built once: it runs on every request, and
    building the statement cost as much as running it."""
    return (
        select(User)
        .options(joinedload(User.role_rows))
        .join(AuthSession)
        .where(
            AuthSession.token_hash == bindparam("token_hash"),
            AuthSession.revoked_at.is_(None),
            User.active.is_(True),
        )
    )


def user_for_session(session: DbSession, token: str) -> User | None:
    found = session.scalars(_session_query(), {"token_hash": sha256(token)})
    user = found.unique().one_or_none()
    if user is not None:
        user.current_session_token = token
    return user


def end_session(session: DbSession, token: str) -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.token_hash == sha256(token), AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_sessions(session: DbSession, user: User, *, except_token: str | None = None) -> None:
    """End all of a person's sessions, except the one given."""
    stmt = update(AuthSession).where(
        AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None)
    )
    if except_token:
        stmt = stmt.where(AuthSession.token_hash != sha256(except_token))
    session.execute(stmt.values(revoked_at=utcnow()))


def update_user(
    session: DbSession,
    user: User,
    *,
    name: str,
    department: str,
    roles: set[Role],
    active: bool,
    by: User,
) -> None:
    """Change a person's name, department, roles or access (admins only)."""
    if not by.is_admin:
        raise NotAllowed("Only admins can change people's roles and access.")
    if user.id == by.id and (not active or Role.ADMIN not in roles):
        raise DomainError("You cannot remove your own admin role or disable yourself.")
    user.name = clean_text(name, field="Name", max_length=120, required=True)
    user.department = clean_text(department, field="Department", max_length=120)
    wanted = roles - {Role.EMPLOYEE}
    user.role_rows = [r for r in user.role_rows if r.role in wanted] + [
        UserRole(role=r) for r in wanted - {r.role for r in user.role_rows}
    ]
    if user.active and not active:
        revoke_sessions(session, user)
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    user.active = active
    session.flush()


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"lp-{purpose}")


def _fingerprint(user: User) -> str:
    # Changes with the password, so a link works once: after use, the fingerprint no longer matches.
    return sha256(user.password_hash or "unset")[:16]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_token(session: DbSession, token: str, purpose: str) -> User:
    """The person a mailed link is for; DomainError if it is expired, used or forged."""
    max_age = INVITE_MAX_AGE if purpose == "invite" else RESET_MAX_AGE
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as err:
        raise DomainError("This link has expired. Ask for a new one.") from err
    except BadSignature as err:
        raise DomainError("This link is not valid. Ask for a new one.") from err
    user = session.get(User, data.get("u"))
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        raise DomainError("This link has already been used or is no longer valid.")
    return user


def request_password_reset(session: DbSession, email: str) -> None:
    """Mail a reset link if the address has an active account; say nothing either way."""
    try:
        user = user_by_email(session, normalise_email(email))
    except DomainError:
        return
    if user is None or not user.active:
        return
    link = external_url("accounts.reset_password", token=make_token(user, "reset"))
    queue_mail(
        session,
        to=user.email,
        subject="Reset your Listening Post password",
        body=f"Hello {user.name},\n\nChoose a new password here (valid 2 hours):\n{link}\n\n"
        "If you did not ask for this, ignore this message.\n",
    )


def create_api_token(session: DbSession, user: User) -> str:
    """A new personal API token; only its hash is stored, so show it once."""
    token = "lp_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=sha256(token)))
    session.flush()
    return token


def user_for_api_token(session: DbSession, token: str) -> User | None:
    return (
        session.scalars(
            select(User)
            .options(joinedload(User.role_rows))
            .join(ApiToken)
            .where(
                ApiToken.token_hash == sha256(token),
                ApiToken.revoked_at.is_(None),
                User.active.is_(True),
            )
        )
        .unique()
        .one_or_none()
    )
