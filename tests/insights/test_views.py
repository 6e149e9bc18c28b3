"""Library pages and API over HTTP: search without JavaScript, an insight, stars, heard
before while writing, withdrawing, exports, and bad input answered with a message."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from app.accounts.models import Role
from app.debriefs import board as ops
from app.debriefs.models import Debrief
from app.debriefs.services import publish
from app.extensions import db
from app.insights import embeddings
from app.insights.models import InsightLink, LibraryDoc, Star, Withdrawal
from app.kept import Kept
from tests.insights.conftest import Library


@pytest.fixture
def reader(client, library: Library):  # type: ignore[no-untyped-def]
    assert client.sign_in(library.reader).status_code == 302
    return library.reader


def test_library_is_in_the_navigation_and_lists_newest_insights(client, reader, library):  # type: ignore[no-untyped-def]
    page = client.get("/").get_data(as_text=True)
    assert 'href="/library"' in page
    page = client.get("/library").get_data(as_text=True)
    assert "Newest insights" in page
    assert page.index("People could not tell") < page.index("Customers cannot compare")


def test_search_page_marks_words_and_keeps_filters_in_the_url(client, reader, library):  # type: ignore[no-untyped-def]
    page = client.get("/library?q=dearer").get_data(as_text=True)
    assert "1 result" in page and "<mark>dearer</mark>" in page
    assert f'href="/library/insights/{library.prices.id}?back=/library?q%3Ddearer"' in page
    # A facet link narrows and the narrowed search can be bookmarked.
    page = client.get("/library?q=price&channel=web").get_data(as_text=True)
    assert "Channel: web" in page and "Customers cannot compare" not in page
    assert 'name="channel" value="web"' in page  # a new search keeps the filter


def test_page_says_when_counts_are_of_the_best_matches(client, reader, library, monkeypatch):  # type: ignore[no-untyped-def]
    assert "counts are of the best" not in client.get("/library?q=price").get_data(True)
    monkeypatch.setattr("app.insights.search.MAX_HITS", 2)
    monkeypatch.setattr("app.insights.search._results", Kept(8))  # kept with the whole sample
    page = client.get("/library?q=price").get_data(as_text=True)
    assert "Over 2 match: the results and these counts are of the best 2." in page
    assert client.get("/api/v1/library?q=price").get_json()["more"] is True


def test_search_escapes_what_people_typed(client, reader, library, fieldwork):  # type: ignore[no-untyped-def]
    page = client.get('/library?q=<script>alert(1)</script>"').get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=%00", "NUL"),
        ("q=" + "x" * 10_000, "too long"),
        ("q=-price", "besides"),
        ("page=abc", "page"),
        ("from=2026-13-40", "date"),
        ("to=9999-12-31", "2000"),
    ],
)
def test_bad_search_is_a_400_with_a_message(client, reader, library, query, message):  # type: ignore[no-untyped-def]
    page = client.get(f"/library?{query}")
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    answer = client.get(f"/api/v1/library?{query}")
    assert answer.status_code == 400 and message in answer.get_json()["error"]["message"]


def test_a_bad_date_is_marked_where_it_was_typed_and_the_rest_of_the_search_stays(
    client, reader, library
):  # type: ignore[no-untyped-def]
    response = client.get("/library?q=price&channel=store&from=2099-09-30&to=2099-06-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The start date is after the end date." in page
    assert '<details class="facets" open>' in page  # the dates can be put right where they were
    assert 'id="from" name="from" type="date" value="2099-09-30" aria-invalid="true"' in page
    assert 'value="price"' in page and "Channel: store" in page  # words and facet kept
    assert "Customers cannot compare" in page  # and searched, without the bad date
    typo = client.get("/library?q=price&to=someday").get_data(as_text=True)
    assert "The end date must be a date like 2026-03-31." in typo
    assert 'id="to" name="to" type="date" value="someday" aria-invalid="true"' in typo


def test_nothing_found_says_only_that(client, reader, library):  # type: ignore[no-untyped-def]
    page = client.get("/library?q=zebra+crossing+helicopter").get_data(as_text=True)
    assert "Nothing found." in page and "0 results" in page
    assert "these have some of them" not in page and "by words and meaning" not in page


def test_facets_without_words_count_the_newest_insights(client, reader, library):  # type: ignore[no-untyped-def]
    page = client.get("/library?channel=store&from=2000-01-01").get_data(as_text=True)
    assert "2 insights, newest first" in page
    assert "2000 to …" in page and "2000-01-01 to" not in page  # dates as everywhere else


def test_a_followed_search_says_so_instead_of_offering_it_again(client, reader, library):  # type: ignore[no-untyped-def]
    assert "Follow this search" in client.get("/library?q=price").get_data(as_text=True)
    client.form("/account/subscriptions/search", {"q": "price"})
    page = client.get("/library?q=price").get_data(as_text=True)
    assert "You follow this search" in page and "Follow this search</button>" not in page
    other = client.get("/library?q=price&channel=web").get_data(as_text=True)
    assert "Follow this search</button>" in other  # another search is another search


def test_results_lead_back_to_the_search_and_to_the_card_on_the_board(client, reader, library):  # type: ignore[no-untyped-def]
    page = client.get("/library?q=dearer&channel=store").get_data(as_text=True)
    back = "/library?q%3Ddearer%26channel%3Dstore"
    link = f"/library/insights/{library.prices.id}?back={back}"
    assert f'href="{link}"' in page
    insight = client.get(link).get_data(as_text=True)
    assert 'href="/library?q=dearer&amp;channel=store"' in insight
    assert "Back to the results" in insight
    assert f'name="next" value="{link}"' in insight  # starring comes back here, search kept
    elsewhere = client.get(f"/library/insights/{library.prices.id}?back=/%5Cevil.example")
    assert 'href="/library"' in elsewhere.get_data(as_text=True)
    themes = client.get("/library?q=price").get_data(as_text=True)
    theme = library.prices.theme_id
    assert theme is None or f"/debriefs/{library.first.id}#theme-{theme}" in themes
    notes = db.session.query(LibraryDoc).filter_by(kind="note").first()
    assert notes is not None
    board = client.get(f"/debriefs/{notes.debrief_id}").get_data(as_text=True)
    assert f'id="card-{notes.note_id}"' in board


def test_lone_surrogate_in_the_url_is_a_400(client, reader, library):  # type: ignore[no-untyped-def]
    assert client.get("/library?q=%ED%A0%80").status_code in (200, 400)
    assert client.get("/api/v1/library?q=%ED%A0%80").status_code in (200, 400)


def test_api_search_groups_evidence_under_insights_with_facets(client, reader, library):  # type: ignore[no-untyped-def]
    data = client.get("/api/v1/library?q=dearer").get_json()
    [first] = data["results"]
    assert first["kind"] == "insight" and first["id"] == library.prices.id
    assert "<mark>dearer</mark>" in first["evidence"][0]["snippet_html"]
    assert {f["value"] for f in data["facets"]["channel"]} == {"store"}
    assert data["total"] == 1 and data["pages"] == 1


def test_insight_page_star_and_starred_list(client, reader, library):  # type: ignore[no-untyped-def]
    page = client.get(f"/library/insights/{library.prices.id}").get_data(as_text=True)
    assert "Show unit prices on every shelf label" in page
    assert "[phone number removed]" in page and "07700" not in page
    assert f"/debriefs/{library.first.id}/photos/" in page
    assert "Add unit prices to labels" in page
    assert "Withdraw" not in page  # readers cannot withdraw
    assert "Star</button>" in page and " held " in page and ", published " in page
    assert "No action is linked to this insight yet; its debrief agreed these." in page
    response = client.form(f"/library/insights/{library.prices.id}/star", {"on": "1"})
    assert response.status_code == 302
    assert db.session.get(Star, (reader.id, library.prices.id)) is not None
    starred = client.get(f"/library/insights/{library.prices.id}").get_data(as_text=True)
    assert "Starred</button>" in starred and 'aria-pressed="true"' in starred
    assert "Customers cannot compare" in client.get("/library/starred").get_data(as_text=True)
    assert (
        client.api("DELETE", f"/api/v1/library/insights/{library.prices.id}/star").status_code
        == 200
    )
    assert client.get("/api/v1/library/starred").get_json() == {"insights": []}
    assert client.api("PUT", "/api/v1/library/insights/424242/star").status_code == 404


@pytest.mark.skipif(not embeddings.available(), reason="the model is not installed")
def test_heard_before_and_heard_since_go_by_when_each_was_published(client, reader, library):  # type: ignore[no-untyped-def]
    def sections(insight_id: int) -> tuple[str, str]:
        page = client.get(f"/library/insights/{insight_id}").get_data(as_text=True)
        heard = page.split('id="heard-title"', 1)[1].split("</section>", 1)[0]
        before, _, since = heard.partition("<h2>Heard since</h2>")
        return before, since

    before, since = sections(library.prices.id)  # published first
    assert "People could not tell which pack" in since and "People could not" not in before
    before, since = sections(library.value.id)
    assert "Customers cannot compare" in before and since == ""


def test_api_insight_has_evidence_actions_and_heard_before(client, reader, library):  # type: ignore[no-untyped-def]
    data = client.get(f"/api/v1/library/insights/{library.prices.id}").get_json()
    assert data["programme"] == "Closeness week" and data["theme"] == "Prices"
    assert "[phone number removed]" in " ".join(data["evidence"][0]["fields"]["said"])
    assert data["actions"][0]["status"] == "open"
    assert data["evidence"][0]["photos"][0]["thumb_url"].startswith(
        f"/debriefs/{library.first.id}/"
    )


def test_writing_an_insight_shows_heard_before_and_links_it(client, library, fieldwork):  # type: ignore[no-untyped-def]
    client.sign_in(fieldwork.facilitator)
    debrief = fieldwork.open_debrief(title="Next round")
    db.session.commit()
    url = f"/debriefs/{debrief.id}/insights"
    typed = {"statement": "Which pack is better value?", "version": debrief.version}
    page = client.form(url, {**typed, "check": "1", "evidence_sent": "1"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "People could not tell which pack was better value" in text
    assert "Which pack is better value?" in text  # what was typed stays
    assert db.session.query(InsightLink).count() == 0
    similar = client.get(
        f"/api/v1/library/similar?debrief_id={debrief.id}&text=which+pack+better+value"
    ).get_json()["insights"]
    assert [s["insight_id"] for s in similar] == [library.value.id]
    saved = client.form(
        url,
        {**typed, "link_ids": str(library.value.id), f"link_{library.value.id}": "confirms"},
    )
    assert saved.status_code == 302
    [link] = db.session.query(InsightLink).all()
    assert (link.to_id, link.kind) == (library.value.id, "confirms")
    other = client.get(f"/library/insights/{library.value.id}").get_data(as_text=True)
    assert "Which pack is better value?" not in other  # not published yet
    publish(db.session, db.session.get(Debrief, debrief.id), by=fieldwork.facilitator)
    db.session.commit()
    other = client.get(f"/library/insights/{library.value.id}").get_data(as_text=True)
    assert "Confirms" in other and "Which pack is better value?" in other


def test_checking_again_keeps_the_links_ticked(client, library, fieldwork):  # type: ignore[no-untyped-def]
    client.sign_in(fieldwork.facilitator)
    debrief = fieldwork.open_debrief(title="Next round")
    db.session.commit()
    ticked = {
        "link_ids": str(library.value.id),
        f"link_{library.value.id}": "contradicts",
        "check": "1",
        "evidence_sent": "1",
        "version": debrief.version,
    }
    # The statement changes to something the ticked insight is not similar to: it stays.
    page = client.form(f"/debriefs/{debrief.id}/insights", {**ticked, "statement": "Stairs"})
    text = page.get_data(as_text=True)
    assert "People could not tell which pack was better value" in text
    assert f'name="link_{library.value.id}" value="contradicts" checked' in text
    assert db.session.query(InsightLink).count() == 0


def test_link_api_refuses_bad_kinds_and_strangers(client, library, fieldwork):  # type: ignore[no-untyped-def]
    debrief = fieldwork.open_debrief(title="Next round")
    new = ops.save_insight(db.session, debrief, {"statement": "New"}, user=fieldwork.facilitator)
    db.session.commit()
    url = f"/api/v1/debriefs/{debrief.id}/insights/{new.id}/links/{library.value.id}"
    client.sign_in(fieldwork.facilitator)
    for body in ({"kind": "agrees"}, {"kind": 7}, {"kind": ["confirms"]}, {"other": 1}, [1]):
        response = client.api("PUT", url, json=body)
        assert response.status_code == 400, body
    assert client.api("PUT", url, json={"kind": "contradicts"}).get_json() == {
        "kind": "contradicts"
    }
    assert (
        client.api(
            "PUT", url.replace(str(library.value.id), "999999"), json={"kind": "confirms"}
        ).status_code
        == 404
    )


def test_similar_api_refuses_bad_input(client, reader, library):  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/library/similar?text=" + "x" * 3000).status_code == 400
    assert client.get("/api/v1/library/similar?text=a%00").status_code == 400
    assert client.get("/api/v1/library/similar?text=x&debrief_id=abc").status_code == 400
    assert client.get("/api/v1/library/similar?text=x&debrief_id=99999999999").status_code == 400
    assert client.get("/api/v1/library/similar?text=").get_json() == {"insights": []}


def test_organiser_withdraws_with_a_reason_and_the_log_shows_it(client, library):  # type: ignore[no-untyped-def]
    client.sign_in(library.field.organiser)
    url = f"/library/insights/{library.prices.id}"
    assert "Withdraw this insight" in client.get(url).get_data(as_text=True)
    empty = client.form(
        "/library/withdraw",
        {"kind": "insight", "item_id": library.prices.id, "reason": " ", "next": url},
    )
    assert empty.status_code == 302 and db.session.query(Withdrawal).count() == 0
    done = client.form(
        "/library/withdraw",
        {"kind": "insight", "item_id": library.prices.id, "reason": "Too early"},
    )
    assert done.status_code == 302
    assert client.get(url).status_code == 404
    assert "Too early" in client.get("/library/withdrawals").get_data(as_text=True)
    missing = client.api(
        "POST",
        "/api/v1/library/withdrawals",
        json={"kind": "note", "item_id": 10**9, "reason": "x"},
    )
    assert missing.status_code == 404
    bad = client.api(
        "POST", "/api/v1/library/withdrawals", json={"kind": "note", "item_id": "1", "reason": "x"}
    )
    assert bad.status_code == 400
    assert bad.get_json()["error"]["message"] == "item_id must be a whole number."


def test_readers_cannot_withdraw_or_export(client, reader, library):  # type: ignore[no-untyped-def]
    assert (
        client.form(
            "/library/withdraw", {"kind": "insight", "item_id": library.prices.id, "reason": "x"}
        ).status_code
        == 403
    )
    assert (
        client.api(
            "POST",
            "/api/v1/library/withdrawals",
            json={"kind": "insight", "item_id": library.prices.id, "reason": "x"},
        ).status_code
        == 403
    )
    assert client.get("/library/export.csv").status_code == 403
    assert db.session.query(Withdrawal).count() == 0


def test_exports_csv_and_qdpx(client, library, login_as):  # type: ignore[no-untyped-def]
    login_as(Role.FACILITATOR)
    response = client.get("/library/export.csv?q=price")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["kind", "text", "so what, or the note"]
    assert any(r[1] == "Customers cannot compare prices per kilo" for r in rows[1:])
    text = response.get_data(as_text=True)
    assert "07700" not in text and "gran@example.org" not in text
    qdpx = client.get("/library/export.qdpx?q=price")
    assert qdpx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(qdpx.data)) as archive:
        project = archive.read("project.qde").decode()
        texts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("sources/")]
    assert "Customers cannot compare prices per kilo" in project and "Prices" in project
    assert any("dearer per gram" in t for t in texts)
    assert not any("07700" in t for t in texts)
    assert client.get("/library/export.qdpx?from=nope").status_code == 302


def test_pdf_shows_links_between_insights(client, library, fieldwork):  # type: ignore[no-untyped-def]
    from app.debriefs.report import report_html
    from app.insights.services import set_link

    debrief = fieldwork.open_debrief(title="Next round")
    new = ops.save_insight(
        db.session, debrief, {"statement": "Shoppers guess"}, user=fieldwork.facilitator
    )
    set_link(db.session, new, library.value.id, "contradicts", by=fieldwork.facilitator)
    html, _ = report_html(db.session, debrief, paper="a4")
    assert (
        "Contradicts an earlier insight: “People could not tell which pack was better value”"
        in html
    )


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "NEAR(",
        "price:",
        ":",
        "'; DROP TABLE library_docs; --",
        "%00",
        "%ED%A0%80",
        "x" * 10_240,
        "a%20OR%20",
        "-",
        "%22%22%22",
    ],
)
def test_hostile_queries_are_a_result_or_a_clear_400(client, reader, library, query):  # type: ignore[no-untyped-def]
    page = client.get(f"/library?q={query}")
    assert page.status_code in (200, 400)
    if page.status_code == 400:
        assert 'class="error"' in page.get_data(as_text=True)
    answer = client.get(f"/api/v1/library?q={query}&channel={query[:200]}")
    assert answer.status_code in (200, 400)
    if answer.status_code == 400:
        assert answer.get_json()["error"]["message"]


def test_library_pages_take_the_same_queries_however_much_is_published(
    client, reader, library, count_queries
):  # type: ignore[no-untyped-def]
    urls = ["/library", "/library?q=price&channel=store", f"/library/insights/{library.prices.id}"]

    def counts() -> list[int]:
        out = []
        for url in urls:
            client.get(url)
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            out.append(len(statements))
        return out

    before = counts()
    field = library.field
    debrief = field.open_debrief(title="Second look")
    for n in range(4):
        ops.save_insight(
            db.session,
            debrief,
            {"statement": f"Price point {n}", "evidence": [field.notes[n % 3].id]},
            user=field.facilitator,
        )
    publish(db.session, debrief, by=field.facilitator)
    db.session.commit()
    assert counts() == before


@pytest.mark.parametrize(
    "url",
    [
        "/library?page=%C2%B2",
        "/api/v1/library?page=%C2%B2",
        "/api/v1/library/similar?text=x&debrief_id=%C2%B2",
    ],
)
def test_digits_that_are_not_numbers_are_a_400(client, reader, library, url):  # type: ignore[no-untyped-def]
    assert client.get(url).status_code == 400


def test_a_page_past_the_end_says_so(client, reader, library):  # type: ignore[no-untyped-def]
    page = client.get("/library?page=7").get_data(as_text=True)
    assert "fewer pages" in page


def test_a_withdrawn_note_stays_out_when_another_board_publishes_it(client, library, fieldwork):  # type: ignore[no-untyped-def]
    from app.insights.models import LibraryDoc
    from app.insights.services import withdraw

    note = fieldwork.notes[0]
    withdraw(db.session, "note", note.id, "Names a colleague", by=fieldwork.organiser)
    second = fieldwork.open_debrief(title="Second look")
    publish(db.session, second, by=fieldwork.facilitator)
    db.session.commit()
    assert db.session.query(LibraryDoc).filter_by(note_id=note.id).count() == 0


def test_publishing_survives_background_work_that_cannot_start(
    client, library, fieldwork, monkeypatch
):  # type: ignore[no-untyped-def]
    from app.insights import meaning

    def broken(debrief_id: int) -> None:
        raise ConnectionError("Redis is away")

    monkeypatch.setattr(meaning, "start", broken)
    debrief = fieldwork.open_debrief(title="Second look")
    db.session.commit()
    client.sign_in(fieldwork.facilitator)
    response = client.form(f"/debriefs/{debrief.id}/publish")
    assert response.status_code == 302
    assert db.session.get(Debrief, debrief.id).status == "published"


def test_unlinking_needs_no_library_lookup(client, library, fieldwork):  # type: ignore[no-untyped-def]
    from app.insights.services import set_link, withdraw

    debrief = fieldwork.open_debrief(title="Next round")
    new = ops.save_insight(db.session, debrief, {"statement": "New"}, user=fieldwork.facilitator)
    set_link(db.session, new, library.value.id, "confirms", by=fieldwork.facilitator)
    withdraw(db.session, "insight", library.value.id, "Not ready", by=fieldwork.organiser)
    assert set_link(db.session, new, library.value.id, "", by=fieldwork.facilitator) is None
    assert db.session.query(InsightLink).count() == 0
