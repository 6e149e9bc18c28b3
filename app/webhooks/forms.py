"""The webhook form; the services check every value (the URL against SSRF too)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, StringField

from app.accounts.forms import CheckboxesField
from app.webhooks.models import EVENTS

EVENT_LABELS = {
    "insight.published": "Insight published (a debrief's insights reach the library)",
    "action.created": "Action agreed (when its debrief is published)",
    "action.updated": "Action updated (status or progress note)",
    "action.overdue": "Action overdue (once per due date)",
}


class WebhookForm(FlaskForm):
    url = StringField(
        "Address that receives the events",
        description="https only; it must be a public server (not this network).",
    )
    # Unknown values get the service's message, not WTForms' "not a valid choice".
    events = CheckboxesField(
        "Events to send",
        choices=[SelectChoice(e, EVENT_LABELS[e]) for e in EVENTS],
        validate_choice=False,
    )
    active = BooleanField("On: send events", default=True)
