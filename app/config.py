"""Configuration read from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def is_development() -> bool:
    return _bool("FLASK_DEBUG", False) or os.environ.get("LISTENING_POST_ENV") == "development"


def _dev_secret_key(instance_path: str) -> str:
    """Development only: a random key kept in the instance folder so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(instance_path: str) -> dict[str, Any]:
    secret_key = os.environ.get("SECRET_KEY")
    if not secret_key:
        if not is_development():
            raise RuntimeError(
                "SECRET_KEY is not set. Set it to a long random value, "
                "or set FLASK_DEBUG=1 for local development."
            )
        secret_key = _dev_secret_key(instance_path)
    database_url = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "listening_post.sqlite3")
    )
    return {
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Plain http is only for development on this machine; everywhere else cookies need https.
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", not is_development()),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "lp_session",
        "PERMANENT_SESSION_LIFETIME": 14 * 24 * 3600,
        # The cookie is written only when the session changes (see security._keep_signed_in).
        "SESSION_REFRESH_EACH_REQUEST": False,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # A form's token lives as long as the (server-side, revocable) session: a long briefing
        # pack or a form left open over lunch must not be lost to an expired token.
        "WTF_CSRF_TIME_LIMIT": None,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "listening-post@localhost"),
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        #: Large debrief PDFs go to an RQ queue here; without it, to a thread in the web process.
        "REPORT_QUEUE_URL": os.environ.get("REDIS_URL", ""),
        "RATELIMIT_HEADERS_ENABLED": True,
        "SIGN_IN_RATE_LIMIT": os.environ.get("SIGN_IN_RATE_LIMIT", "10 per minute;50 per hour"),
        "PASSWORD_HASH_PROFILE": "default",
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        #: Each process loads the library's vectors after its first request (see meaning.py).
        "LIBRARY_WARM_UP": _bool("LIBRARY_WARM_UP", True),
        #: Webhooks may post over plain http to this machine; honoured in development only.
        "WEBHOOKS_ALLOW_HTTP_LOCAL": _bool("WEBHOOKS_ALLOW_HTTP_LOCAL", False),
    }


def normalise_database_url(url: str) -> str:
    """Let people write postgresql:// or postgres://; we always speak psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
