"""`flask demo`: a demo company to look around in."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade

from app.accounts.models import Role
from app.accounts.services import create_user, user_by_email
from app.actions.carry import carry, set_follows
from app.briefings.services import SessionInput, create_session
from app.briefings.tasks import TaskInput, create_task
from app.db import utcnow
from app.debriefs.models import ActionStatus
from app.demo_field import load_past_day
from app.demo_history import load_history
from app.extensions import db
from app.insights.index import reindex_all
from app.insights.meaning import embed_missing
from app.programmes.models import ActivityKind
from app.programmes.services import (
    ActivityInput,
    ProgrammeInput,
    change_status,
    create_activity,
    create_programme,
)
from app.signups.services import sign_up
from app.timefmt import local_to_utc

PASSWORD = "listening-post-demo"  # noqa: S105 (the demo accounts are meant to be shared)
TZ = "Europe/London"
DEPARTMENTS = ["Sales", "Service", "Marketing", "Finance", "IT", "Logistics"]
SLOTS = [
    (
        ActivityKind.CALL_LISTENING,
        "Listening in, Leeds call centre",
        "Leeds call centre, floor 2",
        9,
        3,
        4,
    ),
    (
        ActivityKind.GROUP_DISCUSSION,
        "Family shoppers group discussion",
        "Viewing studio, 12 Park Row",
        18,
        2,
        6,
    ),
    (ActivityKind.IN_DEPTH_INTERVIEW, "In-depth interview: first-time buyers", "", 14, 2, 3),
    (
        ActivityKind.DEMONSTRATOR_VISIT,
        "Sampling day with demonstrators",
        "Hypermarket, Castle Road",
        10,
        4,
        2,
    ),
    (
        ActivityKind.BEHIND_THE_COUNTER,
        "Behind the counter, flagship store",
        "Flagship store, High Street",
        8,
        4,
        2,
    ),
    (
        ActivityKind.SHOPPER_INTERVIEW,
        "Interview shoppers at the shelf",
        "City centre store",
        11,
        2,
        4,
    ),
    (ActivityKind.CUSTOMER_OBSERVATION, "Observe the self-checkout", "Retail park store", 16, 2, 5),
]


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create the schema if needed and load a demo company, then say how to sign in."""
    upgrade()
    if user_by_email(db.session, "organiser@example.com") is None:
        load_demo()
        db.session.commit()
        click.echo("Demo company loaded.")
    else:
        click.echo("Demo company already loaded.")
    click.echo(
        "Sign in at http://127.0.0.1:5000/login with any of these (password: "
        f"{PASSWORD}):\n  admin@example.com (admin)\n  organiser@example.com (organiser)\n"
        "  facilitator@example.com (facilitator)\n"
        "  employee1@example.com ... employee12@example.com"
    )


def load_demo() -> None:
    s = db.session
    create_user(
        s,
        email="admin@example.com",
        name="Ada Admin",
        roles={Role.ADMIN},
        department="IT",
        password=PASSWORD,
    )
    organiser = create_user(
        s,
        email="organiser@example.com",
        name="Olu Organiser",
        roles={Role.ORGANISER},
        department="Market research",
        password=PASSWORD,
    )
    facilitator = create_user(
        s,
        email="facilitator@example.com",
        name="Fay Facilitator",
        roles={Role.FACILITATOR},
        department="Market research",
        password=PASSWORD,
    )
    employees = [
        create_user(
            s,
            email=f"employee{n}@example.com",
            name=f"Employee {n}",
            department=DEPARTMENTS[n % len(DEPARTMENTS)],
            password=PASSWORD,
        )
        for n in range(1, 13)
    ]
    today = utcnow().date()
    first_day = today + timedelta(days=7)
    programme = create_programme(
        s,
        ProgrammeInput(
            title="Customer closeness week",
            purpose="Everyone spends half a day with customers: in stores, on calls, "
            "in interviews.",
            customer_question="What makes people hesitate before they buy?",
            starts_on=first_day,
            ends_on=first_day + timedelta(days=4),
            timezone=TZ,
            signup_opens_at=utcnow() - timedelta(days=1),
            signup_closes_at=local_to_utc(datetime.combine(first_day, time(9)), TZ, field="close"),
        ),
        by=organiser,
    )
    for n, (kind, title, place, hour, hours, capacity) in enumerate(SLOTS):
        day = first_day + timedelta(days=n % 5)
        start = local_to_utc(datetime.combine(day, time(hour)), TZ, field="start")
        create_activity(
            s,
            programme,
            ActivityInput(
                kind=kind,
                title=title,
                location=place,
                online_url="" if place else "https://meet.example.com/interview-room",
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
                capacity=capacity,
                host="Sam, team lead",
                what_to_bring="Your badge and a phone with Listening Post",
                notes="Meet at reception ten minutes early.",
            ),
            by=organiser,
        )
    briefing_start = local_to_utc(
        datetime.combine(first_day - timedelta(days=2), time(9)), TZ, field="b"
    )
    create_session(
        s,
        programme,
        SessionInput(
            starts_at=briefing_start,
            ends_at=briefing_start + timedelta(hours=1),
            location="Auditorium, head office",
            online_url="https://meet.example.com/briefing",
            capacity=40,
        ),
        by=organiser,
    )
    create_task(
        s,
        programme,
        TaskInput(
            question="What makes people hesitate before they buy?",
            scope="kind",
            kind=ActivityKind.CUSTOMER_OBSERVATION,
            prompts="Look at the moment they compare prices\nNote what they pick up and put back",
        ),
        by=organiser,
    )
    create_task(
        s,
        programme,
        TaskInput(
            question="What did the customer try before calling us?",
            scope="kind",
            kind=ActivityKind.CALL_LISTENING,
            prompts="Listen for the first sentence of the call",
        ),
        by=organiser,
    )
    change_status(s, programme, "publish", by=organiser)
    for employee, activity in zip(employees[:6], programme.activities, strict=False):
        sign_up(s, activity, user=employee)
    load_past_day(organiser, facilitator, employees)
    history = load_history(organiser, facilitator, employees)
    # The coming week follows on from the online shop week, and promises again what it left open.
    set_follows(s, programme, history[-1].programme_id, by=organiser)
    for action in history[-1].actions:
        if action.status == ActionStatus.OPEN:
            carry(s, programme, action.id, by=organiser)
    # The history is dated in the past after publishing: index it as it now stands, with vectors.
    reindex_all(s)
    embed_missing(s)
