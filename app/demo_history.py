"""Demo: three programmes of the past year, debriefed and published, so the library has a history.

Everything goes through the services people use (sign-up, arrival, briefing, sync, the board,
publishing), so the notes are checked and redacted like real ones. The words are in
`app.demo_history_data`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from app.accounts.models import User
from app.actions.services import record_progress
from app.briefings.services import acknowledge
from app.capture.sync import sync
from app.db import utcnow
from app.debriefs import board
from app.debriefs.models import Debrief
from app.debriefs.services import DebriefInput, create_debrief, publish
from app.demo_history_data import PAST, Past
from app.extensions import db
from app.programmes.models import Activity, Programme
from app.programmes.services import (
    ActivityInput,
    ProgrammeInput,
    change_status,
    create_activity,
    create_programme,
)
from app.signups.attendance import mark_arrival
from app.signups.services import sign_up
from app.timefmt import local_to_utc

TZ = "Europe/London"
PER_SLOT = 3  #: people out on each slot, from three departments


def _at(day: date, hour: int, minutes: int = 0) -> datetime:
    local = datetime.combine(day, time(hour)) + timedelta(minutes=minutes)
    return local_to_utc(local, TZ, field="start")


def load_history(organiser: User, facilitator: User, employees: list[User]) -> list[Debrief]:
    """Three past programmes with their notes, each debriefed and published; oldest first."""
    return [_load(past, n, organiser, facilitator, employees) for n, past in enumerate(PAST)]


def _load(past: Past, n: int, organiser: User, facilitator: User, employees: list[User]) -> Debrief:
    s = db.session
    monday = utcnow().date() - timedelta(weeks=past.weeks_ago)
    monday -= timedelta(days=monday.weekday())
    programme = create_programme(
        s,
        ProgrammeInput(
            title=past.title,
            purpose=past.purpose,
            customer_question=past.question,
            starts_on=monday,
            ends_on=monday + timedelta(days=4),
            timezone=TZ,
            signup_opens_at=_at(monday - timedelta(weeks=4), 9),
            signup_closes_at=_at(monday - timedelta(days=3), 17),
        ),
        by=organiser,
    )
    slots = [
        create_activity(
            s,
            programme,
            ActivityInput(
                kind=slot.kind,
                title=slot.title,
                location=slot.location,
                online_url=slot.online_url,
                starts_at=_at(monday + timedelta(days=slot.day), slot.hour),
                ends_at=_at(monday + timedelta(days=slot.day), slot.hour + slot.hours),
                capacity=PER_SLOT + 1,
                host="Sam, team lead",
            ),
            by=organiser,
        )
        for slot in past.slots
    ]
    change_status(s, programme, "publish", by=organiser)
    crews = [
        _send_out(programme, slot, _crew(employees, n, i), organiser)
        for i, slot in enumerate(slots)
    ]
    note_ids = _write_notes(past, slots, crews)
    change_status(s, programme, "close", by=organiser)
    debrief = create_debrief(
        s,
        programme,
        DebriefInput(
            title=past.debrief,
            starts_at=_at(monday + timedelta(days=8), 14),
            location="Meeting room 2, head office",
            online_url="https://meet.example.com/debrief",
        ),
        by=facilitator,
    )
    _fill_board(debrief, past, note_ids, facilitator)
    publish(s, debrief, by=facilitator)
    # It was published the day after the meeting, months ago, not while the demo loads.
    debrief.published_at = debrief.starts_at + timedelta(days=1)
    s.flush()
    return debrief


def _crew(employees: list[User], n: int, i: int) -> list[User]:
    """Neighbours in the list, so three departments; a dozen people spread over the slots."""
    first = 4 * n + PER_SLOT * i
    return [employees[(first + k) % len(employees)] for k in range(PER_SLOT)]


def _send_out(programme: Programme, slot: Activity, people: list[User], by: User) -> list[User]:
    """Sign people up (an organiser adds them), mark them arrived, note they read the briefing."""
    s = db.session
    for person in people:
        signup = sign_up(s, slot, user=person, by=by)
        mark_arrival(s, signup, arrived=True, by=by)
        acknowledge(s, programme, user=person)
    return people


def _write_notes(past: Past, slots: list[Activity], crews: list[list[User]]) -> dict[str, int]:
    """Each note synced from its author's phone, as in the field; returns the note ids by key."""
    note_ids: dict[str, int] = {}
    written = [0] * len(slots)
    for row in past.notes:
        slot, j = slots[row.slot], written[row.slot]
        written[row.slot] += 1
        fields = dict(row.fields)
        if row.type == "observation":
            fields["observed_at"] = (slot.starts_at + timedelta(minutes=20 * (j + 1))).isoformat()
        item = {
            "client_id": str(uuid.uuid4()),
            "type": row.type,
            "activity_id": slot.id,
            "fields": fields,
            "updated_at": slot.ends_at.isoformat(),
        }
        crew = crews[row.slot]
        [result] = sync(db.session, [item], user=crew[j % len(crew)])
        if result.status != "created" or result.id is None:
            raise RuntimeError(f"Demo note {row.key} was refused: {result.errors}")
        note_ids[row.key] = result.id
    return note_ids


def _fill_board(debrief: Debrief, past: Past, note_ids: dict[str, int], by: User) -> None:
    """Themes with their cards, everyone's dots, insights with evidence, agreed actions."""
    s = db.session
    themes: dict[str, int] = {}
    for row in past.themes:
        theme = board.create_theme(s, debrief, row.name, row.description, user=by)
        cards = [note_ids[note.key] for note in past.notes if note.theme == row.key]
        board.move_cards(s, debrief, cards, to_theme=theme.id, seen=debrief.version, user=by)
        themes[row.key] = theme.id
    voters = [by, *debrief.invitees]
    dots = [themes[row.key] for row in past.themes for _ in range(row.dots)]
    for i, theme_id in enumerate(dots):
        board.vote(s, debrief, theme_id, add=True, user=voters[i % len(voters)])
    insight_ids = []
    for insight in past.insights:
        data = {
            "statement": insight.statement,
            "so_what": insight.so_what,
            "theme_id": themes[insight.theme],
            "evidence": [note_ids[key] for key in insight.evidence],
        }
        insight_ids.append(board.save_insight(s, debrief, data, user=by).id)
    meeting_day = debrief.starts_at.date()
    for action in past.actions:
        data = {
            "what": action.what,
            "owner": action.owner,
            "due_on": (meeting_day + timedelta(days=action.due_days)).isoformat(),
            "status": action.status,
            "insight_id": None if action.answers is None else insight_ids[action.answers],
        }
        saved = board.save_action(s, debrief, data, user=by)  # done: tells the evidence's authors
        if action.note:
            record_progress(s, saved, status=action.status, note=action.note, user=by)
