"""Notes from phones: stored once, edits ordered, bad items refused one by one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.briefings.services import acknowledge, save_pack
from app.capture.models import Note
from app.capture.services import get_note, note_json, programme_tags, update_note
from app.capture.sync import sync
from app.errors import Conflict, NotFound
from app.extensions import db
from app.signups.services import sign_up
from tests.factories import TZ, make_user


def item(
    slot, *, client_id=None, fields=None, updated="2030-01-01T10:00:00+00:00", kind="observation"
):  # type: ignore[no-untyped-def]
    return {
        "client_id": client_id or str(uuid.uuid4()),
        "type": kind,
        "activity_id": slot.id,
        "fields": fields
        if fields is not None
        else {"customer": "woman, 40s, with a toddler", "said": ["Where are the nappies?"]},
        "updated_at": updated,
    }


def count_notes() -> int:
    return db.session.scalar(select(func.count()).select_from(Note))


def test_sending_the_same_note_again_never_makes_a_second(field):
    person, slot = field
    note = item(slot)
    [first] = sync(db.session, [note], user=person)
    [again] = sync(db.session, [note], user=person)
    assert (first.status, again.status) == ("created", "unchanged")
    assert first.id == again.id and count_notes() == 1


def test_a_newer_edit_updates_and_an_older_copy_arriving_late_does_not(field):
    person, slot = field
    client_id = str(uuid.uuid4())
    sync(db.session, [item(slot, client_id=client_id, fields={"did": "v1"})], user=person)
    [newer] = sync(
        db.session,
        [
            item(
                slot, client_id=client_id, fields={"did": "v2"}, updated="2030-01-01T10:05:00+00:00"
            )
        ],
        user=person,
    )
    [late] = sync(
        db.session,
        [
            item(
                slot, client_id=client_id, fields={"did": "v0"}, updated="2030-01-01T09:59:00+00:00"
            )
        ],
        user=person,
    )
    assert (newer.status, newer.version, late.status) == ("updated", 2, "unchanged")
    stored = db.session.scalar(select(Note)).fields
    assert stored == {"did": "v2", "observed_at": stored["observed_at"]}


def observed(result) -> datetime:  # type: ignore[no-untyped-def]
    return db.session.get(Note, result.id).observed_at


def test_a_note_is_stamped_with_when_it_was_observed(field):
    person, slot = field
    during = slot.starts_at + timedelta(minutes=20)
    [now] = sync(db.session, [item(slot, updated=during.isoformat())], user=person)
    assert observed(now) == during  # saved during the slot: when the phone saved it
    later = (slot.ends_at + timedelta(days=1)).isoformat()
    [afterwards] = sync(db.session, [item(slot, updated=later)], user=person)
    assert observed(afterwards) == slot.starts_at  # written up later: the slot's time
    local = slot.starts_at.astimezone(ZoneInfo(TZ)).replace(tzinfo=None) + timedelta(minutes=5)
    typed = {"did": "Looked for a ramp", "observed_at": local.isoformat()}
    [naive] = sync(db.session, [item(slot, fields=typed)], user=person)
    assert observed(naive) == slot.starts_at + timedelta(minutes=5)  # the programme's zone
    offset = {"did": "x", "observed_at": "2031-05-01T10:00:00+05:00"}
    [aware] = sync(db.session, [item(slot, fields=offset)], user=person)
    assert observed(aware) == datetime(2031, 5, 1, 5, 0, tzinfo=UTC)
    # An edit without the time keeps it; one with a time changes it.
    edit = item(slot, fields={"did": "changed"}, updated="2031-01-01T00:00:00+00:00")
    [kept] = sync(db.session, [{**edit, "client_id": naive.client_id}], user=person)
    assert kept.status == "updated" and observed(kept) == observed(naive)


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59+14:00", "1999-12-31T23:00:00+00:00", "tomorrow", 1700000000]
)
def test_a_time_out_of_range_or_not_a_time_is_refused(field, value):
    person, slot = field
    [result] = sync(db.session, [item(slot, fields={"observed_at": value})], user=person)
    assert result.status == "rejected" and "observed_at" in result.errors
    assert count_notes() == 0


def test_an_edit_in_place_keeps_or_changes_the_time(field):
    person, slot = field
    [stored] = sync(db.session, [item(slot)], user=person)
    note = db.session.get(Note, stored.id)
    first = note.observed_at
    update_note(db.session, note, {"did": "more"}, base_version=1, user=person)
    assert note.observed_at == first
    local = (slot.starts_at + timedelta(hours=1)).astimezone(ZoneInfo(TZ)).replace(tzinfo=None)
    update_note(db.session, note, {"observed_at": local.isoformat()}, base_version=2, user=person)
    assert note.observed_at == slot.starts_at + timedelta(hours=1)


def test_bad_items_are_rejected_and_good_ones_kept(field):
    person, slot = field
    results = sync(
        db.session,
        [
            item(slot),
            {
                "client_id": "not-a-uuid",
                "type": "observation",
                "activity_id": slot.id,
                "fields": {},
            },
            item(slot, kind="poem"),
            item(slot, fields={"said": ["x" * 1001]}),
            item(slot, fields={"said": ["q"] * 10_000}),
            item(slot, fields={"mood": 9}),
            item(slot, fields={"favourite_colour": "blue"}),
            item(slot, updated="yesterday"),
            {**item(slot), "activity_id": 99999},
            "not even an object",
            item(
                slot,
                kind="call_note",
                fields={"moments": [{"at": 12, "what": "Greets", "words": "Hi"}], "effort": 3},
            ),
        ],
        user=person,
    )
    assert [r.status for r in results] == ["created"] + ["rejected"] * 9 + ["created"]
    assert results[3].errors == {"said": "is too long (1001 characters; at most 1000)"}
    assert "at most 50" in results[4].errors["said"]
    assert count_notes() == 2


def test_new_notes_go_in_together_whatever_their_number(field, count_queries):
    person, slot = field

    def inserts(n: int) -> int:
        batch = [item(slot, fields={"did": f"Note {i}"}) for i in range(n)]
        with count_queries() as statements:
            results = sync(db.session, batch, user=person)
        assert [r.status for r in results] == ["created"] * n
        stored = {n.client_id: n.fields["did"] for n in db.session.scalars(select(Note))}
        assert [stored[r.client_id] for r in results] == [f"Note {i}" for i in range(n)]
        return sum(s.lstrip().upper().startswith("INSERT") for s in statements)

    assert inserts(5) == inserts(40) == 1
    assert count_notes() == 45


def test_the_same_note_twice_in_one_batch_is_created_then_updated(field):
    person, slot = field
    client_id = str(uuid.uuid4())
    first = item(slot, client_id=client_id, fields={"did": "v1"})
    edit = item(
        slot, client_id=client_id, fields={"did": "v2"}, updated="2030-01-01T10:05:00+00:00"
    )
    results = sync(db.session, [first, item(slot), edit], user=person)
    assert [r.status for r in results] == ["created", "created", "updated"]
    assert results[0].id == results[2].id and count_notes() == 2
    assert db.session.get_one(Note, results[0].id).fields["did"] == "v2"


def test_a_note_another_upload_stored_meanwhile_is_not_stored_twice(field, monkeypatch):
    """Two phones sending one batch at once: the other one's insert lands between our look-up
    and our insert. Ours then goes one note at a time and finds it."""
    from app.capture import sync as module

    person, slot = field
    batch = [item(slot) for _ in range(3)]
    looked_up = module._fresh

    def other_upload_lands(*args, **kwargs):  # type: ignore[no-untyped-def]
        fresh = looked_up(*args, **kwargs)
        module.save_item(db.session, batch[1], user=person)  # as the other request would
        return fresh

    monkeypatch.setattr(module, "_fresh", other_upload_lands)
    results = sync(db.session, batch, user=person)
    assert [r.status for r in results] == ["created", "unchanged", "created"]
    assert count_notes() == 3


def test_only_people_on_the_slot_with_the_briefing_done_can_send_notes(field):
    _, slot = field
    stranger = make_user()
    [refused] = sync(db.session, [item(slot)], user=stranger)
    assert refused.errors == {"activity_id": "You do not have a confirmed place on this slot."}
    unbriefed = make_user()
    sign_up(db.session, slot, user=unbriefed)
    [refused] = sync(db.session, [item(slot)], user=unbriefed)
    assert "acknowledge the briefing pack" in refused.errors["briefing"]
    save_pack(
        db.session, slot.programme, body="Optional", required=False, by=slot.programme.organisers[0]
    )
    assert sync(db.session, [item(slot)], user=unbriefed)[0].status == "created"


def test_someone_elses_client_id_is_refused(field):
    person, slot = field
    note = item(slot)
    sync(db.session, [note], user=person)
    other = make_user()
    sign_up(db.session, slot, user=other)
    acknowledge(db.session, slot.programme, user=other)
    [refused] = sync(
        db.session,
        [{**note, "updated_at": "2031-01-01T00:00:00+00:00", "fields": {"did": "hijack"}}],
        user=other,
    )
    assert refused.status == "rejected" and "someone else" in refused.errors["client_id"]


def test_edit_names_its_base_version_and_stale_edits_are_refused(field):
    person, slot = field
    [saved] = sync(db.session, [item(slot, fields={"did": "first"})], user=person)
    note = get_note(db.session, saved.id, user=person)
    first_seen = note.fields["observed_at"]
    update_note(db.session, note, {"did": "second"}, base_version=1, user=person)
    with pytest.raises(Conflict, match="changed since you opened it"):
        update_note(db.session, note, {"did": "third"}, base_version=1, user=person)
    assert note.fields == {"did": "second", "observed_at": first_seen} and note.version == 2


def test_contact_details_show_to_the_author_and_are_redacted_for_others(field):
    person, slot = field
    [saved] = sync(
        db.session,
        [
            item(
                slot,
                fields={
                    "said": ["Email me at jo@example.com", "or ring 07911 123456"],
                    "did": "Paid",
                },
            )
        ],
        user=person,
    )
    note = get_note(db.session, saved.id, user=person)
    mine = note_json(note, viewer=person)
    assert mine["fields"]["said"][0] == "Email me at jo@example.com"
    assert mine["contacts_found"] == ["email", "phone"]
    shared = note_json(note, viewer=make_user())
    assert shared["fields"]["said"] == [
        "Email me at [email removed]",
        "or ring [phone number removed]",
    ]
    with pytest.raises(NotFound):
        get_note(db.session, saved.id, user=make_user())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(
        st.lists(
            st.tuples(
                st.integers(0, 3),
                st.integers(0, 5),
                st.text(max_size=30).filter(lambda t: "\x00" not in t),
            ),
            max_size=5,
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_replaying_any_sequence_of_batches_stores_the_same_notes(field, batches):
    """Send the batches, then send them all again in the same order: nothing changes."""
    person, slot = field
    db.session.execute(Note.__table__.delete())
    ids = [str(uuid.UUID(int=n + 1)) for n in range(4)]
    items = [
        [
            item(
                slot,
                client_id=ids[c],
                fields={"did": text},
                updated=f"2030-01-01T10:0{minute}:00+00:00",
            )
            for c, minute, text in batch
        ]
        for batch in batches
    ]
    for batch in items:
        sync(db.session, batch, user=person)
    first = {n.client_id: (n.fields, n.version) for n in db.session.scalars(select(Note))}
    for batch in items:
        assert all(r.status == "unchanged" for r in sync(db.session, batch, user=person))
    again = {n.client_id: (n.fields, n.version) for n in db.session.scalars(select(Note))}
    assert again == first and len(first) == len({c for b in batches for c, _, _ in b})


def _stored(note_id: int) -> tuple[dict, list[str]]:  # type: ignore[type-arg]
    """The note's shared copy as the database holds it (what the board and the PDF read)."""
    db.session.expire_all()
    note = db.session.get_one(Note, note_id)
    return note.shared_fields, note.contacts_found


