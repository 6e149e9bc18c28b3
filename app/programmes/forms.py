"""Forms for programmes and slots; they turn typed local times into aware datetimes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.programmes.models import ActivityKind
from app.programmes.services import MAX_CAPACITY, MAX_SERIES, ActivityInput, ProgrammeInput
from app.text import SafeText
from app.timefmt import local_to_utc

DATETIME_FORMAT = ["%Y-%m-%dT%H:%M"]
COMMON_ZONES = [
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Helsinki",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
]


class ProgrammeForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired(), Length(max=200), SafeText()],
        description="For example: Customer closeness week, March",
    )
    purpose = TextAreaField("Purpose", validators=[Length(max=4000), SafeText()])
    customer_question = StringField(
        "Customer question",
        validators=[Length(max=500), SafeText()],
        description="The question this programme explores.",
    )
    starts_on = DateField("First day", validators=[InputRequired("Give the first day.")])
    ends_on = DateField("Last day", validators=[InputRequired("Give the last day.")])
    timezone = StringField(
        "Time zone",
        validators=[DataRequired(), Length(max=64), SafeText()],
        default="Europe/London",
        description="Times below and on every slot are in this zone, e.g. Europe/Paris.",
    )
    signup_opens_at = DateTimeLocalField(
        "Sign-up opens",
        format=DATETIME_FORMAT,
        validators=[InputRequired("Say when sign-up opens.")],
    )
    signup_closes_at = DateTimeLocalField(
        "Sign-up closes",
        format=DATETIME_FORMAT,
        validators=[InputRequired("Say when sign-up closes.")],
    )
    # Checked by the service (a programme you organise, no cycle), so any value reaches it.
    follows_id = SelectField(
        "Follows on from",
        choices=[SelectChoice("", "No earlier programme")],
        validate_choice=False,
        description="Its open actions are shown on this programme's page, to carry forward.",
    )

    def to_input(self) -> ProgrammeInput:
        tz = self.timezone.data.strip()
        return ProgrammeInput(
            title=self.title.data or "",
            purpose=self.purpose.data or "",
            customer_question=self.customer_question.data or "",
            starts_on=self.starts_on.data,  # type: ignore[arg-type]
            ends_on=self.ends_on.data,  # type: ignore[arg-type]
            timezone=tz,
            signup_opens_at=local_to_utc(self.signup_opens_at.data, tz, field="signup_opens_at"),  # type: ignore[arg-type]
            signup_closes_at=local_to_utc(self.signup_closes_at.data, tz, field="signup_closes_at"),  # type: ignore[arg-type]
        )


class ActivityForm(FlaskForm):
    kind = SelectField(
        "Kind of activity", choices=[SelectChoice(k.value, k.label) for k in ActivityKind]
    )
    title = StringField(
        "Title",
        validators=[DataRequired(), Length(max=200), SafeText()],
        description="For example: Listening in, Leeds call centre",
    )
    location = StringField(
        "Place",
        validators=[Length(max=300), SafeText()],
        description="Store, call centre or address.",
    )
    online_url = URLField(
        "Online link",
        validators=[Optional(), Length(max=500), SafeText()],
        description="For sessions held online.",
    )
    starts_at = DateTimeLocalField(
        "Starts", format=DATETIME_FORMAT, validators=[InputRequired("Say when the slot starts.")]
    )
    ends_at = DateTimeLocalField(
        "Ends", format=DATETIME_FORMAT, validators=[InputRequired("Say when the slot ends.")]
    )
    capacity = IntegerField(
        "Places",
        default=4,
        validators=[
            InputRequired("Say how many people can come."),
            NumberRange(
                min=1, max=MAX_CAPACITY, message=f"Places must be between 1 and {MAX_CAPACITY}."
            ),
        ],
    )
    host = StringField("Host to meet", validators=[Length(max=200), SafeText()])
    what_to_bring = TextAreaField("What to bring", validators=[Length(max=1000), SafeText()])
    notes = TextAreaField("Notes", validators=[Length(max=4000), SafeText()])

    def to_input(self, tz: str) -> ActivityInput:
        return ActivityInput(
            kind=self.kind.data or "",
            title=self.title.data or "",
            location=self.location.data or "",
            online_url=self.online_url.data or "",
            starts_at=local_to_utc(self.starts_at.data, tz, field="starts_at"),  # type: ignore[arg-type]
            ends_at=local_to_utc(self.ends_at.data, tz, field="ends_at"),  # type: ignore[arg-type]
            capacity=self.capacity.data,  # type: ignore[arg-type]
            host=self.host.data or "",
            what_to_bring=self.what_to_bring.data or "",
            notes=self.notes.data or "",
        )


class DuplicateForm(FlaskForm):
    starts_at = DateTimeLocalField(
        "The copy starts",
        format=DATETIME_FORMAT,
        validators=[InputRequired("Say when the copy starts.")],
        description="The same day is fine. The copy lasts as long as this slot.",
    )
    copies = IntegerField(
        "How many copies",
        default=1,
        validators=[
            InputRequired("Say how many copies to make."),
            NumberRange(min=1, max=MAX_SERIES, message=f"Between 1 and {MAX_SERIES}."),
        ],
    )
    every_days = IntegerField(
        "Days between copies",
        default=1,
        validators=[
            InputRequired("Say how many days between copies."),
            NumberRange(min=0, max=31, message="Between 0 and 31."),
        ],
        description="For several copies: 1 makes one a day at the same time; 7 one a week.",
    )


class ConfirmForm(FlaskForm):
    """A step that needs only its form token (publish)."""


class DestructiveForm(FlaskForm):
    """A step that cannot simply be undone: ticking the box is the confirmation, so it holds
    without JavaScript."""

    understand = BooleanField(
        "I understand", validators=[DataRequired("Tick “I understand” to go ahead.")]
    )


class OrganiserForm(FlaskForm):
    email = EmailField(
        "Organiser's email", validators=[DataRequired(), Length(max=254), SafeText()]
    )
