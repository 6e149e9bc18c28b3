"""What a process keeps between requests never shows a person something they may no longer see.

The caches there are: the unread and total counts behind the For you badge and the home preview
(keyed by person, department, joining date, library generation and feed version); the pages of For
you and the home preview's items (by the same); the library's vectors (by database and library
generation); the vector of a search's words and the time formats (pure functions of their
arguments); the library's search results (by its generation, which a programme renamed moves, and a
trigger whenever documents go); a board's cards and their HTML, and its ETag (by its version, which
every change to what a card shows moves; access is checked before a 304). Nothing read in a
transaction that has written is kept. Roles are read with the session on every request. Each test
warms what is kept, changes something in the database as another process would, and looks at the
very next request."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from app.accounts.models import Role, User
from app.accounts.services import update_user
from app.capture.photos import delete_photo
from app.capture.services import delete_note, update_note
from app.debriefs.services import publish
from app.extensions import db
from app.feeds.models import FeedState
from app.insights.services import withdraw
from app.kept import Kept, kept
from app.programmes import models as programme_models
from app.programmes.models import ProgrammeStatus
from app.signups import services as signup_services
from app.signups.models import Signup
from app.signups.services import sign_up
from tests.api.test_api import bearer
from tests.debriefs.conftest import OBSERVATIONS, write_note
from tests.debriefs.conftest import fieldwork as fieldwork
from tests.factories import make_activity, make_programme, make_user
from tests.feeds.conftest import reader as reader
from tests.feeds.test_services import publish_one
from tests.insights.conftest import library as library

__all__ = ["fieldwork", "library", "reader"]

PRICES = "Customers cannot compare prices per kilo"
SEARCHES = ["/library?q=prices", "/library?q=how+much+a+kilogram+costs"]


def _badge(page: str) -> int:
    marker = '<span class="tab-badge"><span class="visually-hidden">, </span>'
    if marker not in page:
        return 0
    return int(page.split(marker, 1)[1].split("<", 1)[0])


def _total(page: str) -> int:
    """The home preview's count of everything in the person's feed: "All for you (3)"."""
    return int(page.split("All for you (", 1)[1].split(")", 1)[0]) if "All for you (" in page else 0


def _pages(client, atom: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    urls = [*SEARCHES, "/for-you", "/", atom]
    return {url: client.get(url).get_data(as_text=True) for url in urls}


def _atom(client, reader) -> str:  # type: ignore[no-untyped-def]
    client.form("/account/feed/renew")
    return f"/feeds/{db.session.get(FeedState, reader.id).feed_token}.atom"


def test_a_withdrawn_insight_leaves_search_for_you_the_badge_and_atom_at_once(
    client, reader, library
):  # type: ignore[no-untyped-def]
    client.sign_in(reader)
    atom = _atom(client, reader)
    _pages(client, atom)  # the count, the vectors and the query vectors are kept now
    before = _pages(client, atom)
    assert all(PRICES in page for page in before.values() if page is not before["/"])
    withdraw(db.session, "insight", library.prices.id, "Too early", by=library.field.organiser)
    db.session.commit()
    after = _pages(client, atom)
    assert [url for url, page in after.items() if PRICES in page] == []
    assert _badge(after["/"]) == _badge(before["/"]) - 1
    assert _total(after["/"]) == _total(before["/"]) - 1


def test_a_published_insight_reaches_search_for_you_and_the_badge_at_once(client, reader, library):  # type: ignore[no-untyped-def]
    client.sign_in(reader)
    atom = _atom(client, reader)
    _pages(client, atom)
    before = _pages(client, atom)
    publish_one(library, "Prices per kilo are printed too small")
    db.session.commit()
    after = _pages(client, atom)
    for url in ("/library?q=prices", "/for-you", "/", atom):
        assert "Prices per kilo are printed too small" in after[url], url
    assert _badge(after["/"]) == _badge(before["/"]) + 1
    assert _total(after["/"]) == _total(before["/"]) + 1


def test_reading_and_a_new_department_change_the_badge_at_once(client, reader, library):  # type: ignore[no-untyped-def]
    client.sign_in(reader)
    client.get("/")
    assert _badge(client.get("/").get_data(as_text=True)) == 3
    client.form(f"/for-you/read/{library.prices.id}")
    assert _badge(client.get("/").get_data(as_text=True)) == 2
    admin = make_user(Role.ADMIN)
    # The defaults bring insights heard in channels other than the person's department's own:
    # moved to Web, the web-only insight is no longer theirs, and the count kept is not used.
    update_user(
        db.session, reader, name=reader.name, department="Web", roles=set(), active=True, by=admin
    )
    db.session.commit()
    page = client.get("/for-you").get_data(as_text=True)
    assert "People could not tell which pack was better value" not in page
    assert _badge(page) == 1
    assert _total(client.get("/").get_data(as_text=True)) == 2


def test_a_renamed_programme_shows_in_for_you_home_and_search_at_once(client, reader, library):  # type: ignore[no-untyped-def]
    client.sign_in(reader)
    urls = ("/", "/for-you", "/library?q=better+value")
    for url in urls:
        client.get(url)
        assert "Online shop week" in client.get(url).get_data(as_text=True)  # kept now
    programme = library.value.debrief.programme
    programme.title = "Web shop fortnight"
    db.session.commit()
    for url in urls:
        page = client.get(url).get_data(as_text=True)
        assert "Web shop fortnight" in page and "Online shop week" not in page, url


def test_a_role_given_or_taken_shows_on_the_next_request(client, login_as):  # type: ignore[no-untyped-def]
    person = login_as()
    admin = make_user(Role.ADMIN)
    db.session.commit()

    def roles(*given: Role) -> None:
        update_user(
            db.session,
            person,
            name=person.name,
            department=person.department,
            roles=set(given),
            active=True,
            by=admin,
        )
        db.session.commit()

    assert "New programme" not in client.get("/").get_data(as_text=True)
    assert client.get("/programmes/new").status_code == 403
    roles(Role.ORGANISER)
    assert "New programme" in client.get("/").get_data(as_text=True)
    assert client.get("/programmes/new").status_code == 200
    roles()
    assert "New programme" not in client.get("/").get_data(as_text=True)
    assert client.get("/programmes/new").status_code == 403
    update_user(
        db.session,
        person,
        name=person.name,
        department=person.department,
        roles=set(),
        active=False,
        by=admin,
    )
    db.session.commit()
    assert client.get("/").status_code == 302  # signed out at once


def test_the_board_s_etag_answers_304_only_to_someone_who_may_still_see_it(client, fieldwork):  # type: ignore[no-untyped-def]
    debrief = fieldwork.open_debrief()
    onlooker = make_user(Role.ADMIN)  # sees every open board while an admin
    other_admin = make_user(Role.ADMIN)
    headers = bearer(onlooker)
    url = f"/api/v1/debriefs/{debrief.id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    update_user(
        db.session,
        onlooker,
        name=onlooker.name,
        department=onlooker.department,
        roles=set(),
        active=True,
        by=other_admin,
    )
    db.session.commit()
    refused = client.get(url, headers={**headers, "If-None-Match": etag})
    assert refused.status_code in (403, 404) and refused.get_json()["error"]["message"]


def test_the_board_s_etag_moves_when_its_cards_do(client, fieldwork):  # type: ignore[no-untyped-def]
    """A note synced late, edited or deleted, or a photo taken off, changes the cards: the
    board's version moves, so its page and every ETag holder see them at the next look."""
    debrief = fieldwork.open_debrief()
    author, shop = fieldwork.people[0], fieldwork.slots[0]
    url, headers = f"/api/v1/debriefs/{debrief.id}", bearer(fieldwork.facilitator)

    def looked() -> str:
        etag = client.get(url, headers=headers).headers["ETag"]
        assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
        return etag

    def cards() -> list[str]:
        return [c["quote"] for c in client.get(url, headers=headers).get_json()["cards"]]

    etag = looked()
    late = write_note(author, shop, {**OBSERVATIONS[0], "said": ["Too dear by the kilo"]})
    db.session.commit()
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 200
    assert "Too dear by the kilo" in cards()
    etag = looked()
    update_note(
        db.session,
        late,
        {**OBSERVATIONS[0], "said": ["Dearer than last week"]},
        base_version=late.version,
        user=author,
    )
    db.session.commit()
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 200
    assert "Dearer than last week" in cards()
    etag = looked()
    delete_photo(db.session, fieldwork.notes[0].photos[0], user=author)
    db.session.commit()
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 200
    etag = looked()
    delete_note(db.session, late, user=author)
    db.session.commit()
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 200
    assert "Dearer than last week" not in cards()
    for rename in (
        lambda: setattr(shop, "title", "Watch the top shelf"),
        lambda: setattr(author, "name", "Ann Other"),
    ):
        etag = looked()
        rename()
        db.session.commit()
        assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 200
    cards_json = client.get(url, headers=headers).get_json()["cards"]
    assert {(c["activity"], c["author"]) for c in cards_json if c["author_id"] == author.id} == {
        ("Watch the top shelf", "Ann Other")
    }
    # A note or a sign-up elsewhere, or someone else renamed, leaves the board's version alone.
    etag = looked()
    elsewhere = make_activity(fieldwork.programme, day=3, title="Another shelf")
    sign_up(db.session, elsewhere, user=author)
    write_note(author, elsewhere, OBSERVATIONS[1])
    make_user().name = "Nobody on this board"
    db.session.commit()
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304


