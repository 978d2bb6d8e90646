"""Domain exceptions. The API maps them to status codes (see ``api/errors.py``).

As upstream, ``NotFoundError`` and ``NotAuthorizedError`` subclass ``ValueError`` but
have their own handlers, so they answer 404 and 403 rather than 400.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class NotFoundError(ValueError):
    """The resource does not exist, or belongs to someone else (never say which)."""


class NotAuthorizedError(ValueError):
    """The caller is known but may not do this."""


class BlockError(Exception):
    """A failure attributed to a block; the message names the block, as upstream."""

    def __init__(self, message: str, block_name: str, block_id: str):
        super().__init__(f"raised by {block_name} with message: {message}. block_id: {block_id}")
        self.raw_message = message


class ConflictError(ValueError):
    """The request conflicts with the resource's current state; the API answers 409."""


class MissingConfigError(Exception):
    """A required setting is absent; the API answers 503."""


class PayloadTooLargeError(ValueError):
    """Input too large to store (say, a graph past one DynamoDB item, or an upload over the
    size limit); the API answers 413."""


class NotConfiguredError(Exception):
    """A feature this deployment does not provide (say, an OAuth provider); the API answers 501."""


class GraphValidationError(ValueError):
    """A graph failed structural or per-node validation."""

    def __init__(self, message: str, node_errors: Mapping[str, Mapping[str, str]] | None = None):
        super().__init__(message)
        self.message = message
        self.node_errors: dict[str, dict[str, str]] = {
            node: dict(errs) for node, errs in (node_errors or {}).items()
        }

    @classmethod
    def for_nodes(
        cls, node_errors: Mapping[str, Mapping[str, str]], unavailable_blocks: Sequence[str] = ()
    ) -> GraphValidationError:
        """Upstream's summary message for a set of per-node errors, then the ids of the
        blocks the graph uses that this platform does not have (each once)."""
        issues = sum(len(errors) for errors in node_errors.values())
        message = f"Graph validation failed: {issues} issues on {len(node_errors)} nodes"
        if unavailable_blocks:
            message += f". Blocks not available on this platform: {', '.join(unavailable_blocks)}"
        return cls(message, node_errors)

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


class InsufficientBalanceError(ValueError):
    """A charge would take the balance below zero. ``str()`` is the message shown to users."""

    def __init__(self, message: str, user_id: str, balance: int, amount: int):
        super().__init__(message)
        self.message = message
        self.user_id = user_id
        self.balance = balance
        self.amount = amount

    @classmethod
    def for_charge(cls, user_id: str, balance: int, cost: int) -> InsufficientBalanceError:
        """Upstream's message, in dollars (1 credit = 1 cent)."""
        message = f"Insufficient balance of ${balance / 100}, where this will cost ${cost / 100}"
        return cls(message, user_id=user_id, balance=balance, amount=-cost)

    def __str__(self) -> str:
        return self.message


# -- platform services (uploads, Otto)


class UnsupportedMediaTypeError(ValueError):
    """An upload whose content (sniffed, not declared) is a forbidden type: 415."""


class UpstreamServiceError(Exception):
    """A service the platform proxies answered with an error or not at all: 502."""
