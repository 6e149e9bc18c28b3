"""Closing the loop: when an action is done, the people whose notes were evidence for the
insight it answers are told what came of what they heard (in For you, later in the digest).

One row per person and action (`loop_news`, unique): done twice tells nobody twice. Re-opened,
the item leaves their feed; done again, it comes back as it was (read stays read), with the
latest progress note.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.accounts.models import User
from app.actions.models import ActionProgress, LoopNews
from app.capture.models import Note
from app.db import DbSession, UTCDateTime, is_id, utcnow
from app.debriefs.models import (
    Action,
    ActionStatus,
    Debrief,
    Insight,
    insight_evidence,
)
from app.debriefs.services import readable_sql
from app.errors import NotFound
from app.programmes.models import Programme

#: Items of loop news on the For you page; older ones are in the digest that told them.
SHOWN = 20


@dataclass
class LoopItem:
    """What came of what a person heard: an action now done, the insight it answers."""

    id: int
    user_id: int
    read: bool
    told_at: datetime
    action_id: int
    what: str
    owner: str
    due_on: date | None
    status: str
    programme: str
    timezone: str
    debrief_id: int
    insight_id: int | None
    insight: str
    note: str = ""  #: the action's latest progress note (contact details removed)
    note_at: datetime | None = None


def close_loop(session: DbSession, action: Action) -> int:
    """Tell the authors of the evidence of the action's insight, once each; how many are new."""
    if action.insight_id is None or action.status != ActionStatus.DONE:
        return 0
    authors = set(
        session.scalars(
            select(Note.author_id)
            .join(insight_evidence, insight_evidence.c.note_id == Note.id)
            .where(insight_evidence.c.insight_id == action.insight_id)
        )
    )
    if not authors:
        return 0
    rows = [{"user_id": u, "action_id": action.id, "created_at": utcnow()} for u in authors]
    # Two people marking it done at once tell each person once: the unique row decides.
    return insert_new(session, LoopNews, rows)


def insert_new(session: DbSession, model: Any, rows: list[dict[str, Any]]) -> int:
    """Insert the rows a unique key does not already hold; how many were new."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = session.execute(insert(model).values(rows).on_conflict_do_nothing())
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _query(whose: ColumnElement[bool]) -> Any:
    """Loop news with what it is about, for the people `whose` picks."""
    return (
        select(LoopNews, Action, Insight.statement, Programme.title, Programme.timezone)
        .join(Action, Action.id == LoopNews.action_id)
        .join(Debrief, Debrief.id == Action.debrief_id)
        .join(Programme, Programme.id == Debrief.programme_id)
        .outerjoin(Insight, Insight.id == Action.insight_id)
        .where(
            whose,
            Action.status == ActionStatus.DONE,
            readable_sql(LoopNews.user_id),
        )
    )


@functools.cache
def _news_query(since: bool, limit: bool) -> Any:
    """Built once per process for each shape: For you asks on every view."""
    query = _query(LoopNews.user_id.in_(bindparam("user_ids", expanding=True))).order_by(
        LoopNews.created_at.desc(), LoopNews.id.desc()
    )
    if since:
        query = query.where(LoopNews.created_at > bindparam("since", type_=UTCDateTime))
    if limit:
        query = query.limit(bindparam("limit", type_=Integer))
    return query


def loop_news(
    session: DbSession,
    user_ids: Iterable[int],
    since: datetime | None = None,
    *,
    limit: int | None = None,
) -> dict[int, list[LoopItem]]:
    """Person id -> what came of what they heard, newest first; only items told after `since`
    if given, of actions still done that they may read. Two queries however many people
    (`limit` caps the items over all of them: for one person's page)."""
    params = {"user_ids": list(user_ids), "since": since, "limit": limit}
    rows = session.execute(_news_query(since is not None, limit is not None), params).all()
    notes = _latest_notes(session, {action.id for _, action, *_ in rows})
    found: dict[int, list[LoopItem]] = {}
    for news, action, statement, title, tz in rows:
        note, note_at = notes.get(action.id, ("", None))
        found.setdefault(news.user_id, []).append(
            LoopItem(
                id=news.id,
                user_id=news.user_id,
                read=news.read_at is not None,
                told_at=news.created_at,
                action_id=action.id,
                what=action.what,
                owner=action.owner,
                due_on=action.due_on,
                status=str(action.status),
                programme=title,
                timezone=tz,
                debrief_id=action.debrief_id,
                insight_id=action.insight_id,
                insight=statement or "",
                note=note,
                note_at=note_at,
            )
        )
    return found


def _latest_notes(session: DbSession, action_ids: set[int]) -> dict[int, tuple[str, datetime]]:
    if not action_ids:
        return {}
    notes: dict[int, tuple[str, datetime]] = {}
    for action_id, note, at in session.execute(
        select(ActionProgress.action_id, ActionProgress.note, ActionProgress.created_at)
        .where(ActionProgress.action_id.in_(action_ids), ActionProgress.note != "")
        .order_by(ActionProgress.created_at.desc(), ActionProgress.id.desc())
    ):
        notes.setdefault(action_id, (note, at))
    return notes


def unread_loop_count(user_id: Any) -> Any:
    """A scalar subquery: how many loop items the person (a bound parameter) has not read,
    for the badge."""
    return (
        _query(LoopNews.user_id == user_id)
        .where(LoopNews.read_at.is_(None))
        .with_only_columns(func.count(LoopNews.id))
        .scalar_subquery()
    )


def mark_loop_read(session: DbSession, user: User, news_id: Any) -> None:
    """Mark one item of loop news read; someone else's is not found."""
    news = session.get(LoopNews, news_id) if is_id(news_id) else None
    if news is None or news.user_id != user.id:
        raise NotFound("There is no such news.")
    if news.read_at is None:
        news.read_at = utcnow()
    session.flush()


def mark_all_loop_read(session: DbSession, user: User) -> None:
    session.execute(
        update(LoopNews)
        .where(LoopNews.user_id == user.id, LoopNews.read_at.is_(None))
        .values(read_at=utcnow())
    )
