"""The capture form in steps, a call's moments in separate fields, and plain words throughout."""

from __future__ import annotations

import html
import re
import uuid

import pytest

from app.capture.forms import fields_from_form, form_values
from app.capture.models import Note, NoteType
from app.capture.schema import FIELDS, Scale, clean_fields
from app.capture.services import FIELD_LABELS, SCALE_ENDS, note_details
from app.extensions import db
from tests.capture.test_views import ready

OBSERVATION_STEPS = ["Customer", "Observe", "Ask", "Make sense"]
CALL_STEPS = ["The call", "Moments", "How it went", "Make sense"]


def steps(page: str) -> list[tuple[str, bool, str]]:
    """Each step's title, whether it is open, and what its summary says."""
    found = re.findall(
        r'<details class="step"[^>]*?( open)?>\s*<summary>.*?class="step-title">([^<]+)<'
        r".*?data-step-sum>([^<]*)<",
        page,
        re.S,
    )
    return [(title, bool(is_open), summary) for is_open, title, summary in found]


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize(
    ("note_type", "titles"), [("observation", OBSERVATION_STEPS), ("call_note", CALL_STEPS)]
)
def test_the_form_follows_the_method_in_steps_the_first_open(client, login_as, note_type, titles):
    _, slot = ready(login_as)
    page = client.get(f"/activities/{slot.id}/notes/new/{note_type}").get_data(as_text=True)
    found = steps(page)
    assert [t for t, _, _ in found] == titles
    assert [o for _, o, _ in found] == [True, False, False, False]
    assert all(s.startswith("0 ") for _, _, s in found)  # "0 of 4 filled in", "0 moments"
    assert page.index('class="save-bar"') > page.rindex("</details>")  # Save is outside them


