"""Domain exceptions. The API maps them to status codes (see ``api/errors.py``).

As upstream, ``NotFoundError`` and ``NotAuthorizedError`` subclass ``ValueError`` but
have their own handlers, so they answer 404 and 403 rather than 400.
"""

from __future__ import annotations

from collections.abc import Mapping


class NotFoundError(ValueError):
    """The resource does not exist, or belongs to someone else (never say which)."""


class NotAuthorizedError(ValueError):
    """The caller is known but may not do this."""


class MissingConfigError(Exception):
    """A required setting is absent; the API answers 503."""


class GraphValidationError(ValueError):
    """A graph failed structural or per-node validation."""

    def __init__(self, message: str, node_errors: Mapping[str, Mapping[str, str]] | None = None):
        super().__init__(message)
        self.message = message
        self.node_errors: dict[str, dict[str, str]] = {
            node: dict(errs) for node, errs in (node_errors or {}).items()
        }

    @classmethod
    def for_nodes(cls, node_errors: Mapping[str, Mapping[str, str]]) -> GraphValidationError:
        """Upstream's summary message for a set of per-node errors."""
        issues = sum(len(errors) for errors in node_errors.values())
        return cls(f"Graph validation failed: {issues} issues on {len(node_errors)} nodes", node_errors)

    def __str__(self) -> str:
        lines = [self.message]
        for node_id, errs in self.node_errors.items():
            lines.append(f"  {node_id}:")
            lines.extend(f"    {field}: {err}" for field, err in errs.items())
        return "\n".join(lines)

    def to_detail(self) -> dict[str, object]:
        return {"type": "validation_error", "message": self.message, "node_errors": self.node_errors}


class IdempotencyKeyReusedError(ValueError):
    """An ``Idempotency-Key`` sent again with a different request: 422."""


class IdempotencyKeyInProgressError(ValueError):
    """The first request with this ``Idempotency-Key`` has not finished yet: 409."""
