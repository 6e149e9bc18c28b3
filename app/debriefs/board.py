"""The board: cards, themes, dots, insights and actions, changed by several people at once.

Every write names the board version it was made on (`seen`). If what it touches changed after
that version, the write is refused with what the other person did (StaleWrite, a 409), so no one
silently overwrites anyone. Writes that cannot clash (adding a theme, a dot) go through anyway.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import func, select

from app.accounts.models import User
from app.actions.loop import close_loop
from app.actions.services import link_owner
from app.capture.models import Note, NoteType, Photo
from app.capture.services import redacted_fields
from app.db import DbSession, is_id
from app.debriefs.models import (
    Action,
    ActionStatus,
    Debrief,
    Insight,
    Placement,
    Theme,
    Vote,
)
from app.debriefs.services import board_notes, bump, require_board_open
from app.debriefs.shared_text import shared_text
from app.errors import Conflict, DomainError, NotFound
from app.kept import Kept, kept
from app.programmes.models import Activity


class StaleWrite(Conflict):
    """Someone changed this after the version the write was made on."""


@dataclass(frozen=True)
class Card:
    """A note as the board shows it: a few words, the strongest quote, contact details removed.
    Shared by every request for the same board version, so never changed."""

    note_id: int
    type: str
    kind: str
    activity: str
    author: str
    author_id: int
    task_id: int | None
    customer: str
    quote: str
    answer: str
    tags: list[str]
    photo_id: int | None
    theme_id: int | None


class CardRow(NamedTuple):
    """What a card is made of, read in one query for the whole board."""

    note_id: int
    type: str
    kind: str
    activity: str
    author: str
    author_id: int
    task_id: int | None
    fields: dict[str, Any] | None  #: the note's shared copy, contact details removed
    photo_id: int | None


def _card(row: CardRow, theme_id: int | None) -> Card:
    fields = row.fields or {}
    if row.type == NoteType.CALL_NOTE:
        words = [m["words"] for m in fields.get("moments", []) if m["words"]]
        customer, quote = fields.get("customer_type", ""), (words[0] if words else "")
        customer = customer or fields.get("reason", "")
    else:
        customer, quote = fields.get("customer", ""), next(iter(fields.get("said", [])), "")
    return Card(
        note_id=row.note_id,
        type=str(row.type),
        kind=str(row.kind),
        activity=row.activity,
        author=row.author,
        author_id=row.author_id,
        task_id=row.task_id,
        customer=customer,
        quote=quote or fields.get("did", ""),
        answer=fields.get("task_answer", ""),
        tags=fields.get("tags", []),
        photo_id=row.photo_id,
        theme_id=theme_id,
    )


# The cards of boards by (board, when it was made, version). Every change to what cards show
# moves the board's version (models._cards_changed), so a version's cards are the same for
# everyone who may see the board, which is checked before.
_cards = Kept(64)


def version_key(debrief: Debrief) -> tuple[Any, ...]:
    """What is kept of a board is kept by this: the board (when it was made tells a board
    apart from a later one given the same id) and its version."""
    return (debrief.id, debrief.created_at, debrief.version)


def board_cards(session: DbSession, debrief: Debrief) -> list[Card]:
    """The cards of a board, kept by its version."""
    return list(kept(session, _cards, version_key(debrief), lambda: _read_cards(session, debrief)))


def _read_cards(session: DbSession, debrief: Debrief) -> list[Card]:
    """The cards of a board, in the order of `board_notes`, as plain rows in one query: making
    150 notes, their authors, slots and photos into objects was most of the board's time."""
    first_photo = (
        select(func.min(Photo.id)).where(Photo.note_id == Note.id).correlate(Note).scalar_subquery()
    )
    rows = session.execute(
        select(
            Note.id,
            Note.type,
            Activity.kind,
            Activity.title,
            User.name,
            Note.author_id,
            Note.task_id,
            Note.shared_fields,
            first_photo,
            Placement.theme_id,
        )
        .join(Activity, Activity.id == Note.activity_id)
        .join(User, User.id == Note.author_id)
        .outerjoin(Placement, (Placement.note_id == Note.id) & (Placement.debrief_id == debrief.id))
        .where(
            Note.activity_id.in_([a.id for a in debrief.activities]),
            Note.deleted_at.is_(None),
        )
        .order_by(Note.activity_id, Note.created_at)
    )
    cards = []
    for *values, theme_id in rows:
        row = CardRow(*values)
        if row.fields is None:  # a note stored around the application: redacted now
            row = row._replace(fields=redacted_fields(session.get_one(Note, row.note_id)))
        cards.append(_card(row, theme_id))
    return cards


