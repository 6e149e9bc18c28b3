"""For you over HTTP: the page, home and the badge, subscriptions, following a search from the
library, refusals that change nothing, and the pages' query counts."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.feeds import services, subscriptions
from app.feeds.models import FeedState, Subscription
from tests.factories import make_user
from tests.feeds.test_services import PRICES, STAIRS, VALUE, publish_one


@pytest.fixture
def signed_in(client, reader):  # type: ignore[no-untyped-def]
    assert client.sign_in(reader).status_code == 302
    return reader


def test_for_you_page_shows_why_so_what_quote_programme_and_date(client, signed_in, library):
    page = client.get("/for-you").get_data(as_text=True)
    assert page.index(VALUE) < page.index(STAIRS) < page.index(PRICES)
    assert "Heard in another channel: web" in page
    assert "<strong>So what:</strong> Compare sizes for them" in page
    assert "“Which one works out cheaper per kilo?”" in page
    assert "Online shop week" in page and "gran@example.org" not in page
    assert page.count(">Mark as read<") == 3 and "Mark all as read (3)" in page


def test_home_shows_the_newest_three_and_the_badge_counts_unread(client, signed_in, library):
    publish_one(library, "Parking is hard to find")
    page = client.get("/").get_data(as_text=True)
    section = page[page.index('id="for-you-h"') : page.index("All for you")]
    assert "4 new" in section and "Parking is hard to find" in section
    assert section.count('class="feed-item') == 3 and PRICES not in section
    assert '<span class="tab-badge"><span class="visually-hidden">, </span>4' in page
    client.form(f"/for-you/read/{library.value.id}", {"next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert '<span class="visually-hidden">, </span>3<' in page
    response = client.form("/for-you/read-all")
    assert response.status_code == 302
    page = client.get("/for-you").get_data(as_text=True)
    assert "tab-badge" not in page and "Mark all as read" not in page and "New<" not in page


def test_the_badge_costs_one_query_on_a_page(client, signed_in, library, count_queries):
    client.get("/library/starred")  # counted once
    with count_queries() as statements:
        client.get("/library/starred")
    feed_queries = [s for s in statements if "feed_" in s or "library_state" in s]
    assert len(feed_queries) == 1


def test_mark_read_goes_back_only_to_our_own_pages(client, signed_in, library):
    response = client.form(f"/for-you/read/{library.value.id}", {"next": "https://evil.example/"})
    assert response.headers["Location"] == "/for-you"


def test_subscriptions_page_lists_choices_and_follows_and_removes(client, signed_in, library):
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/account/subscriptions"' in page
    page = client.get("/account/subscriptions").get_data(as_text=True)
    assert '<option value="web">Web</option>' in page
    assert '<option value="call centre">Call centre</option>' in page
    assert f'<option value="{library.first.programme_id}">Closeness week</option>' in page
    assert '<option value="Digital">Digital</option>' in page
    assert "Finance has no channel named like it, so every channel" in page
    response = client.form("/account/subscriptions", {"kind": "channel", "value": "web"})
    assert response.status_code == 302
    page = client.get("/account/subscriptions").get_data(as_text=True)
    assert "Followed: what it brings" in page and "> Web" in page
    [sub] = db.session.query(Subscription).all()
    client.form(f"/account/subscriptions/{sub.id}/delete")
    assert db.session.query(Subscription).count() == 0


def test_a_refused_follow_says_why_and_keeps_what_was_typed(client, signed_in, library):
    response = client.form("/account/subscriptions", {"kind": "tag", "value": "x" * 10_000})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Tag is too long (10000 characters; at most 120)." in page
    assert 'aria-invalid="true"' in page
    response = client.form("/account/subscriptions", {"kind": "colour", "value": "red"})
    assert response.status_code == 400
    assert db.session.query(Subscription).count() == 0


def test_writes_without_the_csrf_token_are_refused(client, signed_in, library):
    mine = subscriptions.subscribe(db.session, signed_in, "tag", "price")
    db.session.commit()
    for url, data in [
        ("/account/subscriptions", {"kind": "tag", "value": "value"}),
        ("/account/subscriptions/search", {"q": "kilo"}),
        (f"/account/subscriptions/{mine.id}/delete", {}),
        ("/account/subscriptions/defaults", {"on": "0"}),
        (f"/for-you/read/{library.value.id}", {}),
        ("/for-you/read-all", {}),
        ("/account/feed/renew", {}),
    ]:
        assert client.post(url, data=data).status_code == 400, url
    assert [s.id for s in db.session.query(Subscription)] == [mine.id]
    assert db.session.get(FeedState, signed_in.id).feed_token is None
    assert services.feed(db.session, signed_in).unread == 3


def test_someone_elses_subscription_is_not_found(client, signed_in, library):
    other = make_user()
    theirs = subscriptions.follow_search(db.session, other, {"q": "kilo"})
    db.session.commit()
    assert client.form(f"/account/subscriptions/{theirs.id}/delete").status_code == 404
    url = f"/account/subscriptions/{theirs.id}/feed/renew"
    assert client.form(url).status_code == 404
    assert db.session.get(Subscription, theirs.id).feed_token is None


def test_follow_this_search_from_the_library(client, signed_in, library):
    page = client.get("/library?q=kilo&channel=web").get_data(as_text=True)
    form = page[page.index('class="follow-search"') :]
    assert '<input type="hidden" name="q" value="kilo">' in form
    assert '<input type="hidden" name="channel" value="web">' in form
    assert "Follow this search" not in client.get("/library").get_data(as_text=True)
    response = client.form(
        "/account/subscriptions/search", {"q": "kilo", "channel": "web", "page": "2"}
    )
    assert response.headers["Location"] == "/library?q=kilo&channel=web"
    [sub] = db.session.query(Subscription).all()
    assert sub.kind == "search" and '"q": "kilo"' in sub.search
    page = client.get("/account/subscriptions").get_data(as_text=True)
    assert "Search</span> “kilo” · Channel: web" in page
    assert 'href="/library?channel=web&amp;q=kilo"' in page
    # Twice: refused, and the page says so.
    response = client.form("/account/subscriptions/search", {"q": "kilo", "channel": "web"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You follow that already." in page


def test_an_empty_or_broken_search_is_not_followed(client, signed_in, library):
    response = client.form("/account/subscriptions/search", {"q": "", "tag": "x" * 10_000})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "That tag cannot be searched." in page
    response = client.form("/account/subscriptions/search", {"q": "  "})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "an empty search follows everything" in page
    assert db.session.query(Subscription).count() == 0


def test_defaults_can_be_turned_off_and_on(client, signed_in, library):
    client.form("/account/subscriptions/defaults", {"on": "0"})
    page = client.get("/for-you").get_data(as_text=True)
    assert "Nothing yet" in page
    client.form("/account/subscriptions/defaults", {"on": "1"})
    assert VALUE in client.get("/for-you").get_data(as_text=True)


@pytest.mark.parametrize("page", ["0", "26", "x", "-1", "9" * 40])
def test_a_bad_page_number_is_refused_with_a_message(client, signed_in, library, page):
    response = client.get(f"/for-you?page={page}")
    assert response.status_code == 302
    assert "The page must be a number from 1 to 25." in client.get("/for-you").get_data(True)


def test_feed_page_queries_do_not_grow(client, signed_in, library, count_queries):
    client.get("/for-you")
    with count_queries() as few:
        client.get("/for-you")
    for n in range(6):
        publish_one(library, f"Finding {n}")
        subscriptions.subscribe(db.session, signed_in, "tag", f"t{n}")
    db.session.commit()
    client.get("/for-you")
    with count_queries() as many:
        page = client.get("/for-you").get_data(as_text=True)
    assert "Finding 5" in page
    assert len(many) == len(few)


def test_atom_addresses_on_the_subscriptions_page(client, signed_in, library):
    page = client.get("/account/subscriptions").get_data(as_text=True)
    assert "Get a feed address" in page
    client.form("/account/feed/renew")
    token = db.session.get(FeedState, signed_in.id).feed_token
    page = client.get("/account/subscriptions").get_data(as_text=True)
    assert f"http://localhost/feeds/{token}.atom" in page
    assert re.search(r"New address \(old one stops working\)", page)
    client.form("/account/feed/revoke")
    assert db.session.get(FeedState, signed_in.id).feed_token is None
