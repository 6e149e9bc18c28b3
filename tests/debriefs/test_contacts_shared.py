"""Contact details typed into any text of a debrief board (by its forms or the API) reach no
reader: not the board, the published debrief, its PDF, the API, the library or For you."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from app.accounts.models import User
from app.debriefs import board as ops
from app.debriefs.models import Debrief
from app.debriefs.shared_text import removed_from
from app.errors import DomainError
from app.extensions import db
from app.feeds.models import FeedState
from tests.debriefs.conftest import Field
from tests.factories import make_user

#: One of each: emails, phone numbers as people write them in several countries, cards, IBANs.
CONTACTS = {
    "email": "jo.bloggs+lp@example.co.uk",
    "uk": "020 7946 0958",
    "uk-mobile": "07700 900461",
    "uk-intl": "+44 (0)20 7946 0018",
    "us": "(415) 555-2671",
    "us-dashes": "212-555-0187",
    "us-intl": "+1 646 555 0143",
    "fr": "01 42 68 53 00",
    "fr-intl": "+33 6 12 34 56 78",
    "de": "030 12345678",
    "de-intl": "+49 89 636 48018",
    "card": "4111 1111 1111 1111",
    "iban-gb": "GB82 WEST 1234 5698 7654 32",
    "iban-de": "DE89 3704 0044 0532 0130 00",
}
#: A debrief's title holds five of them with their markers; each debrief takes one group in its
#: title and the next in its place.
GROUPS = [list(CONTACTS)[i : i + 5] for i in range(0, len(CONTACTS), 5)]
TITLES_AND_PLACES = [(g, GROUPS[(n + 1) % len(GROUPS)]) for n, g in enumerate(GROUPS)]


def survivors(text: str) -> list[str]:
    """The contact details still in a text, however it was spaced or broken into lines."""
    squeezed = re.sub(r"\s+", "", text)
    return [
        key
        for key, value in CONTACTS.items()
        if value in text
        or re.sub(r"\s+", "", value) in squeezed
        or (key == "email" and "jo.bloggs" in text)
    ]


def sample(keys: list[str]) -> str:
    return "; ".join(f"{k} {CONTACTS[k]}" for k in keys)


def page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_every_format_is_found_in_every_board_text(fieldwork: Field) -> None:
    debrief = fieldwork.open_debrief()
    by = fieldwork.facilitator
    for key, value in CONTACTS.items():
        theme = ops.create_theme(db.session, debrief, f"T {value}", f"D {value}", user=by)
        insight = ops.save_insight(
            db.session, debrief, {"statement": f"S {value}", "so_what": f"W {value}"}, user=by
        )
        action = ops.save_action(
            db.session, debrief, {"what": f"A {value}", "owner": value}, user=by
        )
        texts = [theme.name, theme.description, insight.statement, insight.so_what]
        texts += [action.what, action.owner]
        assert not survivors(" ".join(texts)), key
        kind = {"email": "email", "card": "card", "iban-gb": "iban", "iban-de": "iban"}
        expected = kind.get(key, "phone")
        assert {r.kind for r in removed_from(theme, insight, action)} == {expected}, key


def test_the_person_typing_is_told_what_was_removed_and_from_where(fieldwork: Field) -> None:
    debrief = fieldwork.open_debrief(title="Debrief, ask jo@example.com")
    assert debrief.title == "Debrief, ask [email removed]"
    assert [r.message for r in removed_from(debrief)] == [
        "An email was removed from the debrief's title: contact details are never shared."
    ]
    insight = ops.save_insight(
        db.session,
        debrief,
        {"statement": "Prices hidden", "so_what": "Ring 020 7946 0958 or 4111 1111 1111 1111"},
        user=fieldwork.facilitator,
    )
    assert insight.so_what == "Ring [phone number removed] or [card number removed]"
    assert [r.as_json() for r in removed_from(insight)] == [
        {
            "field": "so_what",
            "kind": "phone",
            "message": "A phone number was removed from the insight's so what: "
            "contact details are never shared.",
        },
        {
            "field": "so_what",
            "kind": "card",
            "message": "A card number was removed from the insight's so what: "
            "contact details are never shared.",
        },
    ]
    assert removed_from(insight) == []  # told once


def test_a_text_too_long_once_redacted_is_refused_and_nothing_is_saved(fieldwork: Field) -> None:
    debrief = fieldwork.open_debrief()
    name = "x" * 190 + " a@b.co"  # fits as typed, not with "[email removed]"
    with pytest.raises(DomainError, match="contact details, which are never shared"):
        ops.create_theme(db.session, debrief, name, user=fieldwork.facilitator)
    assert debrief.themes == []


def _fill_by_forms(client, fieldwork: Field) -> list[Debrief]:  # type: ignore[no-untyped-def]
    """Three debriefs opened by the form, every text of one board typed by the board's forms."""
    made = []
    for title, place in TITLES_AND_PLACES:
        response = client.form(
            f"/programmes/{fieldwork.programme.id}/debriefs/new",
            {"title": f"Form {sample(title)}", "starts_at": "2030-01-10T17:00",
             "location": f"Room {sample(place)}"},
            follow_redirects=True,
        )  # fmt: skip
        told = response.get_data(as_text=True)
        assert "was removed from the debrief&#39;s title" in told
        assert "was removed from the debrief&#39;s place" in told
        made.append(db.session.query(Debrief).order_by(Debrief.id.desc()).first())
    debrief = made[0]
    base = f"/debriefs/{debrief.id}"
    note_ids = [n.id for n in fieldwork.notes]
    for key, value in CONTACTS.items():
        told = client.form(
            f"{base}/themes", {"name": f"Theme {key} {value}"}, follow_redirects=True
        )
        assert "was removed from the theme&#39;s name" in told.get_data(as_text=True), key
        theme = debrief.themes[-1]
        client.form(
            f"{base}/themes/{theme.id}",
            {"name": theme.name, "description": f"About {key} {value}", "version": debrief.version},
        )
        client.form(
            f"{base}/moves",
            {"note_ids": note_ids, "to": "new", "new_theme": f"Moved {key} {value}",
             "version": debrief.version},
        )  # fmt: skip
        told = client.form(
            f"{base}/insights",
            {"statement": f"Insight {key} {value}", "so_what": f"So {key} {value}",
             "evidence_sent": "1", "evidence": note_ids[:1], "version": debrief.version},
            follow_redirects=True,
        )  # fmt: skip
        assert "was removed from the insight&#39;s so what" in told.get_data(as_text=True), key
        client.form(
            f"{base}/actions",
            {"what": f"Action {key} {value}", "owner": f"{value}", "status": "open"},
        )
    db.session.refresh(debrief)
    assert len(debrief.themes) == 2 * len(CONTACTS) and len(debrief.actions) == len(CONTACTS)
    for d in made:
        client.form(f"/debriefs/{d.id}/publish")
    return made


