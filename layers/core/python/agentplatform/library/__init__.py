"""The user's library: agents they created or added, run presets, run permission."""
