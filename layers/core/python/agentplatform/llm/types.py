"""What a provider call returns, independent of the wire format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class LLMError(Exception):
    """A provider answered with an error (after retries), or could not be reached."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # a JSON object, as the model wrote it


@dataclass
class LLMResponse:
    # The assistant turn in the provider's own message format, so conversations that
    # continue (SmartDecisionMaker's tool loop) can be sent back verbatim.
    raw_response: dict[str, Any]
    prompt: list[dict[str, Any]]
    response: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning: str | None = None
