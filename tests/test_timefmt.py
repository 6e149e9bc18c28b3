"""One style for dates and times: the programme's zone, the reader's locale and clock."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from app import timefmt
from app.accounts.models import Role
from app.extensions import db
from tests.factories import make_activity, make_programme, make_user

TZ = "Europe/Paris"
NINE = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)  # 09:00 in Paris
HALF_ELEVEN = datetime(2026, 11, 10, 10, 30, tzinfo=UTC)


def test_outside_a_request_times_are_british_on_a_24_hour_clock():
    assert timefmt.format_local(NINE, TZ) == "Tue 10 Nov, 09:00"
    assert timefmt.clock(NINE, TZ) == "09:00"
    assert timefmt.format_local(None, TZ) == "" and timefmt.day(None) == ""


def test_a_slot_within_one_day_names_the_day_once():
    assert timefmt.span(NINE, HALF_ELEVEN, TZ) == "Tue 10 Nov, 09:00\u201311:30"
    overnight = datetime(2026, 11, 11, 1, 0, tzinfo=UTC)
    assert timefmt.span(NINE, overnight, TZ) == "Tue 10 Nov, 09:00 \u2013 Wed 11 Nov, 02:00"


def test_a_one_day_programme_reads_as_one_date_not_a_range():
    assert timefmt.days(date(2026, 11, 10), date(2026, 11, 10)) == "10 Nov 2026"
    assert timefmt.days(date(2026, 11, 10), date(2026, 11, 12)) == "10\u201312 Nov 2026"


def test_a_day_is_read_in_the_zone_given():
    late = datetime(2026, 11, 10, 23, 30, tzinfo=UTC)
    assert timefmt.day(late) == "10 Nov 2026"
    assert timefmt.day(late, "Asia/Tokyo") == "11 Nov 2026"
    assert timefmt.day(date(2026, 11, 10), weekday=True) == "Tue 10 Nov"


@pytest.mark.parametrize(
    ("language", "clock", "expected"),
    [
        ("en-GB,en;q=0.8", "", "Tue 10 Nov, 09:00"),
        ("en-US,en;q=0.9", "", "Tue, Nov 10, 9:00 AM"),
        ("de-DE,de;q=0.9", "", "Tue 10 Nov, 09:00"),  # not English: the British style
        ("en-US", "24", "Tue, Nov 10, 09:00"),  # the person's own choice wins
        ("en-GB", "12", "Tue 10 Nov, 9:00 am"),
    ],
)
def test_the_reader_s_language_and_choice_set_the_clock(app, language, clock, expected):
    user = make_user(clock=clock)
    with app.test_request_context(headers={"Accept-Language": language}):
        from flask_login import login_user

        login_user(user)
        shown = timefmt.format_local(NINE, TZ)
    assert re.sub(r"[\u00a0\u202f]", " ", shown) == expected  # CLDR's no-break spaces


def test_a_page_uses_one_clock_for_an_american_reader(client, login_as):
    organiser = login_as(Role.ORGANISER)
    programme = make_programme(organiser, title="Week")
    make_activity(programme, title="Calls", hour=9, hours=2)
    db.session.commit()
    page = client.get(f"/programmes/{programme.id}", headers={"Accept-Language": "en-US"}).get_data(
        as_text=True
    )
    assert 'data-hour-cycle="h12"' in page
    assert "9:00\u2009\u2013\u200911:00\u202fAM" in page
    assert not re.search(r"\b[012]\d:\d\d\b(?!\s*[AP]M)", _text(page))  # no 24-hour times


def _text(html: str) -> str:
    """What a person reads: no tags, no machine attributes."""
    return re.sub(r"<[^>]+>", " ", html)


def test_a_person_chooses_their_clock_on_account(client, login_as):
    person = login_as()
    page = client.get("/account").get_data(as_text=True)
    assert "How times are shown" in page and "12-hour (2:30 pm)" in page
    response = client.form("/account/clock", {"clock": "12"})
    assert response.status_code == 302
    assert person.clock == "12"
    assert client.api("GET", "/api/v1/me").get_json()["clock"] == "12"
    assert 'data-hour-cycle="h12"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("bad", ["7", "twelve", "24h", "x" * 500])
def test_a_clock_that_is_not_offered_is_refused_and_nothing_changes(client, login_as, bad):
    person = login_as(clock="24")
    response = client.form("/account/clock", {"clock": bad})
    assert response.status_code == 400
    assert "Choose 24-hour, 12-hour or as your browser" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.clock == "24"


def test_the_clock_form_needs_its_token(client, login_as):
    person = login_as(clock="24")
    response = client.post("/account/clock", data={"clock": "12"})
    assert response.status_code == 400
    db.session.refresh(person)
    assert person.clock == "24"


def test_a_shared_document_is_written_in_the_house_style_then_the_reader_s_returns(app):
    user = make_user(clock="12")
    with app.test_request_context(headers={"Accept-Language": "en-US"}):
        from flask_login import login_user

        login_user(user)
        assert "AM" in timefmt.format_local(NINE, TZ)
        with timefmt.house_style():
            assert timefmt.format_local(NINE, TZ) == "Tue 10 Nov, 09:00"
        assert "AM" in timefmt.format_local(NINE, TZ)