def test_nothing_read_after_a_write_is_kept_until_it_is_committed(fieldwork):  # type: ignore[no-untyped-def]
    """Read inside a transaction that wrote, a value may hold what is then rolled back, while
    its key (a version, a generation) comes back with other contents at the next change."""
    db.session.commit()  # what the fixture wrote
    store = Kept(8)
    assert kept(db.session, store, ("before",), lambda: 1) == 1 and store.get(("before",)) == 1
    for write in (
        lambda: make_user(),  # flushed
        lambda: db.session.execute(update(User).values(department="Sales")),  # executed
    ):
        write()
        assert kept(db.session, store, ("during",), lambda: 2) == 2
        assert store.get(("during",)) is None
        db.session.rollback()
    # A change not yet flushed, which making the value would flush (autoflush), is not kept.
    db.session.add(User(email="new@example.com", name="New", password_hash="x"))
    assert kept(db.session, store, ("during",), lambda: 2) == 2
    assert store.get(("during",)) is None
    db.session.rollback()
    assert kept(db.session, store, ("during",), lambda: 3) == 3 and store.get(("during",)) == 3


def test_a_board_s_kept_cards_follow_its_publishing_and_new_notes(client, fieldwork):  # type: ignore[no-untyped-def]
    debrief = fieldwork.open_debrief()
    db.session.commit()
    client.sign_in(fieldwork.people[0])
    url = f"/debriefs/{debrief.id}"
    client.get(url)
    assert "Select card" in client.get(url).get_data(as_text=True)  # the cards are kept now
    write_note(fieldwork.people[0], fieldwork.slots[0], {**OBSERVATIONS[1], "said": ["Too high"]})
    db.session.commit()
    assert "Too high" in client.get(url).get_data(as_text=True)
    publish(db.session, debrief, by=fieldwork.facilitator)
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Too high" in page and "Select card" not in page


