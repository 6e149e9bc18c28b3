"""Who is signed in, and the headers every response carries."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Response, g, request, session

from app.extensions import db, login_manager

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def register_security(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    # Flask-Login's own "session protection" would clear our session on an IP change (phones move
    # between networks); ending sessions server-side is what makes sign-out real instead.
    login_manager.session_protection = None

    @login_manager.user_loader
    def _load(token: str):  # type: ignore[no-untyped-def]
        from app.accounts.services import user_for_session

        return user_for_session(db.session, token)

    @app.before_request
    def _keep_signed_in() -> None:
        # Writing the cookie on every answer let a background request (the outbox's sync, a
        # page fetched for offline use) that answered after a form put back the session from
        # before the form, losing its message. Now the cookie is written when the session
        # changes, and once a day, so its 14 days still run from a person's last day of use.
        today = datetime.now(UTC).date().isoformat()
        if session.permanent and session.get("day") != today:
            session["day"] = today

    @app.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config.get("SESSION_COOKIE_SECURE"):
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        user = g.get("_login_user")
        if user is not None and user.is_authenticated and "Cache-Control" not in h:
            # Personal pages must not be stored by shared caches.
            h["Cache-Control"] = (
                "private, no-store" if request.path.startswith("/api/") else "private"
            )
        return response
