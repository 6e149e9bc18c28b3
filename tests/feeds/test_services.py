"""For you as services: what subscriptions and defaults bring, why, read and unread, who sees
what, hostile values, and a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.db import utcnow
from app.debriefs import board as ops
from app.debriefs.services import DebriefInput, create_debrief, publish
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.feeds import matching, services, subscriptions
from app.feeds.models import FeedRead, FeedState, Subscription
from app.insights.services import withdraw
from app.programmes.models import ActivityKind
from app.signups.services import sign_up
from tests.debriefs.conftest import write_note
from tests.factories import make_activity, make_programme, make_user
from tests.insights.conftest import Library


def titles(feed: services.Feed) -> list[str]:
    return [i.statement for i in feed.items]


def reasons(feed: services.Feed) -> dict[str, list[str]]:
    return {i.statement: i.reasons for i in feed.items}


PRICES = "Customers cannot compare prices per kilo"
STAIRS = "Older shoppers struggle with stairs"
VALUE = "People could not tell which pack was better value"


def test_defaults_bring_every_channel_to_a_department_without_one(reader, library):
    feed = services.feed(db.session, reader)
    assert titles(feed) == [VALUE, STAIRS, PRICES]  # newest first
    assert reasons(feed)[VALUE] == ["Heard in another channel: web"]
    assert reasons(feed)[PRICES] == ["Heard in another channel: store"]
    assert feed.unread == 3 and all(i.unread for i in feed.items)


def test_defaults_leave_out_the_departments_own_channel_and_bring_its_tag(library):
    stores = make_user(department="Stores")
    stores.created_at = utcnow() - timedelta(days=1)
    feed = services.feed(db.session, stores)
    assert titles(feed) == [VALUE]  # heard on the web; the store insights are their own channel
    # A department called "Prices" gets what is tagged "price" (a plural reads as one).
    prices = make_user(department="Prices")
    feed = services.feed(db.session, prices)
    assert reasons(feed)[PRICES] == [
        "Heard in another channel: store",
        "Tagged with your department: Prices",
    ]
    assert "Tagged with your department: Prices" in reasons(feed)[VALUE]


def test_each_kind_of_subscription_brings_its_insights_and_says_why(reader, library):
    subscriptions.set_defaults(db.session, reader, False)
    assert services.feed(db.session, reader).items == []
    subscriptions.subscribe(db.session, reader, "channel", "Web")
    subscriptions.subscribe(db.session, reader, "tag", "access")
    subscriptions.subscribe(db.session, reader, "kind", str(ActivityKind.CUSTOMER_OBSERVATION))
    subscriptions.subscribe(db.session, reader, "department", "Digital")
    subscriptions.subscribe(db.session, reader, "programme", str(library.first.programme_id))
    why = reasons(services.feed(db.session, reader))
    assert why[VALUE] == [
        "You follow: Web",
        "You follow: Observing customers as they shop or use the product",
        "You follow: Digital (department)",
    ]
    assert why[STAIRS] == [
        "You follow: tag “access”",
        "You follow: Observing customers as they shop or use the product",
        "You follow: Closeness week",
    ]
    assert set(why) == {VALUE, STAIRS, PRICES}


def test_a_saved_search_matches_its_words_in_insights_and_their_evidence(reader, library):
    subscriptions.set_defaults(db.session, reader, False)
    subscriptions.follow_search(db.session, reader, {"q": "kilo"})
    # "kilo" is in one insight's statement and in the other's evidence note only.
    assert titles(services.feed(db.session, reader)) == [VALUE, PRICES]
    subscriptions.follow_search(db.session, reader, {"q": "stairs OR lift", "channel": "store"})
    subscriptions.follow_search(db.session, reader, {"channel": "web", "tag": "value"})
    why = reasons(services.feed(db.session, reader))
    assert why[STAIRS] == ["You follow: the search “stairs OR lift” · Channel: store"]
    assert why[VALUE] == [
        "You follow: the search “kilo”",
        "You follow: the search Channel: web · Tag: value",
    ]


def test_a_saved_search_with_words_left_out_and_dates(reader, library):
    subscriptions.set_defaults(db.session, reader, False)
    subscriptions.follow_search(db.session, reader, {"q": "kilo -pack"})
    assert titles(services.feed(db.session, reader)) == [PRICES]
    far = (utcnow() + timedelta(days=400)).date().isoformat()
    subscriptions.follow_search(db.session, reader, {"q": "stairs", "from": far})
    assert titles(services.feed(db.session, reader)) == [PRICES]


def test_one_saved_search_alone_is_its_own_feed(reader, library):
    search = subscriptions.follow_search(db.session, reader, {"q": "stairs"})
    assert titles(services.feed(db.session, reader, only=search)) == [STAIRS]


def test_withdrawn_and_unpublished_insights_never_come(reader, library):
    field = library.field
    withdraw(db.session, "insight", library.value.id, "Not for sharing", by=field.organiser)
    draft = field.open_debrief()
    ops.save_insight(db.session, draft, {"statement": "A draft finding"}, user=field.facilitator)
    subscriptions.follow_search(db.session, reader, {"q": "draft OR value"})
    assert titles(services.feed(db.session, reader)) == [STAIRS, PRICES]


def test_quotes_come_from_the_library_with_contact_details_removed(reader, library):
    field = library.field
    # The first quote of this note holds a phone number; the library's text has it removed.
    phone = write_note(
        field.people[0],
        field.slots[0],
        {"customer": "man", "did": "Rang", "said": ["Ring 07700 900123 about the lift"]},
    )
    debrief = field.open_debrief(title="Second look")
    ops.save_insight(
        db.session,
        debrief,
        {"statement": "Lifts matter", "so_what": "Mail lifts@example.com", "evidence": [phone.id]},
        user=field.facilitator,
    )
    publish(db.session, debrief, by=field.facilitator)
    [item] = [i for i in services.feed(db.session, reader).items if i.statement == "Lifts matter"]
    assert "07700" not in item.quote and "removed" in item.quote
    assert item.so_what == "Mail [email removed]"


def test_mark_read_one_and_all(reader, library):
    services.mark_read(db.session, reader, library.value.id)
    services.mark_read(db.session, reader, library.value.id)  # twice changes nothing
    feed = services.feed(db.session, reader)
    assert feed.unread == 2 and [i.unread for i in feed.items] == [False, True, True]
    services.mark_all_read(db.session, reader)
    assert services.feed(db.session, reader).unread == 0
    assert db.session.query(FeedRead).count() == 0  # all read is one moment, not rows
    # What is published afterwards is new.
    later = publish_one(library, "Parking is hard to find")
    feed = services.feed(db.session, reader)
    assert feed.unread == 1 and feed.items[0].doc.insight_id == later


def publish_one(library: Library, statement: str, *, channel: str = "phone") -> int:
    field = library.field
    note = write_note(field.people[0], field.slots[0], {"did": "Sighed", "channel": channel})
    debrief = field.open_debrief(title=statement)
    insight = ops.save_insight(
        db.session, debrief, {"statement": statement, "evidence": [note.id]}, user=field.facilitator
    )
    publish(db.session, debrief, by=field.facilitator)
    return insight.id


def test_marking_read_what_the_library_does_not_hold_is_not_found(reader, library):
    draft = library.field.open_debrief()
    insight = ops.save_insight(
        db.session, draft, {"statement": "Draft"}, user=library.field.facilitator
    )
    for bad in (insight.id, 0, -1, 2**40, "1", None):
        with pytest.raises(NotFound):
            services.mark_read(db.session, reader, bad)


def test_insights_from_before_someone_joined_are_not_new_to_them(library):
    newcomer = make_user(department="Finance")
    feed = services.feed(db.session, newcomer)
    assert len(feed.items) == 3 and feed.unread == 0


def test_unread_count_costs_one_query_once_counted(reader, library, count_queries):
    assert services.unread_count(db.session, reader) == 3
    with count_queries() as statements:
        assert services.unread_count(db.session, reader) == 3
    assert len(statements) == 1
    services.mark_read(db.session, reader, library.prices.id)  # a change is seen at once
    assert services.unread_count(db.session, reader) == 2
    publish_one(library, "Queues at lunch")
    assert services.unread_count(db.session, reader) == 3
    reader.department = "Phones"  # the defaults now leave out the phone channel
    assert services.unread_count(db.session, reader) == 2


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("colour", "red", "Follow a department, channel, activity, tag or programme."),
        ("search", "x", "Follow a department, channel, activity, tag or programme."),
        (None, "x", "Follow a department, channel, activity, tag or programme."),
        ("channel", "x" * 10_000, "Channel is too long (10000 characters; at most 120)."),
        ("tag", "", "Tag is required."),
        ("tag", "a\x00b", "Remove the invisible NUL character from this text."),
        ("tag", ["a"], "Tag must be text."),
        ("kind", "juggling", "There is no such kind of activity."),
        ("programme", "999999", "That programme has nothing in the library."),
        ("programme", "9" * 50, "That programme has nothing in the library."),
        ("department", "Nowhere", "No one works in a department called “Nowhere”."),
    ],
)
def test_hostile_values_are_refused_with_a_message(reader, library, kind, value, message):
    with pytest.raises(DomainError) as err:
        subscriptions.subscribe(db.session, reader, kind, value)
    assert err.value.message == message
    assert db.session.query(Subscription).count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({}, "Search for words or pick a filter first"),
        ({"q": "!!! ???"}, "Search for words or pick a filter first"),
        ({"q": "-kilo"}, "Add a word to look for besides the ones to leave out."),
        ({"q": "x" * 10_000}, "The search is too long"),
        ({"colour": "red"}, "Search for words or pick a filter first"),
        ({"channel": "x" * 10_000}, "That channel cannot be searched."),
        ({"from": "yesterday"}, "The start date must be a date like 2026-03-31."),
    ],
)
def test_hostile_searches_are_refused(reader, library, args, message):
    with pytest.raises(DomainError) as err:
        subscriptions.follow_search(db.session, reader, args)
    assert err.value.message.startswith(message)
    assert db.session.query(Subscription).count() == 0


@pytest.mark.parametrize(
    "q", ["NEAR(kilo stairs, 2)", "kilo*", "title:kilo", '"unbalanced', "a' OR 1=1 --", "))(( kilo"]
)
def test_search_syntax_of_the_databases_is_only_words(reader, library, q):
    subscriptions.set_defaults(db.session, reader, False)
    subscriptions.follow_search(db.session, reader, {"q": q})
    services.feed(db.session, reader)  # no database error, whatever it finds


def test_following_twice_is_refused_and_someone_elses_subscription_is_not_found(reader, library):
    mine = subscriptions.subscribe(db.session, reader, "tag", "Price")
    with pytest.raises(Conflict):
        subscriptions.subscribe(db.session, reader, "tag", "price")
    subscriptions.follow_search(db.session, reader, {"q": "kilo", "channel": "web"})
    with pytest.raises(Conflict):
        subscriptions.follow_search(
            db.session, reader, {"channel": "web", "q": "kilo", "page": "2"}
        )
    other = make_user(Role.ADMIN)
    with pytest.raises(NotFound):
        subscriptions.unsubscribe(db.session, other, mine.id)
    for bad in (0, -5, 2**40, "1", None):
        with pytest.raises(NotFound):
            subscriptions.unsubscribe(db.session, reader, bad)
    assert db.session.get(Subscription, mine.id) is not None


def test_a_person_follows_at_most_ten_searches(reader, library, monkeypatch):
    for n in range(matching.MAX_SEARCHES):
        subscriptions.follow_search(db.session, reader, {"q": f"word{n}"})
    with pytest.raises(DomainError, match="10 searches already"):
        subscriptions.follow_search(db.session, reader, {"q": "one more"})


def test_feed_addresses_renew_and_revoke(reader, library):
    token = subscriptions.renew_feed_token(db.session, reader)
    assert subscriptions.for_token(db.session, token) == (reader, None)
    newer = subscriptions.renew_feed_token(db.session, reader)
    with pytest.raises(NotFound):
        subscriptions.for_token(db.session, token)
    search = subscriptions.follow_search(db.session, reader, {"q": "kilo"})
    search_token = subscriptions.renew_feed_token(db.session, reader, search)
    assert subscriptions.for_token(db.session, search_token) == (reader, search)
    subscriptions.revoke_feed_token(db.session, reader)
    for gone in (newer, "", "x" * 100):
        with pytest.raises(NotFound):
            subscriptions.for_token(db.session, gone)
    subscriptions.unsubscribe(db.session, reader, search.id)
    with pytest.raises(NotFound):
        subscriptions.for_token(db.session, search_token)


def test_a_disabled_persons_feed_address_stops(reader, library):
    token = subscriptions.renew_feed_token(db.session, reader)
    reader.active = False
    with pytest.raises(NotFound):
        subscriptions.for_token(db.session, token)


def _grow(library: Library, insights: int) -> None:
    """More programmes, people, notes and published insights."""
    field = library.field
    programme = make_programme(field.organiser, title="Grown week")
    slot = make_activity(programme, kind=ActivityKind.CALL_LISTENING)
    person = make_user(department="Logistics")
    sign_up(db.session, slot, user=person)
    from app.briefings.services import acknowledge

    acknowledge(db.session, programme, user=person)
    for n in range(insights):
        note = write_note(
            person, slot, {"did": f"Heard {n}", "said": [f"Quote {n}"], "tags": [f"t{n}"]}
        )
        debrief = create_debrief(
            db.session,
            programme,
            DebriefInput(title=f"Grown {n}", starts_at=utcnow(), location="Room"),
            by=field.facilitator,
        )
        ops.save_insight(
            db.session,
            debrief,
            {"statement": f"Grown finding {n} per kilo", "evidence": [note.id]},
            user=field.facilitator,
        )
        publish(db.session, debrief, by=field.facilitator)


def test_feed_queries_do_not_grow_with_insights_or_subscriptions(reader, library, count_queries):
    subscriptions.follow_search(db.session, reader, {"q": "kilo"})
    subscriptions.subscribe(db.session, reader, "channel", "web")
    db.session.commit()
    db.session.expire_all()
    assert reader.department and reader.roles  # the person is loaded, as a request has them
    with count_queries() as few:
        small = services.feed(db.session, reader)
    _grow(library, 12)
    for n in range(8):
        subscriptions.follow_search(db.session, reader, {"q": f"finding {n}", "tag": f"t{n}"})
        subscriptions.subscribe(db.session, reader, "tag", f"t{n}")
    subscriptions.subscribe(db.session, reader, "programme", str(library.later.programme_id))
    db.session.commit()
    db.session.expire_all()
    assert reader.department and reader.roles
    with count_queries() as many:
        big = services.feed(db.session, reader)
    assert len(big.items) > len(small.items) + 10
    assert len(many) == len(few), (few, many)
    # What the page kept would depend on, settings, subscriptions, the newest insights,
    # programme names, the words of every saved search at once, what is read, and the quotes of
    # the page; then, kept, only the first.
    assert len(few) == 8
    with count_queries() as kept:
        assert _shown(services.feed(db.session, reader)) == _shown(big)
    assert len(kept) == 1


def test_state_is_kept_per_person(reader, library):
    subscriptions.set_defaults(db.session, reader, False)
    state = db.session.get(FeedState, reader.id)
    assert state is not None and state.defaults_on is False and state.version >= 1


def _shown(feed: services.Feed) -> tuple:  # type: ignore[type-arg]
    items = [(i.doc.id, i.reasons, i.unread, i.programme, i.timezone, i.quote) for i in feed.items]
    return items, feed.total, feed.unread, feed.page, feed.pages


@pytest.mark.parametrize("window", [services.PREVIEW_WINDOW, 2])
def test_the_home_preview_is_the_feeds_first_page_worked_out_alone(
    reader, library, monkeypatch, window
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "PREVIEW_WINDOW", window)  # 2: the whole window is needed
    _grow(library, 4)
    services.mark_read(db.session, reader, library.value.id)

    def same() -> None:
        for size in (1, 3, 20):
            counts = services.feed_counts(db.session, reader)
            expected = services.feed(db.session, reader, page_size=size)
            assert _shown(services.preview(db.session, reader, size, counts)) == _shown(expected)

    same()  # the defaults: every channel
    subscriptions.set_defaults(db.session, reader, False)
    subscriptions.follow_search(db.session, reader, {"q": "kilo"})
    same()  # a search that the newest insights do not all match
    subscriptions.subscribe(db.session, reader, "channel", "store")
    same()