def _fill_by_api(client, fieldwork: Field) -> list[Debrief]:  # type: ignore[no-untyped-def]
    """The same through the JSON API, with its writes saying what was removed."""
    made = []
    for title, place in TITLES_AND_PLACES:
        response = client.api(
            "POST",
            f"/api/v1/programmes/{fieldwork.programme.id}/debriefs",
            {"title": f"API {sample(title)}", "starts_at": "2030-01-10T17:00:00+00:00",
             "location": f"Room {sample(place)}"},
        )  # fmt: skip
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert {r["field"] for r in body["contacts_removed"]} == {"title", "location"}
        assert not survivors(str(body))
        made.append(db.session.get_one(Debrief, body["id"]))
    base = f"/api/v1/debriefs/{made[0].id}"
    note_ids = [n.id for n in fieldwork.notes]

    def version() -> int:
        return int(client.get(base).get_json()["version"])

    for key, value in CONTACTS.items():
        theme = client.api("POST", f"{base}/themes", {"name": f"Theme {key} {value}"}).get_json()
        assert [r["field"] for r in theme["contacts_removed"]] == ["name"], key
        edited = client.api(
            "PATCH",
            f"{base}/themes/{theme['id']}",
            {"description": f"About {key} {value}", "version": version()},
        ).get_json()
        assert [r["field"] for r in edited["contacts_removed"]] == ["description"], key
        moved = client.api(
            "POST",
            f"{base}/moves",
            {"note_ids": note_ids, "new_theme": f"Moved {key} {value}", "version": version()},
        ).get_json()
        assert [r["field"] for r in moved["contacts_removed"]] == ["name"], key
        insight = client.api(
            "POST", f"{base}/insights", {"statement": f"Insight {key} {value}"}
        ).get_json()
        changed = client.api(
            "PATCH",
            f"{base}/insights/{insight['id']}",
            {"so_what": f"So {key} {value}", "evidence": note_ids[:1], "version": version()},
        ).get_json()
        assert [r["field"] for r in changed["contacts_removed"]] == ["so_what"], key
        action = client.api(
            "POST", f"{base}/actions", {"what": f"Action {key} {value}", "owner": value}
        ).get_json()
        assert [r["field"] for r in action["contacts_removed"]] == ["what", "owner"], key
        for answer in (theme, edited, moved, insight, changed, action):
            assert not survivors(str(answer)), (key, answer)
    for d in made:
        assert client.api("POST", f"/api/v1/debriefs/{d.id}/publish").status_code == 200
    return made


