"""Forms for the briefing pack, briefing sessions and tasks."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.briefings.services import MAX_PACK, SessionInput
from app.briefings.tasks import TaskInput
from app.programmes.forms import DATETIME_FORMAT
from app.programmes.models import ActivityKind
from app.text import SafeText
from app.timefmt import local_to_utc


class PackForm(FlaskForm):
    body = TextAreaField(
        "Briefing pack",
        validators=[DataRequired(), Length(max=MAX_PACK), SafeText()],
        description="Markdown: ## for a heading, - for a list, **bold**, [text](https://link).",
    )
    required = BooleanField("People must finish the briefing before recording notes")
    briefed_by = RadioField(
        "Briefed means",
        choices=[
            SelectChoice(
                "session", "Reading the pack and attending a briefing session (when there are any)"
            ),
            SelectChoice("pack", "Reading and acknowledging the pack is enough"),
        ],
        default="session",
        validators=[Optional()],  # left out: the default
    )


class SessionForm(FlaskForm):
    starts_at = DateTimeLocalField(
        "Starts", format=DATETIME_FORMAT, validators=[InputRequired("Say when the session starts.")]
    )
    ends_at = DateTimeLocalField(
        "Ends", format=DATETIME_FORMAT, validators=[InputRequired("Say when the session ends.")]
    )
    location = StringField("Place", validators=[Length(max=300), SafeText()])
    online_url = URLField("Online link", validators=[Optional(), Length(max=500), SafeText()])
    capacity = IntegerField(
        "Places",
        default=20,
        validators=[
            InputRequired("Say how many people can come."),
            NumberRange(min=1, max=1000, message="Places must be between 1 and 1000."),
        ],
    )

    def to_input(self, tz: str) -> SessionInput:
        return SessionInput(
            starts_at=local_to_utc(self.starts_at.data, tz, field="starts_at"),  # type: ignore[arg-type]
            ends_at=local_to_utc(self.ends_at.data, tz, field="ends_at"),  # type: ignore[arg-type]
            location=self.location.data or "",
            online_url=self.online_url.data or "",
            capacity=self.capacity.data,  # type: ignore[arg-type]
        )


class TaskForm(FlaskForm):
    question = StringField(
        "Question to answer",
        validators=[DataRequired(), Length(max=500), SafeText()],
        description="For example: What makes people hesitate at the shelf?",
    )
    context = TextAreaField("Context", validators=[Length(max=4000), SafeText()])
    prompts = TextAreaField(
        "Prompts, one per line",
        validators=[Length(max=4000), SafeText()],
        description="For example: look at the moment they compare prices.",
    )
    scope = RadioField(
        "Who is it for",
        default="slot",
        choices=[
            SelectChoice("slot", "Everyone on one slot"),
            SelectChoice("kind", "Everyone on a kind of activity"),
            SelectChoice("people", "Named people"),
        ],
    )
    activity_id = SelectField("Slot", coerce=int, validate_choice=False)
    kind = SelectField(
        "Kind of activity", choices=[SelectChoice(k.value, k.label) for k in ActivityKind]
    )
    emails = TextAreaField(
        "People's emails, one per line", validators=[Length(max=20000), SafeText()]
    )

    def to_input(self) -> TaskInput:
        return TaskInput(
            question=self.question.data or "",
            context=self.context.data or "",
            prompts=self.prompts.data or "",
            scope=self.scope.data or "",
            activity_id=self.activity_id.data,
            kind=self.kind.data,
            emails=(self.emails.data or "").replace(",", "\n").splitlines(),
        )
