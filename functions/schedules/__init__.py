"""Lambda entry points: schedules."""
