"""Posting to connections through the API Gateway management API."""

from __future__ import annotations

import logging
from typing import Any

from agentplatform.aws import client

logger = logging.getLogger(__name__)

_GONE = {"GoneException"}
# Retrying cannot help these; the message is skipped (and logged) rather than retried.
_PERMANENT = {"PayloadTooLargeException", "BadRequestException"}


def _error_code(exc: Exception) -> str | None:
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    code = response.get("Error", {}).get("Code")
    if code is None and response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 410:
        return "GoneException"
    return str(code) if code is not None else None


class ConnectionPoster:
    def __init__(self, endpoint_url: str):
        if not endpoint_url:
            raise RuntimeError("WEBSOCKET_CALLBACK_URL is not configured")
        self.endpoint_url = endpoint_url

    @property
    def _api(self) -> Any:
        return client("apigatewaymanagementapi", self.endpoint_url)

    def post(self, connection_id: str, message: str) -> bool:
        """Send ``message``; False when the connection is gone. Throttling and server
        errors raise, so the caller's batch is retried."""
        try:
            self._api.post_to_connection(ConnectionId=connection_id, Data=message.encode())
        except Exception as exc:
            code = _error_code(exc)
            if code in _GONE:
                return False
            if code in _PERMANENT:
                logger.error("message to %s refused: %s", connection_id, code)
                return True
            raise
        return True

    def close(self, connection_id: str) -> None:
        try:
            self._api.delete_connection(ConnectionId=connection_id)
        except Exception as exc:
            if _error_code(exc) not in _GONE:
                raise
