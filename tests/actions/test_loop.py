"""The insight an action answers, closing the loop with the people who heard it, and carrying
an earlier programme's actions forward into a new briefing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.actions import carry, loop
from app.actions.models import CarriedAction, LoopNews
from app.actions.services import record_progress
from app.db import utcnow
from app.debriefs import board
from app.digests import send
from app.errors import DomainError
from app.extensions import db
from app.feeds.services import unread_count
from tests.digests.test_send import mails, parts
from tests.factories import make_programme, make_user


@pytest.fixture
def answered(actions):  # type: ignore[no-untyped-def]
    """The owner's action answers an insight backed by the notes of people 0 and 1."""
    field = actions.field
    insight = board.save_insight(
        db.session,
        actions.debrief,
        {"statement": "Unit prices are hidden", "evidence": [n.id for n in field.notes[:2]]},
        user=field.facilitator,
    )
    board.save_action(
        db.session,
        actions.debrief,
        {"insight_id": str(insight.id)},
        action_id=actions.mine.id,
        seen=actions.debrief.version,
        user=field.facilitator,
    )
    db.session.commit()
    actions.insight = insight
    return actions


def _news(user_id: int | None = None) -> list[tuple[int, int]]:
    rows = db.session.execute(db.select(LoopNews.user_id, LoopNews.action_id)).all()
    return sorted((u, a) for u, a in rows if user_id in (None, u))


def test_an_action_records_the_insight_it_answers(answered):
    assert answered.mine.insight_id == answered.insight.id


@pytest.mark.parametrize("bad", ["999999", "abc", "-1", 3.5, True])
def test_an_insight_of_another_debrief_or_nonsense_is_refused(answered, bad):
    field = answered.field
    other = field.open_debrief()
    foreign = board.save_insight(
        db.session, other, {"statement": "Elsewhere"}, user=field.facilitator
    )
    for value in (bad, str(foreign.id), foreign.id):
        with pytest.raises(DomainError, match="Pick an insight of this debrief"):
            board.save_action(
                db.session,
                answered.debrief,
                {"insight_id": value},
                action_id=answered.mine.id,
                seen=answered.debrief.version,
                user=field.facilitator,
            )
    db.session.rollback()
    assert answered.mine.insight_id == answered.insight.id


