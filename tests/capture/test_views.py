"""The capture pages without JavaScript: the form saves, bad input is explained and kept."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

from app.briefings.services import acknowledge
from app.capture.models import Note, NoteType
from app.capture.schema import FIELDS, Moments, Text, TextList
from app.capture.sync import sync
from app.db import utcnow
from app.extensions import db
from app.signups.services import sign_up
from tests.factories import TZ, jpeg_bytes, make_activity, make_programme


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
    steps = re.findall(r'<span class="step-title">([^<]+)<', page)
    assert steps == ["Customer", "Observe", "Ask", "Make sense"]
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
    assert "Finish your briefing first" in page and "Read and acknowledge the briefing pack" in page
    assert "data-capture" not in page  # the gate before anyone types
    response = client.form(
        f"/activities/{slot.id}/notes/new/observation",
        {"client_id": str(uuid.uuid4()), "did": "Looked at the shelf for a long time"},
    )
    refused = response.get_data(as_text=True)
    assert response.status_code == 400 and db.session.query(Note).count() == 0
    assert "Looked at the shelf for a long time" in refused
    assert "Nothing you typed is lost" in refused


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


def _observation(client, slot, **extra):  # type: ignore[no-untyped-def]
    form = {"client_id": str(uuid.uuid4()), "did": "Held the box up to the light", **extra}
    return client.form(
        f"/activities/{slot.id}/notes/new/observation",
        form,
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_the_form_asks_when_it_happened_in_the_programmes_time(client, login_as):
    _, slot = ready(login_as)
    page = client.get(f"/activities/{slot.id}/notes/new/observation").get_data(as_text=True)
    assert 'type="datetime-local" id="observed_at"' in page and "When it happened" in page
    local = slot.starts_at.astimezone(ZoneInfo(TZ)) + timedelta(minutes=15)
    saved = _observation(client, slot, observed_at=local.strftime("%Y-%m-%dT%H:%M"))
    assert "Note saved." in saved.get_data(as_text=True)
    note = db.session.query(Note).one()
    assert note.observed_at == slot.starts_at + timedelta(minutes=15)
    shown = local.strftime("%H:%M")
    notes = client.get("/notes").get_data(as_text=True)
    assert f"seen {local.strftime('%a')} {local.day} {local.strftime('%b')}, {shown}" in notes
    detail = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert f", {shown}" in detail and "Observed at" not in detail and "+00:00" not in detail
    edit = client.get(f"/notes/{note.id}/edit").get_data(as_text=True)
    assert f'value="{local.strftime("%Y-%m-%dT%H:%M")}"' in edit
    bad = _observation(client, slot, observed_at="2200-01-01T10:00")
    assert "between the years 2000 and 2100" in bad.get_data(as_text=True)
    assert 'value="2200-01-01T10:00"' in bad.get_data(as_text=True)  # kept to fix
    assert db.session.query(Note).count() == 1


def test_a_note_reads_back_in_plain_words(client, login_as):
    _, slot = ready(login_as)
    _observation(client, slot, labels=["own_words", "surprise"], mood="2", task_answer="Labels")
    call = {"client_id": str(uuid.uuid4()), "reason": "Refund", "resolved_first_contact": "no"}
    client.form(f"/activities/{slot.id}/notes/new/call_note", {**call, "effort": "6"})
    seen, heard = db.session.query(Note).order_by(Note.id).all()
    page = client.get(f"/notes/{seen.id}").get_data(as_text=True)
    assert "Their own words for things" in page and "A surprise" in page
    assert "2 of 5 (1 = unhappy, 5 = delighted)" in page and "Answer to the task" in page
    call_page = client.get(f"/notes/{heard.id}").get_data(as_text=True)
    assert 'Resolved on first contact</dt>\n  <dd><span class="pre">No</span>' in call_page
    assert "6 of 7 (1 = very easy, 7 = very hard)" in call_page
    for raw in ("own_words", "False", "Mood 2", "Task answer", "Resolved first contact"):
        assert raw not in page + call_page, raw


def test_photos_come_with_the_note_and_only_allowed_people_see_them(client, login_as):
    _, slot = ready(login_as)
    photos = [
        (io.BytesIO(jpeg_bytes()), "../../etc/passwd.jpg"),
        (io.BytesIO(jpeg_bytes()), "b.jpg"),
    ]
    response = _observation(client, slot, photos=photos, shows_person="yes", photo_consent="yes")
    assert "Note saved." in response.get_data(as_text=True)
    note = db.session.query(Note).one()
    assert len(note.photos) == 2 and all(p.shows_person and p.consent for p in note.photos)
    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert f"/photos/{note.photos[0].id}/thumb" in page and "passwd" not in page
    with client.get(f"/photos/{note.photos[0].id}") as photo:
        assert photo.mimetype == "image/jpeg" and photo.headers["Cache-Control"].startswith(
            "private"
        )
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    login_as()  # a colleague who is not the author nor an organiser
    assert client.get(f"/photos/{note.photos[0].id}/thumb").status_code == 404


def test_a_bad_photo_keeps_the_text_and_stores_nothing(client, login_as):
    _, slot = ready(login_as)
    fake = (io.BytesIO(b"<html><script>alert(1)</script></html>"), "photo.jpg")
    response = _observation(client, slot, photos=[fake], asked="Which one is cheaper?")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "That file is not a photo" in page and "Which one is cheaper?" in page
    assert db.session.query(Note).count() == 0


def test_a_recognisable_person_without_consent_is_refused(client, login_as):
    _, slot = ready(login_as)
    response = _observation(
        client, slot, photos=[(io.BytesIO(jpeg_bytes()), "a.jpg")], shows_person="yes"
    )
    assert response.status_code == 400
    assert "confirm they agreed to the photo" in response.get_data(as_text=True)


def test_an_upload_over_the_limit_is_refused_with_a_clear_message(client, login_as):
    _, slot = ready(login_as)
    huge = (io.BytesIO(b"\0" * (80 * 1024 * 1024)), "big.jpg")
    with _observation(client, slot, photos=[huge]) as response:
        assert response.status_code == 413
        assert "at most 5 photos of 15 MB each" in response.get_data(as_text=True)
        response.request.input_stream.close()  # the test client spooled the body to a file


def test_photos_can_be_added_and_removed_on_the_note_page(client, login_as):
    _, slot = ready(login_as)
    _observation(client, slot)
    note = db.session.query(Note).one()
    response = client.form(
        f"/notes/{note.id}/photos",
        {"photos": [(io.BytesIO(jpeg_bytes()), "a.jpg")]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Photos added." in response.get_data(as_text=True) and len(note.photos) == 1
    empty = client.form(f"/notes/{note.id}/photos", {}, follow_redirects=True)
    assert "Choose one or more photos first." in empty.get_data(as_text=True)
    client.form(f"/photos/{note.photos[0].id}/delete")
    assert note.photos == []


def test_the_author_edits_a_note_and_a_stale_edit_is_refused(client, login_as):
    _, slot = ready(login_as)
    _observation(client, slot, said="Too dear\nI'll wait", tags="price, wait")
    note = db.session.query(Note).one()
    page = client.get(f"/notes/{note.id}/edit").get_data(as_text=True)
    assert (
        "Edit observation" in page and "Too dear\nI&#39;ll wait" in page and "price, wait" in page
    )
    seen = note.fields["observed_at"]
    edited = {"version": "1", "did": "Put the box back", "tags": "price"}
    response = client.form(f"/notes/{note.id}/edit", edited, follow_redirects=True)
    assert "Note updated." in response.get_data(as_text=True)
    assert note.version == 2  # the time, not in the form sent, is kept
    assert note.fields == {"did": "Put the box back", "tags": ["price"], "observed_at": seen}
    stale = client.form(f"/notes/{note.id}/edit", {**edited, "did": "Mine is lost?"})
    assert stale.status_code == 409
    assert "changed since you opened it" in stale.get_data(as_text=True)
    assert "Mine is lost?" in stale.get_data(as_text=True)


def test_tags_picked_from_the_programme_join_tags_typed(client, login_as):
    _, slot = ready(login_as)
    _observation(client, slot, tags="price")
    page = client.get(f"/activities/{slot.id}/notes/new/observation").get_data(as_text=True)
    assert 'name="tag_picks" value="price"' in page
    _observation(client, slot, tag_picks=["price"], tags="queue, price")
    newest = db.session.query(Note).order_by(Note.id.desc()).first()
    assert newest.fields["tags"] == ["price", "queue"]


def test_new_note_starts_from_the_slot_happening_now(client, login_as):
    person = login_as()
    programme = make_programme(days_ahead=0)
    later = make_activity(programme, day=1, title="Tomorrow's calls")
    now = utcnow()
    current = make_activity(programme, title="Now")
    current.starts_at, current.ends_at = now - timedelta(minutes=30), now + timedelta(hours=1)
    for slot in (later, current):
        sign_up(db.session, slot, user=person, by=programme.organisers[0])
    page = client.get("/notes/new").get_data(as_text=True)
    assert page.index(">Now</span> Now") < page.index("Tomorrow&#39;s calls")
    assert page.count(">Now</span>") == 1
    assert f"/activities/{later.id}/notes/new/call_note" in page
    current.starts_at, current.ends_at = now - timedelta(hours=3), now - timedelta(hours=1)
    db.session.commit()
    over = client.get("/notes/new").get_data(as_text=True)
    assert ">Now</span>" not in over  # the slot last begun comes first, but it is not "now"
    other = make_activity(make_programme())
    assert f"/activities/{other.id}/" not in client.get("/notes/new").get_data(as_text=True)


SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _hostile_fields(note_type: NoteType) -> dict:  # type: ignore[type-arg]
    fields: dict = {}  # type: ignore[type-arg]
    for name, spec in FIELDS[note_type].items():
        if isinstance(spec, Text):
            fields[name] = SCRIPT
        elif isinstance(spec, TextList):
            fields[name] = [SCRIPT[:40]]
        elif isinstance(spec, Moments):
            fields[name] = [{"at": 5, "what": SCRIPT, "words": SCRIPT}]
    return fields


def test_script_in_every_text_field_stays_text_on_every_page(client, login_as):
    person, slot = ready(login_as)
    items = [
        {
            "client_id": str(uuid.uuid4()),
            "type": str(kind),
            "activity_id": slot.id,
            "fields": _hostile_fields(kind),
            "updated_at": "2030-01-01T10:00:00+00:00",
        }
        for kind in NoteType
    ]
    results = sync(db.session, items, user=person)
    assert [r.status for r in results] == ["created", "created"]
    pages = ["/notes", "/notes/new", f"/activities/{slot.id}/notes/new/observation"]
    pages += [f"/notes/{r.id}" for r in results] + [f"/notes/{r.id}/edit" for r in results]
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in client.get(pages[3]).get_data(
        as_text=True
    )