def test_kept_search_results_lose_a_deleted_person_s_notes_at_once(client, reader, library):  # type: ignore[no-untyped-def]
    """Deleting a person takes their notes out of the library by a cascade the application
    never sees; the library's generation moves all the same (a trigger)."""
    client.sign_in(reader)
    url = "/library?q=big+one+back"
    client.get(url)
    assert "woman, 30s, with a pram" in client.get(url).get_data(as_text=True)  # kept now
    db.session.delete(library.field.people[0])
    db.session.commit()
    assert "woman, 30s, with a pram" not in client.get(url).get_data(as_text=True)


def test_a_board_s_version_moves_when_a_note_moves_off_it_or_its_author_is_deleted(
    client, fieldwork
):  # type: ignore[no-untyped-def]
    shop, calls = fieldwork.slots
    in_shop = fieldwork.open_debrief(activity_ids=[shop.id])
    on_calls = fieldwork.open_debrief(activity_ids=[calls.id])
    db.session.commit()
    headers = bearer(fieldwork.organiser)

    def etags() -> list[str]:
        return [
            client.get(f"/api/v1/debriefs/{d.id}", headers=headers).headers["ETag"]
            for d in (in_shop, on_calls)
        ]

    def authors(debrief) -> set[int]:  # type: ignore[no-untyped-def]
        board = client.get(f"/api/v1/debriefs/{debrief.id}", headers=headers).get_json()
        return {c["author_id"] for c in board["cards"]}

    before = etags()
    moved = fieldwork.notes[1]
    moved.activity_id = calls.id  # from the shop's board to the calls' board
    db.session.commit()
    after = etags()
    assert after[0] != before[0] and after[1] != before[1]
    assert fieldwork.people[1].id in authors(on_calls) - authors(in_shop)
    gone = fieldwork.people[0]
    db.session.delete(gone)  # their notes go by a cascade
    db.session.commit()
    assert etags()[0] != after[0] and gone.id not in authors(in_shop)


