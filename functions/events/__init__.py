"""Lambda entry points: events."""
