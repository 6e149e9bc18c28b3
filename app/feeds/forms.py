"""The form to follow something; the library's own query arguments make a saved search."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class FollowForm(FlaskForm):
    """One of the "Follow" rows: which facet, and the value chosen or typed. The service
    checks both (length, known kinds and programmes), so a refusal reads the same from the
    page and from the API."""

    kind = HiddenField()
    value = StringField("Value")
