"""An insight in the library: heard before (words and meaning), stars, links, withdrawing."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from app import create_app
from app.debriefs import board as ops
from app.errors import Conflict, DomainError, NotAllowed, NotFound
from app.extensions import db
from app.insights import embeddings, index, meaning, services
from app.insights.models import LibraryDoc, LibraryVector, Withdrawal, facet_key
from app.insights.search import Filters, search
from tests import conftest
from tests.insights.conftest import Library


def insights_found(words: str) -> list[int | None]:
    return [g.lead.doc.insight_id for g in search(db.session, Filters(q=words)).groups]


needs_model = pytest.mark.skipif(not embeddings.available(), reason="the model is not installed")


@needs_model
def test_publishing_makes_vectors_for_insights_and_notes(library: Library):
    docs = db.session.query(LibraryDoc).filter(LibraryDoc.kind != "theme").count()
    assert db.session.query(LibraryVector).count() == docs


@needs_model
def test_vectors_loaded_follow_the_library_without_reading_it_all_again(library: Library):
    def state(loaded):  # type: ignore[no-untyped-def]
        columns = (loaded.ids, loaded.insight, loaded.programme, loaded.day, loaded.head)
        return [c.tolist() for c in columns], loaded.facet_keys

    prices_doc = db.session.query(LibraryDoc).filter_by(insight_id=library.prices.id).one()
    value_doc = db.session.query(LibraryDoc).filter_by(insight_id=library.value.id).one()
    db.session.query(LibraryVector).filter_by(doc_id=prices_doc.id).delete()
    index.bump_generation(db.session)
    db.session.commit()
    first = meaning._vectors(db.session)
    assert first is not None and prices_doc.id not in first.ids.tolist()
    # A document goes (withdrawn), another's vector comes (made after publishing).
    services.withdraw(
        db.session, "insight", library.value.id, "Not ready", by=library.field.organiser
    )
    assert meaning.embed_missing(db.session) == 1
    db.session.commit()
    refreshed = meaning._vectors(db.session)
    assert refreshed is not None and refreshed is not first
    assert value_doc.id not in refreshed.ids.tolist()
    assert prices_doc.id in refreshed.ids.tolist()
    whole = meaning._refresh(db.session, refreshed.key, None)
    assert state(refreshed) == state(whole)
    # The same vectors (a kept row is normalised again, which may move its last bit).
    np.testing.assert_allclose(refreshed.index.matrix, whole.index.matrix, rtol=0, atol=1e-6)
    assert meaning._vectors(db.session) is refreshed  # nothing changed: nothing read


@needs_model
def test_a_process_loads_the_vectors_after_its_first_request(library: Library, monkeypatch):  # type: ignore[no-untyped-def]
    loads = []
    real_vectors = meaning._vectors
    monkeypatch.setattr(meaning, "_vectors", lambda s: loads.append(1) or real_vectors(s))
    db.session.commit()
    app = create_app(conftest.test_config(LIBRARY_WARM_UP=True))
    assert meaning._loaded is None
    client = app.test_client()
    for _ in range(3):
        assert client.get("/login").status_code == 200
    meaning._thread.submit(lambda: None).result(timeout=60)  # one worker: the warm-up is done
    assert loads == [1]  # once, not on every request
    assert meaning._loaded is not None
    assert meaning._loaded.key[1] == index.generation(db.session)
    assert len(meaning._loaded.ids) == db.session.query(LibraryVector).count()
    with app.app_context():
        db.engine.dispose()


@needs_model
def test_vectors_of_documents_made_again_are_read_again(library: Library):
    """Publishing again makes a debrief's documents anew; on SQLite they may get the ids of
    the ones they replace, and their new vectors must still replace the old."""
    first = meaning._vectors(db.session)
    assert first is not None
    library.value.statement = "Shoppers want trolleys that steer straight"
    index.index_debrief(db.session, library.later)
    index.bump_generation(db.session)
    assert meaning.embed_missing(db.session) > 0
    db.session.commit()
    refreshed = meaning._vectors(db.session)
    assert refreshed is not None
    whole = meaning._refresh(db.session, refreshed.key, None)
    assert refreshed.ids.tolist() == whole.ids.tolist()
    assert refreshed.facet_keys == whole.facet_keys
    # The same vectors (a kept row is normalised again, which may move its last bit).
    np.testing.assert_allclose(refreshed.index.matrix, whole.index.matrix, rtol=0, atol=1e-6)
    found = meaning.nearest_docs(refreshed, "trolleys that steer straight", k=1)
    value_doc = db.session.query(LibraryDoc).filter_by(insight_id=library.value.id).one()
    assert [n.doc_id for n in found] == [value_doc.id]


@needs_model
def test_meaning_looks_only_among_documents_with_the_facets_and_dates_picked(library: Library):
    docs = db.session.query(LibraryDoc).filter(LibraryDoc.kind != "theme").all()
    digital = facet_key("department", "Digital")
    assert 0 < sum(digital in d.facet_keys.split() for d in docs) < len(docs)
    loaded = meaning.current(db.session)
    assert loaded is not None
    found = meaning.nearest_docs(loaded, "prices per kilo", k=10, keys=[digital])
    by_id = {d.id: d for d in docs}
    assert found and all(digital in by_id[n.doc_id].facet_keys.split() for n in found)
    assert all(n.facet_keys == by_id[n.doc_id].facet_keys for n in found)
    latest = max(docs, key=lambda d: d.happened_on)
    day = latest.happened_on
    later = meaning.nearest_docs(loaded, latest.title, k=10, first=day)
    assert latest.id in [n.doc_id for n in later]
    assert all(by_id[n.doc_id].happened_on >= day for n in later)
    before = meaning.nearest_docs(loaded, latest.title, k=10, last=day - timedelta(days=1))
    assert latest.id not in [n.doc_id for n in before]
    after = meaning.nearest_docs(loaded, latest.title, first=day + timedelta(days=1))
    assert after == []
    nowhere = meaning.nearest_docs(loaded, "prices", keys=[facet_key("tag", "no such")])
    assert nowhere == []


def shown(result) -> list[LibraryDoc]:  # type: ignore[no-untyped-def]
    return [hit.doc for group in result.groups for hit in (group.lead, *group.evidence)]


@needs_model
def test_meaning_leaves_out_what_has_a_word_left_out(library: Library):
    result = search(db.session, Filters(q="which one is better value -pack"))
    assert result.meaning_used and shown(result)
    assert not [d.title for d in shown(result) if "pack" in f"{d.title} {d.body}".lower()]
    with_pack = search(db.session, Filters(q="which one is better value"))
    assert any("pack" in d.title for d in shown(with_pack))  # meaning finds it otherwise


@needs_model
def test_meaning_shows_nothing_deleted_since_its_vectors_were_loaded(library: Library):
    words = "Compared two boxes, put the big one back"
    before = shown(search(db.session, Filters(q=words)))
    gone = [d.id for d in before if d.note_id == library.field.notes[0].id]
    assert gone
    db.session.delete(library.field.people[0])  # their notes leave the library at once
    db.session.commit()
    after = search(db.session, Filters(q=words))
    assert after.meaning_used
    assert not {d.id for d in shown(after)} & set(gone)
    assert after.total == len(after.groups)  # every result counted is shown


@needs_model
def test_heard_before_finds_the_same_thing_in_other_words(library: Library):
    found = services.heard_before(
        db.session,
        "Customers can't compare prices per kilo",
        programme_id=library.first.programme_id,
    )
    assert [s.statement for s in found][:1] == [library.value.statement]
    assert found[0].programme == "Online shop week" and found[0].notes == 1


@needs_model
def test_search_by_meaning_finds_what_words_miss(library: Library):
    result = search(db.session, Filters(q="cheapest option unclear"))
    assert result.meaning_used
    assert library.value.statement in [g.lead.doc.title for g in result.groups]


@needs_model
def test_searching_the_same_words_again_does_not_embed_them_again(library: Library, monkeypatch):  # type: ignore[no-untyped-def]
    meaning.query_vector.cache_clear()
    embedded: list[list[str]] = []
    encode = embeddings.encode
    monkeypatch.setattr(embeddings, "encode", lambda texts: embedded.append(texts) or encode(texts))
    first = search(db.session, Filters(q="cheapest option unclear"))
    digital = {"department": "Digital"}
    again = search(db.session, Filters(q="cheapest option unclear", picked=digital))
    assert embedded == [["cheapest option unclear"]]
    assert first.meaning_used and again.meaning_used
    search(db.session, Filters(q="other words"))
    assert embedded[-1] == ["other words"]


def test_heard_before_by_words_without_the_model(library: Library, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(meaning, "current", lambda session: None)
    found = services.heard_before(
        db.session, "Which pack size is better value?", programme_id=library.first.programme_id
    )
    assert [s.insight_id for s in found] == [library.value.id]
    mine = services.heard_before(
        db.session, "Which pack size is better value?", programme_id=library.later.programme_id
    )
    assert mine == []


def test_insight_page_shows_evidence_actions_and_backing(library: Library):
    page = services.insight_page(db.session, library.prices.id, user=library.reader)
    assert page.programme.title == "Closeness week" and page.theme == "Prices"
    [card] = page.evidence
    assert "[phone number removed]" in " ".join(card.fields["said"])
    assert len(card.photos) == 1
    assert [a.what for a in page.actions] == ["Add unit prices to labels"]
    assert not page.starred and not page.withdrawable
    assert page.notes_backing >= 1 and page.programmes_backing >= 1


def test_only_library_insights_have_a_page(library: Library, fieldwork):  # type: ignore[no-untyped-def]
    debrief = fieldwork.open_debrief(title="Another")
    draft = ops.save_insight(
        db.session, debrief, {"statement": "Not yet published"}, user=fieldwork.facilitator
    )
    for insight_id in (draft.id, 0, -1, 2**40, "1"):
        with pytest.raises(NotFound):
            services.insight_page(db.session, insight_id, user=library.reader)  # type: ignore[arg-type]


def test_star_twice_then_unstar(library: Library):
    for _ in range(2):
        services.set_star(db.session, library.value.id, user=library.reader, on=True)
    services.set_star(db.session, library.prices.id, user=library.reader, on=True)
    assert [s.insight_id for s in services.starred(db.session, library.reader)] == [
        library.prices.id,
        library.value.id,
    ]
    services.set_star(db.session, library.value.id, user=library.reader, on=False)
    assert [s.insight_id for s in services.starred(db.session, library.reader)] == [
        library.prices.id
    ]
    with pytest.raises(NotFound):
        services.set_star(db.session, 999_999, user=library.reader, on=True)


def test_links_show_on_both_insights(library: Library, fieldwork):  # type: ignore[no-untyped-def]
    debrief = fieldwork.open_debrief(title="Next round")
    new = ops.save_insight(
        db.session,
        debrief,
        {"statement": "Shoppers guess the best deal"},
        user=fieldwork.facilitator,
    )
    # Same programme: refused; another programme: linked; unknown kind: refused.
    with pytest.raises(DomainError, match="other programmes"):
        services.set_link(db.session, new, library.prices.id, "confirms", by=fieldwork.facilitator)
    services.set_link(db.session, new, library.value.id, "confirms", by=fieldwork.facilitator)
    with pytest.raises(DomainError, match="confirms or contradicts"):
        services.set_link(db.session, new, library.value.id, "agrees", by=fieldwork.facilitator)
    with pytest.raises(NotAllowed):
        services.set_link(db.session, new, library.value.id, "confirms", by=library.reader)
    [linked] = services.links_of(db.session, new.id)
    assert (linked.insight_id, linked.link) == (library.value.id, "confirms")
    services.set_link(db.session, new, library.value.id, "", by=fieldwork.facilitator)
    assert services.links_of(db.session, new.id) == []


def test_withdrawing_takes_an_item_out_and_keeps_a_log(library: Library):
    organiser = library.field.organiser
    with pytest.raises(NotAllowed):
        services.withdraw(db.session, "insight", library.prices.id, "why", by=library.reader)
    with pytest.raises(DomainError, match="Reason"):
        services.withdraw(db.session, "insight", library.prices.id, "  ", by=organiser)
    with pytest.raises(DomainError, match="insight, a theme or a note"):
        services.withdraw(db.session, "photo", library.prices.id, "why", by=organiser)
    services.withdraw(
        db.session, "note", library.field.notes[0].id, "Names a colleague", by=organiser
    )
    services.withdraw(db.session, "insight", library.prices.id, "Not for sharing", by=organiser)
    db.session.commit()
    assert library.prices.id not in insights_found("kilo")
    assert search(db.session, Filters(q="dearer")).total == 0
    with pytest.raises(NotFound):
        services.insight_page(db.session, library.prices.id, user=library.reader)
    with pytest.raises(NotFound):
        services.withdraw(db.session, "insight", library.prices.id, "again", by=organiser)
    log = services.withdrawals(db.session, user=organiser)
    assert [w.reason for w, _ in log] == ["Not for sharing", "Names a colleague"]
    assert services.withdrawals(db.session, user=library.reader) == []
    # Publishing again (a re-index) keeps withdrawn items out.
    from app.insights.index import index_debrief

    index_debrief(db.session, library.first)
    assert library.prices.id not in insights_found("kilo")
    assert db.session.query(Withdrawal).count() == 2


def test_withdrawn_twice_is_a_conflict(library: Library):
    organiser = library.field.organiser
    services.withdraw(db.session, "theme", library.prices.theme_id, "Duplicate", by=organiser)
    from app.insights.index import index_debrief

    index_debrief(db.session, library.first)
    with pytest.raises((NotFound, Conflict)):
        services.withdraw(db.session, "theme", library.prices.theme_id, "again", by=organiser)


def test_cli_rebuilds_the_library_with_its_vectors(app, library: Library):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["library", "reindex"])
    assert result.exit_code == 0, result.output
    assert "The library holds 8 documents" in result.output  # 4 notes, 1 theme, 3 insights
    if embeddings.available():
        docs = db.session.query(LibraryDoc).filter(LibraryDoc.kind != "theme").count()
        assert db.session.query(LibraryVector).count() == docs
        assert "Made 0 vectors." in runner.invoke(args=["library", "embed"]).output