@dataclass
class Board:
    debrief: Debrief
    cards: list[Card]
    themes: list[Theme]
    votes: Counter[int] = field(default_factory=Counter)
    my_votes: Counter[int] = field(default_factory=Counter)

    @property
    def version(self) -> int:
        return self.debrief.version

    @property
    def dots_left(self) -> int:
        return self.debrief.votes_per_person - sum(self.my_votes.values())

    def cards_in(self, theme_id: int | None) -> list[Card]:
        return [c for c in self.cards if c.theme_id == theme_id]


FILTERS = ("kind", "tag", "task", "person")


def filter_cards(cards: list[Card], *, kind: str, tag: str, task: str, person: str) -> list[Card]:
    """The cards matching every filter given (an empty one matches all)."""
    return [
        c
        for c in cards
        if (not kind or c.kind == kind)
        and (not tag or tag in c.tags)
        and (not task or str(c.task_id) == task)
        and (not person or str(c.author_id) == person)
    ]


def load_board(session: DbSession, debrief: Debrief, *, user: User) -> Board:
    """The whole board in a fixed number of queries, however many cards and themes."""
    cards = board_cards(session, debrief)
    votes: Counter[int] = Counter()
    mine: Counter[int] = Counter()
    rows = session.execute(
        select(Vote.theme_id, Vote.user_id, func.count())
        .join(Theme, Theme.id == Vote.theme_id)
        .where(Theme.debrief_id == debrief.id)
        .group_by(Vote.theme_id, Vote.user_id)
    )
    for theme_id, user_id, count in rows:
        votes[theme_id] += count
        if user_id == user.id:
            mine[theme_id] += count
    return Board(debrief, cards, list(debrief.themes), votes, mine)


def _seen(value: Any) -> int:
    if not is_id(value):
        raise DomainError("Send the board version the change was made on.", field="version")
    return int(value)


def _fresh(changed_in: int, seen: int, message: str) -> None:
    if changed_in > seen:
        raise StaleWrite(message + " Your change was not saved: look at theirs, then try again.")


def _theme(debrief: Debrief, theme_id: Any) -> Theme:
    theme = next((t for t in debrief.themes if is_id(theme_id) and t.id == theme_id), None)
    if theme is None:
        raise NotFound("There is no such theme on this board.")
    return theme


def create_theme(
    session: DbSession, debrief: Debrief, name: Any, description: Any = "", *, user: User
) -> Theme:
    """A new theme at the end of the board."""
    require_board_open(debrief, user)
    theme = Theme(position=max((t.position for t in debrief.themes), default=0) + 1)
    theme.name, theme.description = _theme_texts(theme, name, description)
    theme.debrief = debrief  # only now: a refused write leaves nothing half-made behind
    session.add(theme)
    theme.changed_in = bump(session, debrief)
    session.flush()
    return theme


def _theme_texts(theme: Theme, name: Any, description: Any) -> tuple[str, str]:
    return (
        shared_text(
            theme, name, name="name", field="Name", where="theme's name", max_length=200,
            required=True,
        ),
        shared_text(
            theme, description, name="description", field="Description",
            where="theme's description", max_length=2000,
        ),
    )  # fmt: skip


def update_theme(
    session: DbSession,
    debrief: Debrief,
    theme_id: Any,
    changes: dict[str, Any],
    *,
    seen: Any,
    user: User,
) -> Theme:
    """Rename or describe a theme, unless someone changed it since `seen`."""
    require_board_open(debrief, user)
    theme = _theme(debrief, theme_id)
    name, description = _theme_texts(
        theme, changes.get("name", theme.name), changes.get("description", theme.description)
    )
    _fresh(
        theme.changed_in,
        _seen(seen),
        f"Someone changed this theme meanwhile: it is now “{theme.name}”.",
    )
    theme.name, theme.description = name, description
    theme.changed_in = bump(session, debrief)
    session.flush()
    return theme