def _pdf_text(client, debrief: Debrief) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/debriefs/{debrief.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    return " ".join(p.extract_text() for p in reader.pages)


def _read_everything(client, reader: User, debriefs: list[Debrief]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every shared view of these debriefs, as a plain employee sees it."""
    seen: dict[str, str] = {"debriefs": page(client, "/debriefs"), "home": page(client, "/")}
    for d in debriefs:
        seen[f"board {d.id}"] = page(client, f"/debriefs/{d.id}")
        seen[f"api {d.id}"] = page(client, f"/api/v1/debriefs/{d.id}")
        seen[f"pdf {d.id}"] = _pdf_text(client, d)
        for i in d.insights:
            seen[f"library insight {i.id}"] = page(client, f"/library/insights/{i.id}")
            seen[f"api library insight {i.id}"] = page(client, f"/api/v1/library/insights/{i.id}")
    for q in ("insight", "theme", "moved", "about", "removed"):
        seen[f"library {q}"] = page(client, f"/library?q={q}")
        seen[f"api library {q}"] = page(client, f"/api/v1/library?q={q}")
    seen["library"] = page(client, "/library")
    client.form(
        "/account/subscriptions", {"kind": "programme", "value": str(debriefs[0].programme_id)}
    )
    seen["for you"] = page(client, "/for-you")  # each insight, on one page
    seen["api feed"] = page(client, "/api/v1/me/feed")
    client.form("/account/feed/renew")
    token = db.session.get_one(FeedState, reader.id).feed_token
    seen["atom"] = page(client, f"/feeds/{token}.atom")
    return seen


@pytest.mark.parametrize("fill", [_fill_by_forms, _fill_by_api], ids=["forms", "api"])
def test_contact_details_typed_on_the_board_reach_no_reader(client, fieldwork, fill):  # type: ignore[no-untyped-def]
    client.sign_in(fieldwork.facilitator)
    debriefs = fill(client, fieldwork)
    # The person who typed them sees them removed too: the board keeps only what is shared.
    assert not survivors(page(client, f"/debriefs/{debriefs[0].id}"))
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    reader = make_user(name="Rae Reader")
    db.session.commit()
    client.sign_in(reader)
    seen = _read_everything(client, reader, debriefs)
    leaks = {where: found for where, text in seen.items() if (found := survivors(text))}
    assert leaks == {}
    # The texts themselves did reach the reader, each with its marker.
    board = seen[f"board {debriefs[0].id}"]
    for key in CONTACTS:
        for text in (f"Theme {key} [", f"About {key} [", f"Moved {key} [", f"Action {key} ["):
            assert text in board, text
    assert "[email removed]" in seen[f"pdf {debriefs[0].id}"]
    assert "[IBAN removed]" in seen[f"pdf {debriefs[1].id}"]
    assert "[phone number removed]" in seen["atom"]
    assert "[card number removed]" in seen["api feed"]
    library = " ".join(t for where, t in seen.items() if where.startswith("library insight "))
    assert "So card [card number removed]" in library
    assert "Insight us-intl [phone number removed]" in seen["api library insight"]