def test_board_form_and_api_refuse_a_foreign_insight_and_change_nothing(client, answered):
    field = answered.field
    other = field.open_debrief()
    foreign = board.save_insight(
        db.session, other, {"statement": "Elsewhere"}, user=field.facilitator
    )
    db.session.commit()
    client.sign_in(field.facilitator)
    url = f"/debriefs/{answered.debrief.id}/actions/{answered.mine.id}"
    page = client.form(
        url,
        {"insight_id": str(foreign.id), "version": answered.debrief.version},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Pick an insight of this debrief, or none." in page
    response = client.api(
        "PATCH",
        f"/api/v1{url}",
        {"insight_id": foreign.id, "version": answered.debrief.version},
    )
    assert response.status_code == 400
    assert "insight" in response.get_json()["error"]["message"]
    assert answered.mine.insight_id == answered.insight.id
    ok = client.api(
        "PATCH", f"/api/v1{url}", {"insight_id": None, "version": answered.debrief.version}
    )
    assert ok.status_code == 200 and ok.get_json()["insight_id"] is None


def test_done_tells_the_evidence_authors_once_with_the_last_note(answered):
    field, action = answered.field, answered.mine
    record_progress(db.session, action, status="doing", note="Tickets ordered", user=answered.owner)
    assert _news() == []
    record_progress(
        db.session, action, status="done", note="New tickets in 40 stores", user=answered.owner
    )
    record_progress(db.session, action, status="done", note="And online", user=answered.owner)
    assert _news() == [(field.people[0].id, action.id), (field.people[1].id, action.id)]
    found = loop.loop_news(db.session, [p.id for p in field.people])
    assert set(found) == {field.people[0].id, field.people[1].id}
    item = found[field.people[1].id][0]
    assert (item.what, item.insight, item.note, item.read) == (
        "Show the unit price",
        "Unit prices are hidden",
        "And online",
        False,
    )


def test_reopened_hides_the_news_and_done_again_tells_nobody_twice(answered):
    field, action = answered.field, answered.mine
    record_progress(db.session, action, status="done", note="", user=answered.owner)
    record_progress(
        db.session, action, status="open", note="Not in every store", user=answered.owner
    )
    assert loop.loop_news(db.session, [field.people[0].id]) == {}
    record_progress(db.session, action, status="done", note="Now everywhere", user=answered.owner)
    assert len(_news()) == 2
    assert (
        loop.loop_news(db.session, [field.people[0].id])[field.people[0].id][0].note
        == "Now everywhere"
    )


def test_done_on_the_board_closes_the_loop_too(answered):
    field = answered.field
    board.save_action(
        db.session,
        answered.debrief,
        {"status": "done"},
        action_id=answered.mine.id,
        seen=answered.debrief.version,
        user=field.facilitator,
    )
    assert len(_news()) == 2


def test_loop_news_since_keeps_only_newer_items(answered):
    record_progress(db.session, answered.mine, status="done", note="", user=answered.owner)
    ids = [p.id for p in answered.field.people]
    assert loop.loop_news(db.session, ids, since=utcnow() + timedelta(minutes=1)) == {}
    assert len(loop.loop_news(db.session, ids, since=utcnow() - timedelta(minutes=1))) == 2


def test_for_you_shows_the_news_counts_it_and_marks_it_read(client, answered):
    person = answered.field.people[0]
    before = unread_count(db.session, person)
    record_progress(
        db.session, answered.mine, status="done", note="Done in 40 stores", user=answered.owner
    )
    db.session.commit()
    assert unread_count(db.session, person) == before + 1
    client.sign_in(person)
    page = client.get("/for-you").get_data(as_text=True)
    assert "What came of what you heard" in page and "Done in 40 stores" in page
    news_id = db.session.scalar(db.select(LoopNews.id).where(LoopNews.user_id == person.id))
    other = db.session.scalar(db.select(LoopNews.id).where(LoopNews.user_id != person.id))
    assert client.form(f"/for-you/loop/{other}/read").status_code == 404
    client.form(f"/for-you/loop/{news_id}/read")
    assert unread_count(db.session, person) == before
    assert db.session.get(LoopNews, other).read_at is None


def test_the_feed_api_carries_the_news_and_marks_only_ones_own_read(client, answered):
    person = answered.field.people[1]
    record_progress(db.session, answered.mine, status="done", note="Live", user=answered.owner)
    client.sign_in(person)
    [item] = client.get("/api/v1/me/feed").get_json()["loop"]
    assert (item["what"], item["note"], item["insight"], item["unread"]) == (
        "Show the unit price",
        "Live",
        "Unit prices are hidden",
        True,
    )
    other = db.session.scalar(db.select(LoopNews.id).where(LoopNews.user_id != person.id))
    assert client.api("PUT", f"/api/v1/me/feed/loop/{other}/read").status_code == 404
    assert client.api("PUT", f"/api/v1/me/feed/loop/{item['id']}/read").status_code == 200
    assert client.get("/api/v1/me/feed").get_json()["loop"][0]["unread"] is False


def test_the_register_page_and_api_show_the_insight(client, answered):
    client.sign_in(answered.owner)
    assert "Answers: Unit prices are hidden" in client.get("/actions").get_data(as_text=True)
    rows = client.get("/api/v1/actions").get_json()["actions"]
    assert [r["insight"] for r in rows if r["id"] == answered.mine.id] == ["Unit prices are hidden"]


# Carry forward -------------------------------------------------------------------------------


@pytest.fixture
def follow_on(answered):  # type: ignore[no-untyped-def]
    organiser = answered.field.organiser
    later = make_programme(organiser, title="Closeness week, spring", days_ahead=40)
    carry.set_follows(db.session, later, str(answered.field.programme.id), by=organiser)
    db.session.commit()
    answered.later = later
    return answered


def test_a_programme_follows_on_and_shows_what_its_predecessors_left_open(follow_on):
    earlier = carry.earlier_open(db.session, follow_on.later, user=follow_on.field.organiser)
    assert [p.id for p in earlier.programmes] == [follow_on.field.programme.id]
    assert {a.id for a in earlier.actions} == {follow_on.mine.id, follow_on.team.id}
    record_progress(
        db.session, follow_on.team, status="done", note="", user=follow_on.field.organiser
    )
    earlier = carry.earlier_open(db.session, follow_on.later, user=follow_on.field.organiser)
    assert [a.id for a in earlier.actions] == [follow_on.mine.id]


def test_a_cycle_or_a_programme_one_does_not_organise_is_refused(follow_on):
    organiser = follow_on.field.organiser
    with pytest.raises(DomainError, match="already follows on from this programme"):
        carry.set_follows(db.session, follow_on.field.programme, follow_on.later.id, by=organiser)
    with pytest.raises(DomainError, match="already follows"):
        carry.set_follows(db.session, follow_on.later, follow_on.later.id, by=organiser)
    strangers = make_programme(make_user(Role.ORGANISER), title="Someone else's")
    for bad in (strangers.id, "999999", "x", -3):
        with pytest.raises(DomainError, match="Pick a programme you organise"):
            carry.set_follows(db.session, follow_on.later, bad, by=organiser)
    db.session.rollback()
    assert follow_on.later.follows_id == follow_on.field.programme.id


def test_a_co_organiser_keeps_what_another_chose_but_cannot_pick_what_they_do_not_organise(
    follow_on,
):
    from app.programmes.services import add_organiser

    co = make_user(Role.ORGANISER, name="Cora Co-organiser")
    add_organiser(db.session, follow_on.later, co, by=follow_on.field.organiser)
    choices = carry.follow_choices(db.session, follow_on.later, co)
    assert [p.id for p in choices] == [follow_on.field.programme.id]
    carry.set_follows(db.session, follow_on.later, str(follow_on.field.programme.id), by=co)
    other = make_programme(follow_on.field.organiser, title="Another", days_ahead=90)
    with pytest.raises(DomainError, match="Pick a programme you organise"):
        carry.set_follows(db.session, follow_on.later, other.id, by=co)


def _edit_data(programme, follows: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "title": programme.title,
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
        "timezone": programme.timezone,
        "signup_opens_at": "2020-01-01T09:00",
        "signup_closes_at": "2020-01-02T09:00",
        "follows_id": follows,
    }


def test_the_edit_form_refuses_a_cycle_and_saves_a_good_choice(client, follow_on):
    client.sign_in(follow_on.field.organiser)
    first, later = follow_on.field.programme, follow_on.later
    page = client.get(f"/programmes/{later.id}/edit").get_data(as_text=True)
    assert "Follows on from" in page and f'<option selected value="{first.id}">' in page
    response = client.form(f"/programmes/{first.id}/edit", _edit_data(first, str(later.id)))
    assert "already follows on from this programme" in response.get_data(as_text=True)
    assert first.follows_id is None
    client.form(f"/programmes/{later.id}/edit", _edit_data(later, ""))
    assert later.follows_id is None
    client.form(f"/programmes/{later.id}/edit", _edit_data(later, str(first.id)))
    assert later.follows_id == first.id


def test_carrying_is_idempotent_shows_in_the_briefing_and_can_be_undone(client, follow_on):
    later = follow_on.later
    client.sign_in(follow_on.field.organiser)
    for _ in range(2):
        client.form(f"/programmes/{later.id}/carried/{follow_on.mine.id}")
    assert db.session.scalars(db.select(CarriedAction.action_id)).all() == [follow_on.mine.id]
    page = client.get(f"/programmes/{later.id}").get_data(as_text=True)
    assert "Still open from earlier programmes" in page and "In the briefing" in page
    client.form("/logout")
    client.sign_in(follow_on.field.people[2])
    briefing = client.get(f"/programmes/{later.id}/briefing").get_data(as_text=True)
    assert "What we promised last time" in briefing
    assert (
        "Show the unit price" in briefing and "Because we heard: Unit prices are hidden" in briefing
    )
    client.form(f"/programmes/{later.id}/carried/{follow_on.mine.id}/remove")  # not theirs
    assert len(db.session.scalars(db.select(CarriedAction)).all()) == 1
    client.form("/logout")
    client.sign_in(follow_on.field.organiser)
    client.form(f"/programmes/{later.id}/carried/{follow_on.mine.id}/remove")
    assert db.session.scalars(db.select(CarriedAction)).all() == []


def test_carrying_an_unseen_or_unrelated_action_is_refused(client, follow_on):
    stranger = make_user(Role.ORGANISER, name="Sol Stranger")
    theirs = make_programme(stranger, title="Their week", days_ahead=60)
    theirs.follows_id = follow_on.field.programme.id  # as if set by an admin
    db.session.commit()
    client.sign_in(stranger)
    # The earlier debrief is open: its actions are not theirs to see.
    assert client.form(f"/programmes/{theirs.id}/carried/{follow_on.mine.id}").status_code == 404
    client.form("/logout")
    client.sign_in(follow_on.field.organiser)
    unrelated = make_programme(follow_on.field.organiser, title="Unrelated", days_ahead=80)
    db.session.commit()
    page = client.form(
        f"/programmes/{unrelated.id}/carried/{follow_on.mine.id}", follow_redirects=True
    ).get_data(as_text=True)
    assert "Only actions of the programmes this one follows on from" in page
    assert client.form(f"/programmes/{follow_on.later.id}/carried/99999999").status_code == 404
    assert db.session.scalars(db.select(CarriedAction)).all() == []


def test_the_pdf_says_which_insight_an_action_answers(answered):
    from app.debriefs.report import report_html

    html, _ = report_html(db.session, answered.debrief, paper="a4")
    assert "Answers: Unit prices are hidden" in html


def test_the_digest_tells_what_came_of_what_they_heard_once(answered):
    field, action = answered.field, answered.mine
    record_progress(
        db.session, action, status="done", note="Tickets in 40 stores", user=answered.owner
    )
    db.session.commit()
    send.send_due(db.session)
    text, html = parts(mails()[field.people[0].email])
    for part in (text, html):
        assert "What came of what you heard".lower() in part.lower()
        assert "Show the unit price" in part and "Tickets in 40 stores" in part
    assert "done on what you heard" in mails()[field.people[0].email]["Subject"]
    assert (
        field.people[2].email not in mails()
        or "Show the unit price" not in parts(mails()[field.people[2].email])[0]
    )
