"""Sign-in, sign-out, passwords, invitations and the people pages over HTTP."""

from __future__ import annotations

import io
import re
import time

import pytest

from app.accounts import services
from app.accounts.models import Role, User
from app.extensions import db
from tests.factories import PASSWORD, make_user


def test_sign_in_sets_a_hardened_cookie_and_lands_home(client):
    person = make_user()
    response = client.sign_in(person)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/").status_code == 200


def test_wrong_password_says_so_and_keeps_the_email(client):
    person = make_user()
    response = client.form("/login", {"email": person.email, "password": "nope"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "do not match an active account" in page and person.email in page


@pytest.mark.parametrize(
    "elsewhere",
    ["https://evil.example/x", "//evil.example/x", "/\\evil.example/x", "/\t/evil.example/x"],
)
def test_sign_in_only_follows_local_next(client, elsewhere):  # type: ignore[no-untyped-def]
    person = make_user()
    token = client.csrf_token()
    data = {"csrf_token": token, "email": person.email, "password": PASSWORD}
    response = client.post("/login", query_string={"next": elsewhere}, data=data)
    assert response.headers["Location"] == "/"


def test_sign_out_ends_the_session_for_a_copied_cookie(client, app):
    person = make_user()
    client.sign_in(person)
    stolen = client.get_cookie("lp_session").value
    client.form("/logout")
    thief = app.test_client()
    thief.set_cookie("lp_session", stolen)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_signs_out_other_devices(client, app):
    person = make_user()
    client.sign_in(person)
    other = app.test_client()
    other.sign_in(person)
    response = client.form(
        "/account",
        {
            "current": PASSWORD,
            "password": "a brand new password",
            "confirm": "a brand new password",
        },
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_password_change_with_wrong_current_password_changes_nothing(client):
    person = make_user()
    client.sign_in(person)
    page = client.form(
        "/account",
        {"current": "wrong", "password": "a brand new password", "confirm": "a brand new password"},
    ).get_data(as_text=True)
    assert "not your current password" in page
    assert services.authenticate(db.session, person.email, PASSWORD) is not None


def test_sign_in_is_rate_limited(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_RATE_LIMIT", "3 per minute")
    person = make_user()
    token = client.csrf_token()
    codes = [
        client.post(
            "/login", data={"csrf_token": token, "email": person.email, "password": "wrong"}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_post_without_csrf_token_is_refused(client):
    person = make_user()
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)


def test_forgot_password_mails_a_link_that_sets_a_new_password(client, outbox):
    person = make_user()
    response = client.form("/forgot", {"email": person.email})
    assert response.status_code == 302
    [mail] = outbox()
    link = re.search(r"http://localhost(/reset/\S+)", mail).group(1)
    response = client.form(
        link, {"password": "my new long password", "confirm": "my new long password"}
    )
    assert response.status_code == 302
    assert client.get(link).status_code == 400  # used once


def test_forgot_password_for_unknown_address_says_the_same(client, outbox):
    response = client.form("/forgot", {"email": "nobody@example.com"}, follow_redirects=True)
    assert "If that address has an account" in response.get_data(as_text=True)
    assert outbox() == []


def test_invited_person_sets_a_password_and_is_signed_in(client, outbox):
    admin = make_user(Role.ADMIN)
    client.sign_in(admin)
    response = client.form(
        "/people",
        {
            "email": "newbie@example.com",
            "name": "Newbie",
            "department": "Service",
            "roles": ["employee"],
        },
    )
    assert response.status_code == 302
    link = re.search(r"http://localhost(/invite/\S+)", outbox()[0]).group(1)
    client.form("/logout")
    response = client.form(link, {"password": "short", "confirm": "short"})
    assert "Use at least 10" in response.get_data(as_text=True)
    response = client.form(
        link, {"password": "long enough password", "confirm": "long enough password"}
    )
    assert response.status_code == 302
    assert "Newbie" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email", "name": "X"}, "Invalid email address"),
        ({"email": "a@example.com", "name": ""}, "This field is required"),
        ({"email": "a@example.com", "name": "x" * 121}, "Field cannot be longer than 120"),
        ({"email": "a@example.com", "name": "Nul\x00Byte"}, "NUL"),
        ({"email": "a@example.com", "name": "X", "roles": ["wizard"]}, "not a valid choice"),
    ],
)
def test_invite_form_bad_input_shows_the_reason_and_invites_nobody(client, data, message):
    client.sign_in(make_user(Role.ADMIN))
    response = client.form("/people", data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.query(User).filter_by(email="a@example.com").count() == 0


def test_csv_upload_invites_the_list_and_reports_bad_rows(client, outbox):
    client.sign_in(make_user(Role.ORGANISER))
    csv_file = (
        io.BytesIO(b"email,name,department\nx1@example.com,X One,Sales\nbroken,Y,\n"),
        "people.csv",
    )
    response = client.form(
        "/people/import",
        {"file": csv_file},
        follow_redirects=True,
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "1 invitations sent" in page and "Line 3" in page
    assert len(outbox()) == 1


def test_csv_upload_that_is_not_text_is_refused(client):
    client.sign_in(make_user(Role.ORGANISER))
    response = client.form(
        "/people/import",
        {"file": (io.BytesIO(b"\xff\xfe\x00bin"), "x.csv")},
        follow_redirects=True,
        content_type="multipart/form-data",
    )
    assert "not UTF-8 text" in response.get_data(as_text=True)


def test_admin_disables_an_account_and_its_sessions_end(client, app):
    person = make_user()
    theirs = app.test_client()
    theirs.sign_in(person)
    client.sign_in(make_user(Role.ADMIN))
    response = client.form(
        f"/people/{person.id}", {"name": person.name, "department": "", "roles": ["employee"]}
    )
    assert response.status_code == 302
    assert theirs.get("/").status_code == 302


def test_security_headers_are_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.get_data(as_text=True)


def test_a_form_left_open_for_hours_still_submits(client, monkeypatch):
    person = make_user()
    client.sign_in(person)
    token = client.csrf_token()
    later = time.time() + 5 * 3600
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    response = client.post("/account/calendar/renew", data={"csrf_token": token})
    assert response.status_code == 302


def test_answers_leave_the_session_cookie_alone_so_a_late_one_cannot_undo_a_message(client):
    """A background request answering after a form must not put back the session from before
    the form (its flash message would be lost): only a changed session is written."""
    client.sign_in(make_user())
    client.get("/")
    for path in ("/", "/api/v1/me", "/schedule"):
        response = client.get(path)
        assert "lp_session=" not in response.headers.get("Set-Cookie", ""), path


def test_the_session_cookie_moves_on_once_a_day(client):
    client.sign_in(make_user())
    with client.session_transaction() as session:
        session["day"] = "2000-01-01"
    cookie = client.get("/").headers.get("Set-Cookie", "")
    assert "lp_session=" in cookie and "Expires=" in cookie
