"""Scheduled (an EventBridge rule): end runs whose state machine execution is gone,
and hand free run slots on (see engine/reconciler.py)."""

from typing import Any

from agentplatform.engine.reconciler import reconcile
from agentplatform.observability import lambda_handler


@lambda_handler()
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return reconcile().as_dict()
