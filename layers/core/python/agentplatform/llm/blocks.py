"""What the AI blocks share: the credentials field, per-model costs, prompt
templating and tolerant JSON extraction from model replies."""

from __future__ import annotations

import json
import re
from typing import Any

from agentplatform.blocks.block import BlockCost, BlockCostType
from agentplatform.blocks.credentials import CredentialsField
from agentplatform.blocks.schema import SchemaField
from agentplatform.llm.models import AI_PROVIDERS, MODEL_METADATA, LlmModel
from agentplatform.models.credentials import APIKeyCredentials, CredentialsMetaInput

AICredentials = CredentialsMetaInput

# Upstream's mock credentials for block test vectors (no real key anywhere).
TEST_CREDENTIALS = APIKeyCredentials(
    id="769f6af7-820b-4d5d-9b7a-ab82bbc165f",
    provider="openai",
    api_key="mock-openai-api-key",  # type: ignore[arg-type]
    title="Mock OpenAI API key",
)
TEST_CREDENTIALS_INPUT = {
    "provider": TEST_CREDENTIALS.provider,
    "id": TEST_CREDENTIALS.id,
    "type": TEST_CREDENTIALS.type,
    "title": TEST_CREDENTIALS.title,
}


def AICredentialsField() -> Any:
    """One field for every provider; the node's ``model`` picks which one it needs."""
    return CredentialsField(
        provider=AI_PROVIDERS,
        supported_types=["api_key"],
        description="API key for the LLM provider.",
        discriminator="model",
        discriminator_mapping={model.value: model.provider for model in LlmModel},
    )


def model_costs() -> list[BlockCost]:
    """One ``BlockCost`` per model: a node pays its model's price per run."""
    return [
        BlockCost(cost_amount=meta.cost, cost_filter={"model": model.value}, cost_type=BlockCostType.RUN)
        for model, meta in MODEL_METADATA.items()
    ]


def format_prompt(template: str, values: dict[str, Any]) -> str:
    """``{{name}}`` placeholders filled from ``prompt_values`` (sandboxed Jinja2)."""
    if not values or not template:
        return template
    from jinja2 import TemplateError

    from agentplatform.blocks.templating import render

    try:
        return render(template, values)
    except TemplateError as exc:
        raise ValueError(f"Invalid prompt template: {exc}") from exc


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def parse_json_reply(text: str) -> Any:
    """The JSON a model replied with, tolerating code fences and text around it."""
    candidates = [text.strip()]
    candidates += [m.strip() for m in _FENCE.findall(text)]
    for opener, closer in (("{", "}"), ("[", "]")):
        start, end = text.find(opener), text.rfind(closer)
        if 0 <= start < end:
            candidates.append(text[start : end + 1])
    error: json.JSONDecodeError | None = None
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except json.JSONDecodeError as exc:
            error = error or exc
    raise ValueError(f"JSON decode error: {error}")


def estimate_tokens(messages: list[dict[str, Any]]) -> int:
    # About four characters per token: good enough to decide whether to trim.
    return sum(len(json.dumps(m.get("content") or "")) for m in messages) // 4


def compress_prompt(messages: list[dict[str, Any]], budget_tokens: int) -> list[dict[str, Any]]:
    """Shorten the longest text turns from their middle until the prompt fits."""
    trimmed = [dict(m) for m in messages]
    marker = "\n[... content truncated to fit the model's context window ...]\n"
    while estimate_tokens(trimmed) > budget_tokens:
        texts = [
            i for i, m in enumerate(trimmed) if isinstance(m.get("content"), str) and len(m["content"]) > 400
        ]
        if not texts:
            break
        longest = max(texts, key=lambda i: len(trimmed[i]["content"]))
        content = trimmed[longest]["content"]
        excess = (estimate_tokens(trimmed) - budget_tokens) * 4 + len(marker)
        keep = max(len(content) - excess, 200)
        trimmed[longest]["content"] = content[: keep // 2] + marker + content[-(keep // 2) :]
        if len(trimmed[longest]["content"]) >= len(content):
            break
    return trimmed


def api_key_credentials(kwargs: dict[str, Any], field: str = "credentials") -> APIKeyCredentials:
    """The resolved credentials the engine passed for ``field``."""
    creds = kwargs.get(field)
    if not isinstance(creds, APIKeyCredentials):
        raise ValueError(f"No API key credentials were provided for `{field}`")
    return creds


# ---------------------------------------------------------------- input fields every AI block declares


def model_field() -> Any:
    from agentplatform.llm.models import DEFAULT_LLM_MODEL

    return SchemaField(
        title="LLM Model",
        default=DEFAULT_LLM_MODEL,
        description="The language model to use for answering the prompt.",
        advanced=False,
    )


def sys_prompt_field(default: str = "") -> Any:
    return SchemaField(
        title="System Prompt",
        default=default,
        description="The system prompt to provide additional context to the model.",
    )


def retry_field() -> Any:
    return SchemaField(
        title="Retry Count",
        default=3,
        description="Number of times to retry the LLM call if the response does not match the "
        "expected format.",
    )


def prompt_values_field() -> Any:
    return SchemaField(
        advanced=False,
        default_factory=dict,
        description="Values used to fill in the prompt. The values can be used in the prompt by putting "
        "them in a double curly braces, e.g. {{variable_name}}.",
    )


def max_tokens_field() -> Any:
    return SchemaField(
        advanced=True,
        default=None,
        description="The maximum number of tokens to generate in the chat completion.",
    )


def ollama_host_field(default: str) -> Any:
    return SchemaField(advanced=True, default=default, description="Ollama host for local models")
