"""The form that opens a debrief."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectMultipleField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.debriefs.services import DebriefInput
from app.programmes.forms import DATETIME_FORMAT
from app.programmes.models import ActivityKind, Programme
from app.text import SafeText
from app.timefmt import format_local, local_to_utc


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DebriefForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200), SafeText()])
    starts_at = DateTimeLocalField(
        "When", format=DATETIME_FORMAT, validators=[InputRequired("Say when the debrief starts.")]
    )
    location = StringField("Place", validators=[Length(max=300), SafeText()])
    online_url = URLField("Online link", validators=[Optional(), Length(max=500), SafeText()])
    also_invite = TextAreaField(
        "Also invite",
        description="Everyone who went out is invited. Add others by email, one per line.",
        validators=[Length(max=5000), SafeText()],
    )
    kinds = Checkboxes(
        "Kinds of activity it covers",
        description="Leave all unticked to cover every kind.",
        validators=[Optional()],
    )
    activities = Checkboxes(
        "Slots it covers",
        description="Leave all unticked to cover every slot (of the kinds ticked above).",
        coerce=int,
        validators=[Optional()],
    )

    def __init__(self, programme: Programme, **kwargs: object) -> None:
        super().__init__(**kwargs)
        slots = [a for a in programme.activities if not a.is_cancelled]
        self.kinds.choices = [
            (k.value, k.label) for k in ActivityKind if any(a.kind == k for a in slots)
        ]
        self.activities.choices = [
            (a.id, f"{a.title} · {format_local(a.starts_at, programme.timezone)}") for a in slots
        ]
        if not self.title.data:
            self.title.data = f"Debrief: {programme.title}"

    def to_input(self, programme: Programme) -> DebriefInput:
        return DebriefInput(
            title=self.title.data or "",
            starts_at=local_to_utc(self.starts_at.data, programme.timezone, field="starts_at"),  # type: ignore[arg-type]
            location=self.location.data or "",
            online_url=self.online_url.data or "",
            activity_ids=self.activities.data or None,
            kinds=self.kinds.data or None,
            also_invite=(self.also_invite.data or "").replace(",", "\n").splitlines(),
        )
