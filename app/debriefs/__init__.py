"""Debriefs: the board that turns notes into themes, insights and actions, and its PDF."""
