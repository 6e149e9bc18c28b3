"""The library's search on the database in use: words, phrases, exclusions, facets, grouping."""

from __future__ import annotations

import pytest

from app.debriefs.models import insight_evidence
from app.errors import DomainError
from app.extensions import db
from app.insights import meaning
from app.insights import search as search_module
from app.insights.index import index_debrief
from app.insights.models import LibraryDoc, facet_key, facet_of_key
from app.insights.query import parse
from app.insights.search import Filters, read_filters, search
from app.kept import Kept
from tests.insights.conftest import Library


@pytest.fixture(autouse=True)
def _words_only(monkeypatch):  # type: ignore[no-untyped-def]
    """These tests are about full text; meaning has tests of its own."""
    monkeypatch.setattr(meaning, "current", lambda session: None)


def statements(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [g.lead.doc.title for g in result.groups]


def test_only_published_debriefs_enter_the_library(library: Library, fieldwork):  # type: ignore[no-untyped-def]
    open_one = fieldwork.open_debrief(title="Still open")
    assert open_one.status == "open"
    kinds = {(d.kind, d.debrief_id) for d in db.session.query(LibraryDoc)}
    assert {d for _, d in kinds} == {library.first.id, library.later.id}
    assert ("insight", library.first.id) in kinds and ("note", library.first.id) in kinds


def test_empty_search_lists_newest_insights(library: Library):
    result = search(db.session, Filters())
    assert statements(result)[0] == "People could not tell which pack was better value"
    assert {g.lead.doc.kind for g in result.groups} == {"insight"}
    assert result.total == 3


def test_words_find_insight_first_with_matching_evidence_under_it(library: Library):
    result = search(db.session, Filters(q="dearer"))
    [group] = result.groups
    assert group.lead.doc.insight_id == library.prices.id
    assert "dearer" in str(group.evidence[0].snippet)
    assert "<mark>dearer</mark>" in str(group.evidence[0].snippet)


def test_stemming_and_accents_fold(library: Library):
    assert statements(search(db.session, Filters(q="comparing")))[0].startswith("Customers cannot")
    assert search(db.session, Filters(q="kílo")).total >= 1


def test_phrase_exclusion_and_or(library: Library):
    assert search(db.session, Filters(q='"prices per kilo"')).total >= 1
    assert search(db.session, Filters(q='"kilo per prices"')).total == 0
    both = statements(search(db.session, Filters(q="stairs OR value")))
    assert "Older shoppers struggle with stairs" in both
    assert "People could not tell which pack was better value" in both
    for q in ("stairs OR value -pack", "value OR stairs -pack"):  # the word left out: either way
        without = statements(search(db.session, Filters(q=q)))
        assert "People could not tell which pack was better value" not in without
        assert "Older shoppers struggle with stairs" in without


def test_facets_count_and_narrow(library: Library):
    result = search(db.session, Filters(q="price"))
    channels = {v.value: v.count for v in result.facets["channel"]}
    assert channels["web"] >= 1 and channels["store"] >= 1
    narrowed = search(db.session, Filters(q="price", picked={"channel": "web"}))
    assert {g.lead.doc.programme_id for g in narrowed.groups} == {library.later.programme_id}
    assert {v.value for v in narrowed.facets["channel"]} == {"web"}
    assert narrowed.total < result.total
    two = search(db.session, Filters(q="price", picked={"channel": "web", "department": "Sales"}))
    assert two.total == 0


def test_facets_of_many_matches_are_counted_among_the_best(library: Library, monkeypatch):  # type: ignore[no-untyped-def]
    everything = search(db.session, Filters(q="price"))
    monkeypatch.setattr(search_module, "MAX_HITS", 2)
    monkeypatch.setattr(search_module, "_results", Kept(8))  # kept with the whole sample
    monkeypatch.setattr(meaning, "current", lambda session: None)  # words alone: 2 documents
    sampled = search(db.session, Filters(q="price"))
    assert everything.documents > 2 and not everything.more
    assert (sampled.documents, sampled.more) == (2, True)
    assert sampled.total == len(sampled.groups) <= 2
    # Each result is of one programme.
    assert sum(v.count for v in sampled.facets["programme"]) == sampled.total


def test_a_facet_value_counts_the_results_picking_it_shows(library: Library):
    result = search(db.session, Filters(q="price"))
    assert result.total < result.documents  # evidence is grouped under its insight
    for name, values in result.facets.items():
        for value in values:
            narrowed = search(db.session, Filters(q="price", picked={name: value.value}))
            assert narrowed.total == value.count, (name, value.value)


def test_facet_values_read_back_from_their_keys():
    for facet, value in (("tag", "prix réduit 😀"), ("customer", "a:b"), ("programme", "12")):
        assert facet_of_key(facet_key(facet, value)) == (facet, value)
        assert facet_key(facet, value)[1:].isdecimal()  # no tokenizer or stemmer changes it


def test_department_customer_and_tag_facets(library: Library):
    result = search(db.session, Filters())
    departments = {v.value for v in result.facets["department"]}
    assert {"Digital", "Sales"} <= departments
    customers = {v.value for v in result.facets["customer"]}
    assert "woman" in customers and "the" not in customers
    tagged = search(db.session, Filters(picked={"tag": "access"}))
    assert statements(tagged) == ["Older shoppers struggle with stairs"]


def test_contact_details_are_redacted_in_the_library(library: Library):
    bodies = " ".join(d.body for d in db.session.query(LibraryDoc))
    assert "07700" not in bodies and "gran@example.org" not in bodies
    assert "[email removed]" in bodies and "[phone number removed]" in bodies
    assert search(db.session, Filters(q="gran")).total == 0


def test_date_range(library: Library):
    day = library.first.starts_at.date()
    assert search(db.session, Filters(date_from=day.replace(year=day.year + 1))).total == 0
    assert search(db.session, Filters(date_to=day.replace(year=day.year + 1))).total == 3


def test_reindexing_is_idempotent_and_follows_deletion(library: Library):
    before = db.session.query(LibraryDoc).count()
    index_debrief(db.session, library.first)
    db.session.commit()
    assert db.session.query(LibraryDoc).count() == before
    author = library.field.people[0]
    db.session.delete(author)  # a person's data deleted: their notes leave the library
    db.session.commit()
    assert search(db.session, Filters(q="dearer")).total == 0


def _doc(**by: int) -> LibraryDoc:
    return db.session.query(LibraryDoc).filter_by(**by).one()


def test_a_note_behind_two_insights_goes_under_the_one_shown_first(library: Library):
    note = library.field.notes[0]  # "dearer", evidence of the prices insight
    db.session.execute(
        insight_evidence.insert().values(insight_id=library.stairs.id, note_id=note.id)
    )
    index_debrief(db.session, library.first)
    db.session.commit()
    prices, stairs = _doc(insight_id=library.prices.id), _doc(insight_id=library.stairs.id)
    note_doc = _doc(note_id=note.id)
    assert prices.id < stairs.id
    [group] = search(db.session, Filters(q="dearer")).groups  # neither shown: the first indexed
    assert (group.lead.doc.id, [e.doc.id for e in group.evidence]) == (prices.id, [note_doc.id])
    groups = search(db.session, Filters(q="dearer OR stairs")).groups
    under = {g.lead.doc.id: [e.doc.id for e in g.evidence] for g in groups}
    assert note_doc.id in under[stairs.id] and prices.id not in under


def test_an_insight_with_a_word_left_out_does_not_head_its_evidence(library: Library):
    note_doc = _doc(note_id=library.field.notes[0].id)
    assert "kilo" in _doc(insight_id=library.prices.id).title  # "…compare prices per kilo"
    groups = search(db.session, Filters(q="dearer -kilo")).groups
    assert [(g.lead.doc.id, g.evidence) for g in groups] == [(note_doc.id, [])]


def test_an_insight_outside_the_dates_does_not_head_evidence_within_them(library: Library):
    note_doc = _doc(note_id=library.field.notes[0].id)
    insight_doc = _doc(insight_id=library.prices.id)
    assert insight_doc.happened_on < note_doc.happened_on  # the fixture publishes first
    groups = search(db.session, Filters(q="dearer", date_from=note_doc.happened_on)).groups
    assert [(g.lead.doc.id, g.evidence) for g in groups] == [(note_doc.id, [])]
    groups = search(db.session, Filters(q="dearer", date_from=insight_doc.happened_on)).groups
    assert [g.lead.doc.id for g in groups] == [insight_doc.id]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unbalanced phrase',
        "*",
        "price*",
        "NEAR(price value)",
        "title:price",
        "body : value",
        "AND OR NOT",
        "'; DROP TABLE library_docs; --",
        "1=1 OR 1=1",
        "^price",
        "(price",
        "price)",
        "{price}",
        "-",
        "OR",
        "- - -",
        "price -",
        "\u00e9\u0301",
        "💬 price",
    ],
)
def test_hostile_queries_answer_a_result(library: Library, query: str):
    result = search(db.session, read_filters({"q": query}))
    assert result.total >= 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"q": "price\x00"}, "NUL"),
        ({"q": "price \ud800"}, "Unicode"),
        ({"q": "x" * 10_000}, "too long"),
        ({"q": "-price"}, "besides"),
        ({"page": "0"}, "page"),
        ({"page": "99999999999999999999"}, "page"),
        ({"from": "yesterday"}, "date"),
        ({"from": "9999-01-01"}, "2000"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "after"),
        ({"tag": "x" * 500}, "tag"),
        ({"channel": "web\x00"}, "channel"),
    ],
)
def test_bad_search_input_is_refused_with_a_message(library: Library, args, message):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as err:
        search(db.session, read_filters(args))
    assert message in err.value.message


def test_query_parser_renders_safe_expressions():
    q = parse('"unit price" per kilo OR gram -dear NEAR(')
    assert q.fts5() == '"unit price" "per" ("kilo" OR "gram") "near" NOT "dear"'
    assert q.websearch() == '"unit price" per kilo or gram near -dear'
    assert parse('say "it""s"').fts5() == '"say" "it" "s"'


def test_when_nothing_has_every_word_any_word_will_do(library: Library):
    result = search(db.session, Filters(q="stairs unicorn"))
    assert result.some_words
    assert statements(result) == ["Older shoppers struggle with stairs"]
    assert not search(db.session, Filters(q="older stairs")).some_words


def test_insights_rank_above_themes_and_notes_that_match_as_well(library: Library):
    result = search(db.session, Filters(q="prices"))
    assert result.groups[0].lead.doc.kind == "insight"
