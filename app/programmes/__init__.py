"""Programmes (closeness days and weeks) and their activity slots."""