def _slot(page: str, title: str) -> str:
    """The list item of the slot with this title on a programme page."""
    return page.split(f">{title}</a></h3>", 1)[1].split("</li>", 1)[0]


def test_a_programme_page_s_kept_slots_follow_places_own_places_changes_and_time(
    client, login_as, monkeypatch
):  # type: ignore[no-untyped-def]
    login_as()
    programme = make_programme()
    slot = make_activity(programme, capacity=2, title="Calls in Lyon")
    make_activity(programme, day=1, title="Calls in Paris")
    db.session.commit()
    url = f"/programmes/{programme.id}"
    client.get(url)  # kept from here on
    assert "2 of 2 places left" in _slot(client.get(url).get_data(as_text=True), "Calls in Lyon")
    sign_up(db.session, slot, user=make_user())
    db.session.commit()
    item = _slot(client.get(url).get_data(as_text=True), "Calls in Lyon")
    assert "1 of 2 places left" in item and "Sign up" in item
    client.form(f"/activities/{slot.id}/signup")
    item = _slot(client.get(url).get_data(as_text=True), "Calls in Lyon")
    assert "You are signed up" in item and "Cancel my place" in item
    assert "Full · waitlist open" in item
    slot.title, slot.location = "Calls in Lille", "Lille call centre"
    db.session.commit()
    item = _slot(client.get(url).get_data(as_text=True), "Calls in Lille")
    assert "Lille call centre" in item and "You are signed up" in item
    programme.status = ProgrammeStatus.IN_FIELD  # sign-up closes; the slots stay as they are
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "places no longer change" in _slot(page, "Calls in Lille")
    assert "Sign-up for this programme is closed." in _slot(page, "Calls in Paris")
    assert "Sign up" not in _slot(page, "Calls in Paris")
    # The slot starts: nothing in the database changes, but the page must say so.
    later = slot.starts_at + timedelta(minutes=1)
    for module in (programme_models, signup_services):
        monkeypatch.setattr(module, "utcnow", lambda: later)
    item = _slot(client.get(url).get_data(as_text=True), "Calls in Lille")
    assert "You were signed up" in item and "Cancel my place" not in item


def test_kept_slots_carry_each_reader_s_own_csrf_token(app, client, login_as):  # type: ignore[no-untyped-def]
    login_as()
    programme = make_programme()
    slot = make_activity(programme, title="Calls in Lyon")
    other = make_user()
    db.session.commit()
    url = f"/programmes/{programme.id}"
    first = client.get(url).get_data(as_text=True)
    second_client = app.test_client()
    second_client.sign_in(other)
    second = second_client.get(url).get_data(as_text=True)
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', p)) for p in (first, second)]
    assert all(len(t) == 1 for t in tokens) and tokens[0] != tokens[1]
    assert "<csrf-token>" not in first + second
    answer = second_client.post(
        f"/activities/{slot.id}/signup", data={"csrf_token": tokens[1].pop(), "next": url}
    )
    assert answer.status_code == 302
    assert db.session.scalars(select(Signup.user_id)).all() == [other.id]
