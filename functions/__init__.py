"""Thin Lambda entry points. Each parses its event and hands over to the domain.

Every function's INIT starts here: the cyclic collector pauses until the handler is
wrapped (``agentplatform.coldstart``), and SnapStart restores get their hooks.
"""

from agentplatform.coldstart import pause_collector

pause_collector()  # before the imports; observability.instrument ends the pause

from agentplatform.snapstart import register_restore_hooks  # noqa: E402

register_restore_hooks()
