"""A real receiver on 127.0.0.1, and the development exception that lets webhooks reach it."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.accounts.models import Role, User
from app.db import utcnow
from app.debriefs import board
from app.debriefs.models import Debrief
from app.debriefs.services import DebriefInput, create_debrief
from app.extensions import db
from tests.factories import make_activity, make_programme, make_user


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    status: int = 200
    location: str = ""
    got: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks/in")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.got.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            state.arrived.set()

        def log_message(self, *args: object) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def local(app, monkeypatch):  # type: ignore[no-untyped-def]
    """The development exception, and retries a test can count (never waited for)."""
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_HTTP_LOCAL", True)
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SCHEDULE", (5, 30))


@pytest.fixture
def public_dns(monkeypatch):  # type: ignore[no-untyped-def]
    """Names resolve to a public address (a documentation one) without a real lookup."""

    def fake(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            address = str(ipaddress.ip_address(host))  # a literal address stays itself
        except ValueError:
            address = "127.0.0.1" if host == "loopback.example.com" else "93.184.215.14"
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture
def admin() -> User:
    user = make_user(Role.ADMIN)
    db.session.commit()
    return user


def published_debrief(*, statement: str = "Unit prices are hidden", due: str = "") -> Debrief:
    """A debrief with one insight and one action; published by its organiser."""
    from app.debriefs.services import publish

    debrief = open_debrief()
    board.save_insight(
        db.session,
        debrief,
        {"statement": statement, "so_what": "Show them"},
        user=organiser_of(debrief),
    )
    board.save_action(
        db.session,
        debrief,
        {"what": "Add shelf labels", "owner": "Stores team", "due_on": due},
        user=organiser_of(debrief),
    )
    publish(db.session, debrief, by=organiser_of(debrief))
    return debrief


def open_debrief() -> Debrief:
    organiser = make_user(Role.ORGANISER)
    programme = make_programme(organiser)
    make_activity(programme)
    return create_debrief(
        db.session,
        programme,
        DebriefInput(title="Stores debrief", starts_at=utcnow(), location="Room 1"),
        by=organiser,
    )


def organiser_of(debrief: Debrief) -> User:
    return debrief.programme.organisers[0]
