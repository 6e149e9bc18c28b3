"""The JSON API under /api/v1, over the same services as the pages."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import actions, briefings, capture, debriefs, feeds, library, views  # noqa: E402,F401  (registers the routes)
