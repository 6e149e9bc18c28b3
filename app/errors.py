"""Domain errors and the HTML/JSON error handlers."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge


class DomainError(Exception):
    """A rule refused an action; the message tells a person what to do."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(code: str, message: str, status: int) -> tuple[Response, int]:
    return jsonify(error={"code": code, "message": message}), status


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(err: DomainError):  # type: ignore[no-untyped-def]
        if wants_json():
            return json_error(err.code, err.message, err.status)
        return render_template(
            "errors/error.html", status=err.status, message=err.message
        ), err.status

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError):  # type: ignore[no-untyped-def]
        app.logger.warning("CSRF refused: %s", err.description)
        message = "Your form expired or was sent from elsewhere. Reload the page and try again."
        if wants_json():
            return json_error("csrf_failed", message, 400)
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(err: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
        message = "That is too much to send at once: at most 5 photos of 15 MB each."
        if wants_json():
            return json_error("too_large", message, 413)
        return render_template("errors/error.html", status=413, message=message), 413

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):  # type: ignore[no-untyped-def]
        status = err.code or 500
        if wants_json():
            return json_error(HTTP_CODES.get(status, "error"), err.description or "", status)
        return render_template("errors/error.html", status=status, message=err.description), status

    @app.errorhandler(OperationalError)
    def _db_down(err: OperationalError):  # type: ignore[no-untyped-def]
        # A lost connection or a lock held too long: ask to retry instead of a bare 500.
        app.logger.warning("database unavailable: %s", err)
        message = "The service is busy. Please try again in a moment."
        if wants_json():
            return json_error("unavailable", message, 503)
        return render_template("errors/error.html", status=503, message=message), 503
