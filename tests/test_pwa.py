"""What makes the app installable and able to open offline."""

from __future__ import annotations

import json
from pathlib import Path

from tests.factories import make_activity, make_programme

ROOT = Path(__file__).resolve().parent.parent


def test_service_worker_is_served_from_the_root_and_never_cached(client):
    with client.get("/sw.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.headers["Service-Worker-Allowed"] == "/"


def test_manifest_makes_the_app_installable(client):
    with client.get("/static/manifest.webmanifest") as response:
        assert response.mimetype == "application/manifest+json"
        manifest = json.loads(response.data)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert (ROOT / icon["src"].lstrip("/")).is_file()


def test_every_page_links_the_manifest_and_the_touch_icon(client, login_as):
    login_as()
    page = client.get("/").get_data(as_text=True)
    assert 'rel="manifest"' in page and 'rel="apple-touch-icon"' in page


def test_offline_page_needs_no_sign_in(client):
    page = client.get("/offline").get_data(as_text=True)
    assert "No connection" in page


def test_worker_precaches_only_files_that_exist(client):
    source = (ROOT / "static/sw.js").read_text()
    shell = source.split("const SHELL = [", 1)[1].split("];", 1)[0]
    for url in (u.strip().strip("',") for u in shell.splitlines() if u.strip()):
        with client.get(url) as response:
            assert response.status_code == 200, url


def test_csrf_token_endpoint_needs_a_session(client, login_as):
    assert client.get("/api/v1/csrf-token").status_code == 401
    login_as()
    token = client.get("/api/v1/csrf-token").get_json()["token"]
    assert isinstance(token, str) and len(token) > 20


def test_pages_fetched_ahead_for_offline_use_leave_the_message_for_the_next_page(client, login_as):
    """The service worker warms pages while a person acts: it must not eat their confirmation."""
    login_as()
    slot = make_activity(make_programme(), title="Calls in Lyon")
    client.form(f"/activities/{slot.id}/signup")  # flashes "You are signed up…"
    warmed = client.get("/schedule", headers={"X-Page-Warm": "1"}).get_data(as_text=True)
    assert "You are signed up" not in warmed
    shown = client.get(f"/activities/{slot.id}").get_data(as_text=True)
    assert "You are signed up for “Calls in Lyon”" in shown
    assert "You are signed up for" not in client.get("/").get_data(as_text=True)  # shown once
    with client.get("/sw.js") as worker:
        assert "'X-Page-Warm': '1'" in worker.get_data(as_text=True)
