"""People, roles, sign-in sessions, invitations and API tokens."""