def test_the_shared_copy_is_stored_when_saved_and_follows_every_edit(field):
    person, slot = field
    client_id = str(uuid.uuid4())
    first = {"did": "Paid", "said": ["Email me at jo@example.com"]}
    [saved] = sync(db.session, [item(slot, client_id=client_id, fields=first)], user=person)
    shared, kinds = _stored(saved.id)
    assert shared["said"] == ["Email me at [email removed]"] and kinds == ["email"]
    assert shared["did"] == "Paid" and shared["observed_at"]
    # An edit from the phone.
    edit = {"did": "Ring 07911 123456", "said": ["Fine"]}
    later = "2030-01-01T11:00:00+00:00"
    sync(db.session, [item(slot, client_id=client_id, fields=edit, updated=later)], user=person)
    shared, kinds = _stored(saved.id)
    assert (shared["did"], shared["said"], kinds) == (
        "Ring [phone number removed]",
        ["Fine"],
        ["phone"],
    )
    # An edit on the page; a resend of an old copy changes nothing.
    note = db.session.get_one(Note, saved.id)
    update_note(db.session, note, {"did": "Nothing private"}, base_version=2, user=person)
    old = "2026-01-01T10:00:00+00:00"
    sync(db.session, [item(slot, client_id=client_id, fields=first, updated=old)], user=person)
    shared, kinds = _stored(saved.id)
    assert shared == {"did": "Nothing private", "observed_at": shared["observed_at"]}
    assert kinds == []


def test_fields_changed_but_not_yet_saved_are_shared_redacted_all_the_same(field):
    person, slot = field
    [saved] = sync(db.session, [item(slot, fields={"did": "Paid"})], user=person)
    note = db.session.get_one(Note, saved.id)
    note.fields = {"did": "Card 4111 1111 1111 1111"}
    other = note_json(note, viewer=make_user())
    assert other["fields"]["did"] == "Card [card number removed]"
    assert other["contacts_found"] == ["card"]
    db.session.rollback()


def test_the_form_offers_the_programmes_most_used_tags(field):
    person, slot = field
    tagged = [["price", "shelf"], ["price"], [], ["queue", "price", "shelf"]]
    sync(db.session, [item(slot, fields={"did": "x", "tags": t}) for t in tagged], user=person)
    assert programme_tags(db.session, slot.programme_id, most=2) == ["price", "shelf"]
    assert programme_tags(db.session, slot.programme_id) == ["price", "queue", "shelf"]
