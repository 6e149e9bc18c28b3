"""The command-line interface, configuration from the environment, and mail delivery."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.accounts.models import Role
from app.accounts.services import authenticate, user_by_email, user_for_api_token
from app.capture.models import Note
from app.config import load_config, normalise_database_url
from app.debriefs.models import Debrief
from app.extensions import db
from app.mail import queue_mail
from app.programmes.models import ActivityKind, Programme
from tests.factories import make_user


def test_users_create_reads_the_password_from_stdin(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "Ada@Example.com",
            "--name",
            "Ada",
            "--role",
            "admin",
            "--role",
            "organiser",
            "--password-stdin",
        ],
        input="a very long password\n",
    )
    assert result.exit_code == 0, result.output
    user = user_by_email(db.session, "ada@example.com")
    assert user.roles == {Role.EMPLOYEE, Role.ADMIN, Role.ORGANISER}
    assert authenticate(db.session, "ada@example.com", "a very long password") is user


def test_users_create_refuses_bad_input_clearly(app):
    runner = app.test_cli_runner()
    bad_role = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@example.com",
            "--name",
            "X",
            "--role",
            "pilot",
            "--password-stdin",
        ],
        input="long enough pw\n",
    )
    assert bad_role.exit_code != 0 and "Unknown role" in bad_role.output
    short = runner.invoke(
        args=["users", "create", "--email", "x@example.com", "--name", "X", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code != 0 and "at least 10" in short.output


def test_tokens_create_prints_a_working_token_last(app):
    person = make_user()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--email", person.email])
    token = result.output.strip().splitlines()[-1]
    assert user_for_api_token(db.session, token).id == person.id


def test_demo_loads_a_company_once(app, monkeypatch):
    monkeypatch.setattr("app.demo.upgrade", lambda: None)  # the test schema already exists
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "organiser@example.com" in first.output
    week, past_day = (
        db.session.query(Programme).filter_by(title=title).one()
        for title in ("Customer closeness week", "Closeness day, two weeks ago")
    )
    assert week.status == "published"
    assert {a.kind for a in week.activities} == set(ActivityKind)
    assert db.session.query(type(week.organisers[0])).count() == 15
    [debrief] = db.session.query(Debrief).filter_by(status="open").all()
    assert debrief.programme_id == past_day.id and past_day.status == "in_field"
    notes = db.session.query(Note).join(Note.activity).filter_by(programme_id=past_day.id)
    assert notes.count() == 6 and len(debrief.themes) == 1
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "already loaded" in again.output


def test_secret_key_is_required_outside_development(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("LISTENING_POST_ENV", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        load_config(str(tmp_path))
    monkeypatch.setenv("FLASK_DEBUG", "1")
    config = load_config(str(tmp_path))
    assert len(config["SECRET_KEY"]) > 40 and config["SESSION_COOKIE_SECURE"] is False


def test_environment_chooses_database_and_rate_limit_storage(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/lp")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    config = load_config(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/lp"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_mail_goes_through_smtp_when_configured(app, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):  # type: ignore[no-untyped-def]
            sent.append(("connect", host, port))

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc):  # type: ignore[no-untyped-def]
            return False

        def starttls(self):  # type: ignore[no-untyped-def]
            sent.append(("starttls",))

        def login(self, user, password):  # type: ignore[no-untyped-def]
            sent.append(("login", user))

        def send_message(self, msg):  # type: ignore[no-untyped-def]
            sent.append(("send", msg["To"], msg["Subject"]))

    monkeypatch.setattr("app.mail.smtplib.SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.com")
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "lp")
    queue_mail(db.session, to="a@example.com", subject="Hello", body="Hi")
    assert sent == []  # nothing leaves before the commit
    db.session.commit()
    assert sent == [
        ("connect", "smtp.example.com", 587),
        ("starttls",),
        ("login", "lp"),
        ("send", "a@example.com", "Hello"),
    ]


def test_the_pdf_worker_needs_a_queue(app):
    result = app.test_cli_runner().invoke(args=["reports", "worker", "--burst"])
    assert result.exit_code == 2 and "Set REDIS_URL" in result.output


def test_the_served_app_keeps_its_start_up_objects_out_of_garbage_collection(tmp_path):
    env = {**os.environ, "SECRET_KEY": "s" * 40, "INSTANCE_PATH": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    script = "import gc, wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    frozen, tracked = map(int, out.stdout.split())
    assert frozen > 50_000 and tracked < frozen // 10
