"""Lambda entry points: notifications."""
