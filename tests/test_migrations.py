"""Migrations: one head; upgrade builds exactly the models' schema; downgrade removes it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from app.capture.models import Note
from app.extensions import db, migrate
from app.insights.fulltext import in_models


@pytest.fixture
def empty_database(app) -> Iterator[None]:  # type: ignore[no-untyped-def]
    db.drop_all()
    yield
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.drop_all()
    db.create_all()


def test_there_is_one_head(app):
    config = migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_matches_models_then_downgrade_removes_everything(app, empty_database):
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": in_models}
        )
        assert compare_metadata(context, db.metadata) == []
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


PROGRAMME_ROW = {
    "id": 1,
    "title": "P",
    "purpose": "",
    "customer_question": "",
    "starts_on": "2030-01-01",
    "ends_on": "2030-01-02",
    "timezone": "UTC",
    "signup_opens_at": "2029-12-01 00:00:00",
    "signup_closes_at": "2029-12-31 00:00:00",
    "status": "draft",
    "created_at": "2029-11-01 00:00:00",
    "updated_at": "2029-11-01 00:00:00",
}
ACTIVITY_ROW = {
    "id": 1,
    "programme_id": 1,
    "kind": "call_listening",
    "title": "A",
    "location": "x",
    "online_url": "",
    "starts_at": "2030-01-01 09:00:00",
    "ends_at": "2030-01-01 10:00:00",
    "capacity": 2,
    "seats_taken": 0,
    "host": "",
    "what_to_bring": "",
    "notes": "",
    "created_at": "2029-11-01 00:00:00",
}


DEBRIEF_ROW = {
    "id": 1,
    "programme_id": 1,
    "title": "Debrief",
    "starts_at": "2030-01-03 09:00:00",
    "location": "Room 1",
    "online_url": "",
    "status": "published",
    "version": 3,
    "votes_per_person": 5,
    "created_at": "2030-01-02 09:00:00",
    "published_at": "2030-01-03 12:00:00",
}
INSIGHT_ROW = {
    "id": 1,
    "debrief_id": 1,
    "statement": "Unit prices are hidden",
    "so_what": "",
    "changed_in": 2,
}


def _insert(conn, table: str, row: dict) -> None:  # type: ignore[no-untyped-def]
    columns = ", ".join(row)
    values = ", ".join(f":{k}" for k in row)
    conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row)


def test_existing_slots_get_check_in_codes_on_upgrade(app, empty_database):
    upgrade(revision="99fa827f27d8")
    with db.engine.begin() as conn:
        _insert(conn, "programmes", PROGRAMME_ROW)
        _insert(conn, "activities", ACTIVITY_ROW)
    upgrade()
    with db.engine.connect() as conn:
        code = conn.execute(text("SELECT checkin_code FROM activities WHERE id = 1")).scalar_one()
    assert code is not None and len(code) == 6


def test_debriefs_published_before_the_library_enter_it_on_upgrade(app, empty_database):
    upgrade(revision="04839a78ef9f")
    with db.engine.begin() as conn:
        _insert(conn, "programmes", PROGRAMME_ROW)
        _insert(conn, "activities", {**ACTIVITY_ROW, "checkin_code": "ABC234"})
        _insert(conn, "debriefs", DEBRIEF_ROW)
        conn.execute(text("INSERT INTO debrief_activities VALUES (1, 1)"))
        _insert(conn, "insights", INSIGHT_ROW)
    upgrade()
    from app.insights.search import Filters, search

    result = search(db.session, Filters(q="hidden unit prices"))
    assert [g.lead.doc.insight_id for g in result.groups] == [1]
    db.session.remove()
    with db.engine.begin() as conn:  # the library's documents go by a cascade: a trigger sees it
        before = conn.scalar(text("SELECT generation FROM library_state"))
        conn.execute(text("DELETE FROM programmes"))
        assert conn.scalar(text("SELECT count(*) FROM library_docs")) == 0
        assert conn.scalar(text("SELECT generation FROM library_state")) > before


def test_library_facets_become_keys_and_vectors_stay_on_upgrade(app, empty_database):
    upgrade(revision="7d3e2a91c4b5")
    with db.engine.begin() as conn:
        _insert(conn, "programmes", PROGRAMME_ROW)
        _insert(conn, "debriefs", DEBRIEF_ROW)
        _insert(conn, "insights", INSIGHT_ROW)
        _insert(
            conn,
            "library_docs",
            {
                "id": 7,
                "kind": "insight",
                "debrief_id": 1,
                "programme_id": 1,
                "insight_id": 1,
                "title": "Unit prices are hidden",
                "body": "",
                "happened_on": "2030-01-03",
                "published_at": "2030-01-03 12:00:00",
            },
        )
        for facet, value in (("programme", "1"), ("channel", "call centre")):
            _insert(conn, "library_facets", {"doc_id": 7, "facet": facet, "value": value})
        _insert(conn, "library_vectors", {"doc_id": 7, "model": "m", "vector": b"\0" * 8})
    upgrade()
    from app.insights.search import Filters, search

    narrowed = search(db.session, Filters(q="prices", picked={"channel": "call centre"}))
    assert [g.lead.doc.id for g in narrowed.groups] == [7]
    assert search(db.session, Filters(q="prices", picked={"channel": "store"})).groups == []
    db.session.remove()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM library_vectors")).scalar_one() == 1


def test_contact_details_typed_on_boards_are_removed_on_upgrade(app, empty_database):
    upgrade(revision="a4c7e19b2d60")
    with db.engine.begin() as conn:
        _insert(conn, "programmes", PROGRAMME_ROW)
        _insert(conn, "debriefs", {**DEBRIEF_ROW, "title": "Debrief, ask jo@example.com"})
        _insert(conn, "insights", {**INSIGHT_ROW, "so_what": "Ring 020 7946 0958 to hear more"})
        _insert(conn, "insights", {**INSIGHT_ROW, "id": 2, "statement": "Nothing private"})
        _insert(
            conn,
            "themes",
            {"id": 1, "debrief_id": 1, "name": "Owner (415) 555-2671", "description": "",
             "position": 1, "changed_in": 1},
        )  # fmt: skip
        _insert(
            conn,
            "actions",
            {"id": 1, "debrief_id": 1, "what": "Refund card 4111 1111 1111 1111",
             "owner": "sam@example.com", "status": "open", "changed_in": 1},
        )  # fmt: skip
        doc = {"kind": "insight", "debrief_id": 1, "programme_id": 1, "body": "",
               "happened_on": "2030-01-03", "published_at": "2030-01-03 12:00:00"}  # fmt: skip
        _insert(conn, "library_docs", {**doc, "id": 7, "insight_id": 1, "title": "Unit prices"})
        _insert(conn, "library_docs", {**doc, "id": 8, "insight_id": 2, "title": "Nothing"})
        for doc_id in (7, 8):
            _insert(conn, "library_vectors", {"doc_id": doc_id, "model": "m", "vector": b"\0"})
        _insert(
            conn,
            "reports",
            {"id": 1, "debrief_id": 1, "board_version": 3, "paper": "a4", "status": "done",
             "error": "", "created_at": "2030-01-03 12:00:00"},
        )  # fmt: skip
    upgrade()
    with db.engine.connect() as conn:

        def one(sql: str) -> object:
            return conn.execute(text(sql)).one()

        assert one("SELECT title, version FROM debriefs") == ("Debrief, ask [email removed]", 4)
        assert one("SELECT so_what FROM insights WHERE id = 1") == (
            "Ring [phone number removed] to hear more",
        )
        assert one("SELECT name FROM themes") == ("Owner [phone number removed]",)
        assert one("SELECT what, owner FROM actions") == (
            "Refund card [card number removed]",
            "[email removed]",
        )
        assert one("SELECT body FROM library_docs WHERE id = 7") == (
            "Ring [phone number removed] to hear more",
        )
        assert one("SELECT title FROM library_docs WHERE id = 8") == ("Nothing",)
        # The changed insight's vector goes (made again from its new words); the other stays.
        assert conn.execute(text("SELECT doc_id FROM library_vectors")).scalars().all() == [8]
        assert one("SELECT count(*) FROM reports") == (0,)


def test_adding_the_loop_keeps_every_row_that_refers_to_actions_and_programmes(app, empty_database):
    """SQLite copies a table to add a column; the rows referring to it (ON DELETE CASCADE)
    must still be there afterwards, and down again."""
    upgrade(revision="c3d9a7e1f254")
    with db.engine.begin() as conn:
        _insert(conn, "programmes", PROGRAMME_ROW)
        _insert(conn, "activities", {**ACTIVITY_ROW, "checkin_code": "ABC234"})
        _insert(conn, "debriefs", DEBRIEF_ROW)
        _insert(
            conn,
            "actions",
            {"id": 1, "debrief_id": 1, "what": "Show unit prices", "owner": "Design",
             "status": "doing", "changed_in": 1},
        )  # fmt: skip
        _insert(
            conn,
            "action_progress",
            {"id": 1, "action_id": 1, "status": "doing", "note": "Started",
             "created_at": "2030-01-04 09:00:00"},
        )  # fmt: skip
    counts = "SELECT (SELECT count(*) FROM activities), (SELECT count(*) FROM debriefs), "
    counts += "(SELECT count(*) FROM action_progress)"
    upgrade()
    with db.engine.connect() as conn:
        assert tuple(conn.execute(text(counts)).one()) == (1, 1, 1)
        assert conn.execute(text("SELECT insight_id FROM actions")).scalar_one() is None
    downgrade(revision="c3d9a7e1f254")
    with db.engine.connect() as conn:
        assert tuple(conn.execute(text(counts)).one()) == (1, 1, 1)


def test_notes_get_their_shared_copy_on_upgrade(app, empty_database):
    upgrade(revision="c3d9a7e1f254")
    call = {"reason": "Card 4111 1111 1111 1111 lost", "moments": [
        {"at": 5, "what": "Gave jo@example.com", "words": "Ring 020 7946 0958"}]}  # fmt: skip
    with db.engine.begin() as conn:
        _insert(conn, "programmes", PROGRAMME_ROW)
        _insert(conn, "activities", {**ACTIVITY_ROW, "checkin_code": "ABC234"})
        _insert(conn, "users", {"id": 1, "email": "a@b.example", "name": "A", "department": "",
                                "active": True, "created_at": "2029-11-01 00:00:00"})  # fmt: skip
        note = {"author_id": 1, "activity_id": 1, "version": 1,
                "client_updated_at": "2030-01-01 09:30:00", "created_at": "2030-01-01 09:30:00",
                "updated_at": "2030-01-01 09:30:00"}  # fmt: skip
        for n, (kind, fields) in enumerate(
            [("observation", {"did": "Nothing private", "mood": 3}), ("call_note", call)]
        ):
            _insert(
                conn,
                "notes",
                {
                    **note,
                    "id": n + 1,
                    "client_id": f"c{n}",
                    "type": kind,
                    "fields": json.dumps(fields),
                },
            )
    upgrade()
    rows = dict(db.session.execute(select(Note.id, Note)).all())
    assert (rows[1].shared_fields, rows[1].contacts_found) == (rows[1].fields, [])
    assert rows[2].shared_fields == {
        "reason": "Card [card number removed] lost",
        "moments": [
            {"at": 5, "what": "Gave [email removed]", "words": "Ring [phone number removed]"}
        ],
    }
    assert rows[2].contacts_found == ["card", "email", "phone"]
    db.session.remove()