def test_a_step_with_an_error_opens_itself_and_keeps_everything_typed(client, login_as):
    _, slot = ready(login_as)
    form = {
        "client_id": str(uuid.uuid4()),
        "customer": "man, 60s",
        "asked": "Why this one?",
        "tags": "x" * 41,
    }
    response = client.form(f"/activities/{slot.id}/notes/new/observation", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert steps(page) == [
        ("Customer", True, "1 of 4 filled in"),
        ("Observe", False, "0 of 4 filled in"),
        ("Ask", False, "1 of 2 filled in"),
        ("Make sense", True, "Check this step"),
    ]
    assert "Why this one?" in page and "x" * 41 in page  # in a closed step, still there


def test_a_value_in_a_closed_step_is_saved(client, login_as):
    _, slot = ready(login_as)
    response = client.form(
        f"/activities/{slot.id}/notes/new/observation",
        {"client_id": str(uuid.uuid4()), "answered": "The small one is enough", "mood": "4"},
        follow_redirects=True,
    )
    assert "Note saved." in response.get_data(as_text=True)
    note = db.session.query(Note).one()
    assert note.fields["answered"] == "The small one is enough" and note.fields["mood"] == 4


CALL = {
    "reason": "Refund",
    "duration": "04:30",
    "moment_at": ["00:05", "02:15", "", ""],
    "moment_what": ["Greets", "Asks for a refund", "", ""],
    "moment_words": ["", "“I want my money back”", "", ""],
}


def test_a_calls_moments_keep_what_happened_apart_from_their_words(client, login_as):
    _, slot = ready(login_as)
    form = {"client_id": str(uuid.uuid4()), **CALL}
    client.form(f"/activities/{slot.id}/notes/new/call_note", form)
    note = db.session.query(Note).one()
    assert note.fields["moments"] == [
        {"at": 5, "what": "Greets", "words": ""},
        {"at": 135, "what": "Asks for a refund", "words": "I want my money back"},
    ]
    assert note.fields["duration"] == 270
    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "00:05 · What happened: Greets<" in page
    assert "02:15 · What happened: Asks for a refund · Their words: “I want my money back”" in page
    assert "How long the call lasted" in page and "4 min 30 s" in page
    edit = client.get(f"/notes/{note.id}/edit").get_data(as_text=True)
    assert 'name="moment_what" value="Asks for a refund"' in edit
    assert 'name="moment_words" value="I want my money back"' in edit
    assert 'name="duration" class="short" value="04:30"' in edit
    assert ("Moments", False, "2 moments") in steps(edit)
    assert edit.count('name="moment_at"') == 2 + 3  # the two typed and room for three more


def test_a_moment_without_a_readable_time_is_explained_and_kept(client, login_as):
    _, slot = ready(login_as)
    form = {
        "client_id": str(uuid.uuid4()),
        "moment_at": ["2 min", ""],
        "moment_what": ["Asks for a refund", "Hangs up"],
        "moment_words": ["", ""],
        "duration": "four minutes",
    }
    response = client.form(f"/activities/{slot.id}/notes/new/call_note", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and db.session.query(Note).count() == 0
    assert "Moments of the call: “Asks for a refund” needs its time into the call, like 02:15" in (
        html.unescape(page)
    )
    assert "How long the call lasted must be a time like 04:30" in page
    assert 'value="2 min"' in page and 'value="Hangs up"' in page and "four minutes" in page
    assert ("Moments", True, "Check this step") in steps(page)


def test_a_call_note_saved_before_the_rows_reads_the_same():
    # Notes stored before this form had the same moments; the duration is simply absent.
    stored = {
        "reason": "Refund",
        "moments": [{"at": 65, "what": "Asks for a refund", "words": "I want my money back"}],
        "effort": 6,
    }
    clean, errors = clean_fields(NoteType.CALL_NOTE, stored)
    assert errors == {} and clean == stored
    assert note_details(NoteType.CALL_NOTE, stored) == [
        ("Reason for the call", "Refund"),
        (
            "Moments of the call",
            ["01:05 · What happened: Asks for a refund · Their words: “I want my money back”"],
        ),
        ("Customer effort", "6 of 7 (1 = very easy, 7 = very hard)"),
    ]
    again = form_values(NoteType.CALL_NOTE, stored)
    assert fields_from_form(NoteType.CALL_NOTE, again) == stored


def test_the_api_takes_and_gives_the_duration_and_describes_the_moment_fields(client, login_as):
    _, slot = ready(login_as)
    item = {
        "client_id": str(uuid.uuid4()),
        "type": "call_note",
        "activity_id": slot.id,
        "fields": {
            "duration": 95,
            "moments": [{"at": 30, "what": "Reads out a price", "words": "Is that per month?"}],
        },
        "updated_at": "2030-01-01T10:00:00+00:00",
    }
    [result] = client.api("POST", "/api/v1/sync", {"items": [item]}).get_json()["results"]
    assert result["status"] == "created"
    note = client.api("GET", f"/api/v1/notes/{result['id']}").get_json()
    assert note["fields"]["duration"] == 95 and note["fields"]["moments"][0]["words"] == (
        "Is that per month?"
    )
    bad = client.api(
        "POST",
        "/api/v1/sync",
        {
            "items": [
                {
                    **item,
                    "client_id": str(uuid.uuid4()),
                    "fields": {"duration": -1, "moments": [{"what": "Hangs up"}]},
                }
            ]
        },
    ).get_json()["results"][0]
    assert bad["errors"]["moments"] == (
        "“Hangs up” needs its time into the call, like 02:15 (minutes:seconds)"
    )
    assert "04:30" in bad["errors"]["duration"]
    document = client.get("/api/v1/openapi.json").get_json()
    text = str(document)
    assert "the customer's own words, as said (a quote)" in text and "what happened" in text
    assert "how long the call lasted, in seconds" in text


@pytest.mark.parametrize("note_type", ["observation", "call_note"])
def test_every_field_has_a_plain_label_on_the_form_and_read_back(client, login_as, note_type):
    _, slot = ready(login_as, kind="shopper_interview")
    page = visible_text(
        client.get(f"/activities/{slot.id}/notes/new/{note_type}").get_data(as_text=True)
    )
    for raw in ("own_words", "pain_points", "True", "False", "None", "Mood 2", "moment_"):
        assert raw not in page, raw
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", page)  # no field name shows through
    kind = NoteType(note_type)
    for name, spec in FIELDS[kind].items():
        if name != "observed_at":
            assert name in FIELD_LABELS, name
        if isinstance(spec, Scale):
            low, high = SCALE_ENDS[name]
            assert f"({spec.low} = {low}, {spec.high} = {high})" in page
            for n, meaning in ((spec.low, low), (spec.high, high)):  # to the ear too
                assert re.search(rf"\b{n}\s*, {meaning}\b", page), (name, n)
