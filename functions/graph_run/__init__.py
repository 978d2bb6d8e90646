"""Lambda entry points: graph_run."""

from agentplatform.snapstart import register_restore_hooks

register_restore_hooks()