def _place(session: DbSession, debrief: Debrief, note_ids: list[int]) -> dict[int, Placement]:
    rows = session.scalars(
        select(Placement).where(Placement.debrief_id == debrief.id, Placement.note_id.in_(note_ids))
    )
    return {p.note_id: p for p in rows}


def move_cards(
    session: DbSession,
    debrief: Debrief,
    note_ids: Any,
    *,
    to_theme: Any = None,
    new_theme: Any = None,
    seen: Any,
    user: User,
) -> Theme | None:
    """Move cards into a theme, a new theme (splitting one), or back to unsorted (None)."""
    require_board_open(debrief, user)
    seen_version = _seen(seen)
    if not isinstance(note_ids, list) or not note_ids or not all(is_id(n) for n in note_ids):
        raise DomainError("Select one or more cards to move.", field="note_ids")
    on_board = {n.id for n in board_notes(session, debrief)}
    if set(note_ids) - on_board:
        raise NotFound("Some of those cards are not on this board.")
    target = _theme(debrief, to_theme) if to_theme is not None else None
    placements = _place(session, debrief, note_ids)
    moved_meanwhile = [
        p
        for p in placements.values()
        if p.changed_in > seen_version and p.theme_id != (target and target.id)
    ]
    if moved_meanwhile:
        raise StaleWrite(
            f"{len(moved_meanwhile)} of those cards were moved by someone else meanwhile."
            " Your change was not saved: look at the board, then try again."
        )
    if new_theme is not None:
        target = create_theme(session, debrief, new_theme, user=user)
    version = bump(session, debrief)
    for note_id in note_ids:
        placement = placements.get(note_id) or Placement(debrief_id=debrief.id, note_id=note_id)
        placement.theme_id, placement.changed_in = (target.id if target else None), version
        session.add(placement)
    session.flush()
    return target


def merge_themes(
    session: DbSession, debrief: Debrief, source_id: Any, into_id: Any, *, seen: Any, user: User
) -> Theme:
    """Fold one theme into another: its cards, dots and insights go with it."""
    require_board_open(debrief, user)
    if not is_id(into_id):
        raise DomainError("Pick the theme to merge into.", field="into")
    source, into = _theme(debrief, source_id), _theme(debrief, into_id)
    if source.id == into.id:
        raise DomainError("Pick two different themes to merge.", field="into")
    seen_version = _seen(seen)
    _fresh(source.changed_in, seen_version, f"Someone changed “{source.name}” meanwhile.")
    _fresh(into.changed_in, seen_version, f"Someone changed “{into.name}” meanwhile.")
    version = bump(session, debrief)
    for placement in session.scalars(select(Placement).where(Placement.theme_id == source.id)):
        placement.theme_id, placement.changed_in = into.id, version
    for vote in list(source.votes):
        vote.theme = into
    for insight in debrief.insights:
        if insight.theme_id == source.id:
            insight.theme_id, insight.changed_in = into.id, version
    into.changed_in = version
    debrief.themes.remove(source)
    session.flush()
    return into


def vote(session: DbSession, debrief: Debrief, theme_id: Any, *, add: bool, user: User) -> int:
    """Place or take back one of my dots; returns the dots I have left."""
    require_board_open(debrief, user)
    theme = _theme(debrief, theme_id)
    mine = list(
        session.scalars(
            select(Vote).join(Theme).where(Theme.debrief_id == debrief.id, Vote.user_id == user.id)
        )
    )
    if add:
        if len(mine) >= debrief.votes_per_person:
            raise Conflict(f"You have used all {debrief.votes_per_person} of your dots.")
        session.add(Vote(theme=theme, user_id=user.id))
    else:
        here = [v for v in mine if v.theme_id == theme.id]
        if not here:
            raise Conflict("You have no dot on this theme to take back.")
        session.delete(here[0])
    bump(session, debrief)
    session.flush()
    return debrief.votes_per_person - len(mine) + (-1 if add else 1)


def _evidence(session: DbSession, debrief: Debrief, note_ids: Any) -> list[Note]:
    if note_ids is None:
        return []
    if not isinstance(note_ids, list) or not all(is_id(n) for n in note_ids):
        raise DomainError("Evidence is a list of card ids.", field="evidence")
    notes = [n for n in board_notes(session, debrief) if n.id in set(note_ids)]
    if len(notes) != len(set(note_ids)):
        raise NotFound("Some of that evidence is not on this board.")
    return notes


