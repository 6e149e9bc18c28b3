"""Sign-ups with a capacity that holds under load, waitlists, schedules and calendars."""
