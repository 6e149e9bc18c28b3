"""For you in the JSON API and as Atom feeds read by a real feed parser."""

from __future__ import annotations

from xml.etree import ElementTree

import feedparser
import pytest

from app.accounts.services import create_api_token
from app.extensions import db
from app.feeds import subscriptions
from app.feeds.models import FeedState, Subscription
from tests.factories import make_user
from tests.feeds.test_services import PRICES, STAIRS, VALUE, publish_one

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def signed_in(client, reader):  # type: ignore[no-untyped-def]
    assert client.sign_in(reader).status_code == 302
    return reader


def test_my_feed_in_the_api(client, signed_in, library):
    data = client.get("/api/v1/me/feed").get_json()
    assert [i["statement"] for i in data["items"]] == [VALUE, STAIRS, PRICES]
    assert (data["total"], data["unread"], data["page"], data["pages"]) == (3, 3, 1, 1)
    first = data["items"][0]
    assert first["so_what"] == "Compare sizes for them"
    assert first["quote"] == "Which one works out cheaper per kilo?"
    assert first["why"] == ["Heard in another channel: web"]
    assert first["programme"] == "Online shop week" and first["unread"] is True
    assert first["url"] == f"http://localhost/library/insights/{library.value.id}"


def test_mark_read_in_the_api(client, signed_in, library):
    response = client.api("PUT", f"/api/v1/me/feed/read/{library.value.id}")
    assert response.get_json() == {"read": True, "unread": 2}
    assert client.api("PUT", "/api/v1/me/feed/read/999999").status_code == 404
    assert client.api("POST", "/api/v1/me/feed/read-all").get_json()["unread"] == 0
    assert client.get("/api/v1/me/feed").get_json()["unread"] == 0


def test_subscriptions_in_the_api(client, signed_in, library):
    made = client.api("POST", "/api/v1/me/subscriptions", {"kind": "channel", "value": "Web"})
    assert made.status_code == 201
    assert made.get_json() == {"id": 1, "kind": "channel", "label": "Web", "value": "web"}
    search = client.api(
        "POST",
        "/api/v1/me/subscriptions",
        {"kind": "search", "search": {"q": "kilo", "tag": "price"}},
    ).get_json()
    assert search["search"] == {"q": "kilo", "tag": "price"}
    assert search["label"] == "“kilo” · Tag: price"
    listed = client.get("/api/v1/me/subscriptions").get_json()
    assert listed["defaults"] is True and len(listed["subscriptions"]) == 2
    assert client.api("PUT", "/api/v1/me/feed/defaults", {"on": False}).status_code == 200
    why = {i["statement"]: i["why"] for i in client.get("/api/v1/me/feed").get_json()["items"]}
    assert why == {
        VALUE: ["You follow: Web", "You follow: the search “kilo” · Tag: price"],
        PRICES: ["You follow: the search “kilo” · Tag: price"],
    }
    assert client.api("DELETE", f"/api/v1/me/subscriptions/{search['id']}").status_code == 200
    assert len(client.get("/api/v1/me/subscriptions").get_json()["subscriptions"]) == 1


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"kind": "colour", "value": "red"}, 400, "Follow a department"),
        ({"kind": "tag", "value": "x" * 10_000}, 400, "Tag is too long"),
        ({"kind": "tag", "value": {"$ne": 1}}, 400, "Tag must be text."),
        ({"kind": "tag", "value": "a", "admin": True}, 400, "Unknown fields: admin."),
        ({"kind": "search", "search": "kilo"}, 400, "search must be an object"),
        ({"kind": "search", "search": {"q": ["kilo"]}}, 400, "search must be an object"),
        ({"kind": "search", "search": {"q": "kilo", "sql": "1"}}, 400, "Unknown search"),
        ({"kind": "search", "search": {"q": 'NEAR(kilo "'}}, 201, None),
        ({"kind": "search", "search": {}}, 400, "Search for words or pick a filter first"),
        ({"kind": "programme", "value": "-1"}, 400, "That programme has nothing"),
        ({"kind": "tag", "value": None}, 400, "Tag is required."),
    ],
)
def test_hostile_subscription_bodies(client, signed_in, library, body, status, message):
    response = client.api("POST", "/api/v1/me/subscriptions", body)
    assert response.status_code == status, response.get_json()
    if message:
        assert response.get_json()["error"]["message"].startswith(message)
        assert db.session.query(Subscription).count() == 0


