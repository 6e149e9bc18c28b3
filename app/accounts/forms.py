"""Forms for signing in, passwords, invitations and people."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import Role
from app.accounts.services import MAX_PASSWORD, MIN_PASSWORD
from app.text import SafeText
from app.timefmt import CLOCKS

ROLE_CHOICES = [SelectChoice(r.value, r.value.capitalize()) for r in Role]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), SafeText()])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), SafeText()])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD,
                max=MAX_PASSWORD,
                message=f"Use at least {MIN_PASSWORD} and at most {MAX_PASSWORD} characters.",
            ),
        ],
        description=f"At least {MIN_PASSWORD} characters. A short sentence is easy to remember.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=MAX_PASSWORD)]
    )


class ClockForm(FlaskForm):
    # No validator of its own: the service says what is wrong, the same for the page and API.
    clock = RadioField(
        "Show times", choices=[SelectChoice(k, v) for k, v in CLOCKS.items()], validate_choice=False
    )


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254), SafeText()])
    name = StringField("Name", validators=[DataRequired(), Length(max=120), SafeText()])
    department = StringField("Department", validators=[Length(max=120), SafeText()])
    roles = CheckboxesField("Roles", choices=ROLE_CHOICES, default=["employee"])


class CsvInviteForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file.")],
        description="Columns: email, name, department (optional), roles (optional, "
        "separated by spaces). First row: the column names.",
    )


class UserForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120), SafeText()])
    department = StringField("Department", validators=[Length(max=120), SafeText()])
    roles = CheckboxesField("Roles", choices=ROLE_CHOICES)
    active = BooleanField("Account active (can sign in)")
