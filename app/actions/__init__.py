"""The action register: every action agreed at a debrief, followed up by its owner."""
