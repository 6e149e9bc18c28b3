"""Account rules, called directly."""

from __future__ import annotations

import pytest

from app.accounts import services
from app.accounts.models import Role
from app.errors import Conflict, DomainError, NotAllowed
from app.extensions import db
from tests.factories import PASSWORD, make_user


def test_invitation_mails_a_link_that_works_once(outbox):
    admin = make_user(Role.ADMIN)
    invited = services.invite_user(
        db.session,
        email="New.Person@Example.com",
        name="New Person",
        roles={Role.FACILITATOR},
        department="Service",
        by=admin,
    )
    db.session.commit()
    assert invited.email == "new.person@example.com" and invited.password_hash is None
    assert invited.roles == {Role.EMPLOYEE, Role.FACILITATOR}
    [mail] = outbox()
    assert "/invite/" in mail
    token = services.make_token(invited, "invite")
    assert services.user_for_token(db.session, token, "invite") is invited
    services.set_password(db.session, invited, "a long new password")
    with pytest.raises(DomainError, match="already been used"):
        services.user_for_token(db.session, token, "invite")


def test_forged_or_wrong_purpose_token_is_refused():
    person = make_user()
    with pytest.raises(DomainError, match="not valid"):
        services.user_for_token(db.session, "garbage", "reset")
    with pytest.raises(DomainError, match="not valid"):
        services.user_for_token(db.session, services.make_token(person, "invite"), "reset")


def test_only_admins_give_the_admin_role():
    organiser = make_user(Role.ORGANISER)
    with pytest.raises(NotAllowed, match="admin role"):
        services.invite_user(
            db.session,
            email="x@example.com",
            name="X",
            roles={Role.ADMIN},
            department="",
            by=organiser,
        )
    with pytest.raises(NotAllowed):
        services.invite_user(
            db.session, email="y@example.com", name="Y", roles=set(), department="", by=make_user()
        )


def test_duplicate_email_is_refused():
    make_user(email="taken@example.com")
    with pytest.raises(Conflict, match="already an account"):
        make_user(email="TAKEN@example.com")


def test_csv_import_invites_good_rows_and_lists_bad_ones(outbox):
    admin = make_user(Role.ADMIN)
    make_user(email="exists@example.com")
    csv_text = (
        "email,name,department,roles\n"
        "ann@example.com,Ann,Sales,organiser\n"
        "not-an-email,Bob,Sales,\n"
        "exists@example.com,Dup,,\n"
        "cy@example.com,Cy,,pilot\n"
        "dee@example.com,Dee,Service,facilitator;organiser\n"
    )
    result = services.import_invitations(db.session, csv_text, by=admin)
    db.session.commit()
    assert [u.email for u in result.invited] == ["ann@example.com", "dee@example.com"]
    assert result.errors[0].startswith("Line 3:") and "not a valid email" in result.errors[0]
    assert "Line 4" in result.errors[1] and "Line 5" in result.errors[2]
    assert len(outbox()) == 2


def test_csv_without_header_is_refused():
    with pytest.raises(DomainError, match="header row"):
        services.import_invitations(db.session, "a@example.com,A\n", by=make_user(Role.ADMIN))


def test_authenticate_checks_password_and_active_flag():
    person = make_user()
    assert services.authenticate(db.session, person.email.upper(), PASSWORD) is person
    assert services.authenticate(db.session, person.email, "wrong password") is None
    assert services.authenticate(db.session, "nobody@example.com", PASSWORD) is None
    person.active = False
    assert services.authenticate(db.session, person.email, PASSWORD) is None


def test_password_change_ends_other_sessions_but_keeps_this_one():
    person = make_user()
    here = services.start_session(db.session, person)
    elsewhere = services.start_session(db.session, person)
    services.set_password(db.session, person, "another long password", keep_token=here)
    assert services.user_for_session(db.session, here) is person
    assert services.user_for_session(db.session, elsewhere) is None


def test_short_password_is_refused():
    with pytest.raises(DomainError, match="at least 10"):
        services.set_password(db.session, make_user(), "short")


def test_disabling_ends_sessions_and_api_tokens():
    admin = make_user(Role.ADMIN)
    person = make_user()
    session_token = services.start_session(db.session, person)
    api_token = services.create_api_token(db.session, person)
    services.update_user(
        db.session, person, name=person.name, department="", roles=set(), active=False, by=admin
    )
    assert services.user_for_session(db.session, session_token) is None
    assert services.user_for_api_token(db.session, api_token) is None


def test_admin_cannot_lock_themselves_out():
    admin = make_user(Role.ADMIN)
    with pytest.raises(DomainError, match="your own admin role"):
        services.update_user(
            db.session, admin, name="A", department="", roles={Role.EMPLOYEE}, active=True, by=admin
        )


def test_unknown_role_is_refused():
    with pytest.raises(DomainError, match="Unknown role"):
        services.parse_roles(["wizard"])


def test_signed_in_person_keeps_all_their_roles():
    person = make_user(Role.ORGANISER, Role.FACILITATOR, Role.ADMIN)
    token = services.start_session(db.session, person)
    api_token = services.create_api_token(db.session, person)
    db.session.commit()
    db.session.expunge_all()
    expected = {Role.EMPLOYEE, Role.ORGANISER, Role.FACILITATOR, Role.ADMIN}
    assert services.user_for_session(db.session, token).roles == expected
    db.session.expunge_all()
    assert services.user_for_api_token(db.session, api_token).roles == expected
