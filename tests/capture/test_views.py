"""The capture pages without JavaScript: the form saves, bad input is explained and kept."""

from __future__ import annotations

import uuid

from app.briefings.services import acknowledge
from app.capture.models import Note
from app.extensions import db
from app.signups.services import sign_up
from tests.factories import make_activity, make_programme


def ready(login_as, **slot):  # type: ignore[no-untyped-def]
    person = login_as()
    programme = make_programme()
    activity = make_activity(programme, **slot)
    sign_up(db.session, activity, user=person)
    acknowledge(db.session, programme, user=person)
    return person, activity


def test_observation_form_saves_once(client, login_as):
    _, slot = ready(login_as)
    page = client.get(f"/activities/{slot.id}/notes/new/observation").get_data(as_text=True)
    assert "1. Observe: watch and listen first" in page and "2. Ask: only afterwards" in page
    form = {
        "client_id": str(uuid.uuid4()),
        "customer": "man, 60s",
        "did": "Read every label",
        "said": "Too small to read\nWhere are my glasses",
        "labels": ["roadblock"],
        "mood": "2",
        "tags": "labels, eyesight",
    }
    response = client.form(
        f"/activities/{slot.id}/notes/new/observation", form, follow_redirects=True
    )
    assert "Note saved." in response.get_data(as_text=True)
    again = client.form(f"/activities/{slot.id}/notes/new/observation", form, follow_redirects=True)
    assert "already saved" in again.get_data(as_text=True)
    note = db.session.query(Note).one()
    assert note.fields["said"] == ["Too small to read", "Where are my glasses"]
    assert note.fields["tags"] == ["labels", "eyesight"] and note.fields["mood"] == 2


def test_bad_input_is_explained_and_nothing_typed_is_lost(client, login_as):
    _, slot = ready(login_as)
    form = {
        "client_id": str(uuid.uuid4()),
        "did": "x" * 4001,
        "asked": "Why this one?",
        "said": "<script>alert(1)</script>",
    }
    response = client.form(f"/activities/{slot.id}/notes/new/observation", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "What they did is too long" in page and "Why this one?" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert db.session.query(Note).count() == 0


def test_call_note_moments_are_parsed(client, login_as):
    _, slot = ready(login_as)
    form = {
        "client_id": str(uuid.uuid4()),
        "reason": "Refund",
        "moments": "00:05 Greets\n02:15 Asks for a refund | I want my money back",
        "effort": "6",
        "resolved_first_contact": "no",
    }
    client.form(f"/activities/{slot.id}/notes/new/call_note", form)
    note = db.session.query(Note).one()
    assert note.fields["moments"] == [
        {"at": 5, "what": "Greets", "words": ""},
        {"at": 135, "what": "Asks for a refund", "words": "I want my money back"},
    ]
    assert note.fields["resolved_first_contact"] is False and note.fields["effort"] == 6
    bad = client.form(
        f"/activities/{slot.id}/notes/new/call_note",
        {"client_id": str(uuid.uuid4()), "moments": "sometime: hello", "effort": "12"},
    )
    assert "Moments" in bad.get_data(as_text=True) and bad.status_code == 400


def test_briefing_not_done_refuses_with_a_prompt(client, login_as):
    person = login_as()
    slot = make_activity(make_programme())
    sign_up(db.session, slot, user=person)
    page = client.get(f"/activities/{slot.id}/notes/new/observation").get_data(as_text=True)
    assert "Before you record notes, finish the briefing" in page
    response = client.form(
        f"/activities/{slot.id}/notes/new/observation",
        {"client_id": str(uuid.uuid4()), "did": "Looked"},
    )
    assert response.status_code == 400 and db.session.query(Note).count() == 0


def test_my_notes_flags_contact_details_and_delete_works(client, login_as):
    _, slot = ready(login_as)
    client.form(
        f"/activities/{slot.id}/notes/new/observation",
        {"client_id": str(uuid.uuid4()), "said": "mail me at jo@example.com"},
    )
    page = client.get("/notes").get_data(as_text=True)
    assert "Contains contact details (email)" in page
    note = db.session.query(Note).one()
    client.form(f"/notes/{note.id}/delete")
    assert "No notes saved yet." in client.get("/notes").get_data(as_text=True)


def test_unknown_note_type_is_404(client, login_as):
    _, slot = ready(login_as)
    assert client.get(f"/activities/{slot.id}/notes/new/poem").status_code == 404
