"""Lambda entry points: schedules."""

from agentplatform.snapstart import register_restore_hooks

register_restore_hooks()
