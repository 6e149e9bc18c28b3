"""Forms for managing the people on a slot."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Length

from app.text import SafeText


class AddPersonForm(FlaskForm):
    email = EmailField(
        "Add a person by email", validators=[DataRequired(), Length(max=254), SafeText()]
    )


class CheckInForm(FlaskForm):
    code = StringField(
        "Check-in code",
        validators=[Length(max=12), SafeText()],
        description="The six letters and digits the host shows you.",
    )
