"""Field capture: observations and call-listening notes, synced from phones."""