def save_insight(
    session: DbSession,
    debrief: Debrief,
    data: dict[str, Any],
    *,
    insight_id: Any = None,
    seen: Any = None,
    user: User,
) -> Insight:
    """Write an insight (a statement and its "so what") backed by cards, or change one."""
    require_board_open(debrief, user)
    insight = Insight() if insight_id is None else find_insight(debrief, insight_id)
    current = insight.statement
    statement = shared_text(
        insight,
        data.get("statement", insight.statement),
        name="statement",
        field="Statement",
        where="insight's statement",
        max_length=500,
        required=True,
    )
    so_what = shared_text(
        insight,
        data.get("so_what", insight.so_what or ""),
        name="so_what",
        field="So what",
        where="insight's so what",
        max_length=2000,
    )
    theme_id = data.get("theme_id", insight.theme_id)
    if theme_id is not None:
        _theme(debrief, theme_id)
    evidence = _evidence(session, debrief, data["evidence"]) if "evidence" in data else None
    if insight_id is not None:
        _fresh(
            insight.changed_in, _seen(seen), f"Someone changed this insight meanwhile: “{current}”."
        )
    insight.statement, insight.so_what, insight.theme_id = statement, so_what, theme_id
    if evidence is not None:
        insight.evidence = evidence
    insight.debrief = debrief  # only now: a refused write leaves nothing half-made behind
    session.add(insight)
    insight.changed_in = bump(session, debrief)
    session.flush()
    return insight


def find_insight(debrief: Debrief, insight_id: Any) -> Insight:
    insight = next((i for i in debrief.insights if is_id(insight_id) and i.id == insight_id), None)
    if insight is None:
        raise NotFound("There is no such insight on this board.")
    return insight


def _due(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as err:
        raise DomainError("The due date must be a date like 2030-03-31.", field="due_on") from err


def save_action(
    session: DbSession,
    debrief: Debrief,
    data: dict[str, Any],
    *,
    action_id: Any = None,
    seen: Any = None,
    user: User,
) -> Action:
    """Agree an action (what, owner, due date, status), or change one."""
    require_board_open(debrief, user)
    action = Action() if action_id is None else _action(debrief, action_id)
    current = action.what
    what = shared_text(
        action,
        data.get("what", action.what),
        name="what",
        field="What",
        where="action",
        max_length=500,
        required=True,
    )
    owner = shared_text(
        action,
        data.get("owner", action.owner),
        name="owner",
        field="Owner",
        where="action's owner",
        max_length=200,
        required=True,
    )
    due_on = _due(data["due_on"]) if "due_on" in data else action.due_on
    status = data.get("status", action.status or ActionStatus.OPEN)
    if not isinstance(status, str) or status not in set(ActionStatus):
        raise DomainError("The status is open, doing or done.", field="status")
    insight_id = (
        _answers(debrief, data["insight_id"]) if "insight_id" in data else action.insight_id
    )
    was_done = action.status == ActionStatus.DONE
    if action_id is not None:
        _fresh(
            action.changed_in, _seen(seen), f"Someone changed this action meanwhile: “{current}”."
        )
    action.what, action.owner, action.due_on, action.status = (
        what,
        owner,
        due_on,
        ActionStatus(status),
    )
    action.insight_id = insight_id
    action.debrief = debrief
    link_owner(session, action)  # the owner can then follow it up in the action register
    session.add(action)
    action.changed_in = bump(session, debrief)
    session.flush()
    if not was_done:
        close_loop(session, action)
    return action


def _answers(debrief: Debrief, value: Any) -> int | None:
    """The insight an action answers: none, or one of this debrief's own insights."""
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.isdecimal() and len(value) < 12:
        value = int(value)
    if not any(is_id(value) and i.id == value for i in debrief.insights):
        raise DomainError("Pick an insight of this debrief, or none.", field="insight_id")
    return int(value)


def _action(debrief: Debrief, action_id: Any) -> Action:
    action = next((a for a in debrief.actions if is_id(action_id) and a.id == action_id), None)
    if action is None:
        raise NotFound("There is no such action on this board.")
    return action