def test_api_refusals_change_nothing(client, signed_in, library):
    other = make_user()
    theirs = subscriptions.subscribe(db.session, other, "tag", "price")
    db.session.commit()
    assert client.api("DELETE", f"/api/v1/me/subscriptions/{theirs.id}").status_code == 404
    assert client.api("DELETE", "/api/v1/me/subscriptions/2147483648").status_code == 404
    response = client.open(
        "/api/v1/me/subscriptions", method="POST", json={"kind": "tag", "value": "x"}
    )
    assert response.status_code == 400  # no CSRF token with the session cookie
    assert response.get_json()["error"]["code"] == "csrf_failed"
    assert client.api("PUT", "/api/v1/me/feed/defaults", {"on": "no"}).status_code == 400
    assert client.get("/api/v1/me/feed?page=0").status_code == 400
    assert [s.id for s in db.session.query(Subscription)] == [theirs.id]


def test_bearer_token_reads_the_feed(client, reader, library):
    token = create_api_token(db.session, reader)
    db.session.commit()
    response = client.get("/api/v1/me/feed", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["total"] == 3
    assert client.get("/api/v1/me/feed").status_code == 401


def _parse(client, url):  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/atom+xml"
    body = response.get_data()
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return body, parsed


def _required_elements(body: bytes) -> None:
    """RFC 4287: a feed has id, title and updated; every entry id, title, updated and a link."""
    feed = ElementTree.fromstring(body)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{name}") or "").strip(), name
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http")


def test_personal_atom_feed_is_valid_and_revocable(app, client, signed_in, library):
    # Markup and ampersands in a statement reach the reader as text.
    publish_one(library, "Tea & <b>biscuits</b> at the till")
    client.form("/account/feed/renew")
    token = db.session.get(FeedState, signed_in.id).feed_token
    body, parsed = _parse(app.test_client(), f"/feeds/{token}.atom")  # no sign-in needed
    _required_elements(body)
    assert b"&lt;b&gt;biscuits" in body and b"Tea &amp;" in body
    titles = [e.title for e in parsed.entries]
    assert titles == ["Tea & <b>biscuits</b> at the till", VALUE, STAIRS, PRICES]
    value = parsed.entries[1]
    assert value.link == f"http://localhost/library/insights/{library.value.id}"
    assert "So what: Compare sizes for them" in value.summary
    assert "“Which one works out cheaper per kilo?”" in value.summary
    assert "gran@example.org" not in body.decode()
    assert parsed.feed.title.startswith("For you: Rita Reader")
    feed_id = parsed.feed.id
    # Renewing kills the old address; the feed keeps its id.
    client.form("/account/feed/renew")
    assert client.get(f"/feeds/{token}.atom").status_code == 404
    newer = db.session.get(FeedState, signed_in.id).feed_token
    assert _parse(client, f"/feeds/{newer}.atom")[1].feed.id == feed_id
    client.form("/account/feed/revoke")
    assert client.get(f"/feeds/{newer}.atom").status_code == 404
    assert client.get("/feeds/nonsense.atom").status_code == 404


def test_saved_search_atom_feed(client, signed_in, library):
    search = subscriptions.follow_search(db.session, signed_in, {"q": "stairs"})
    db.session.commit()
    search_id = search.id
    client.form(f"/account/subscriptions/{search.id}/feed/renew")
    token = db.session.get(Subscription, search.id).feed_token
    assert token
    page = client.get("/account/subscriptions").get_data(as_text=True)
    assert f"http://localhost/feeds/{token}.atom" in page
    body, parsed = _parse(client, f"/feeds/{token}.atom")
    _required_elements(body)
    assert [e.title for e in parsed.entries] == [STAIRS]
    assert parsed.feed.title == "Listening Post: search “stairs”"
    client.form(f"/account/subscriptions/{search.id}/feed/renew")
    assert client.get(f"/feeds/{token}.atom").status_code == 404
    newer = db.session.get(Subscription, search.id).feed_token
    assert client.get(f"/feeds/{newer}.atom").status_code == 200
    client.form(f"/account/subscriptions/{search_id}/delete")
    assert client.get(f"/feeds/{newer}.atom").status_code == 404  # unfollowing ends its feed


def test_an_empty_feed_is_still_valid_atom(client, signed_in, library):
    subscriptions.set_defaults(db.session, signed_in, False)
    token = subscriptions.renew_feed_token(db.session, signed_in)
    db.session.commit()
    body, parsed = _parse(client, f"/feeds/{token}.atom")
    _required_elements(body)
    assert parsed.entries == []


def test_openapi_lists_the_feed_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/me/feed", "/me/feed/read/{insight_id}", "/me/subscriptions"} <= set(paths)
