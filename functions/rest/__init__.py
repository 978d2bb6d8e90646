"""One Lambda per REST API domain (see ``agentplatform.api.domains``)."""

from agentplatform.snapstart import register_restore_hooks

register_restore_hooks()
