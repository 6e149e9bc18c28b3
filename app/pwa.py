"""What makes the app installable and usable offline: the service worker and the offline page."""

from __future__ import annotations

import mimetypes

from flask import Blueprint, Response, current_app, render_template, send_from_directory

bp = Blueprint("pwa", __name__)
mimetypes.add_type("application/manifest+json", ".webmanifest")


@bp.get("/sw.js")
def service_worker() -> Response:
    """Served from the root so it controls every page; never cached, so updates arrive."""
    response = send_from_directory(
        current_app.static_folder or "static", "sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline() -> str:
    return render_template("offline.html")
