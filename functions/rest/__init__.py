"""One Lambda per REST API domain (see ``agentplatform.api.domains``)."""

from agentplatform.coldstart import pause_collector

pause_collector()  # before the imports: rest_lambda ends the pause (agentplatform.coldstart)

from agentplatform.snapstart import register_restore_hooks  # noqa: E402

register_restore_hooks()
