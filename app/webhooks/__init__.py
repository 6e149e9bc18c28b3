"""Webhooks: signed HTTP posts to other systems when insights are published and actions change."""
