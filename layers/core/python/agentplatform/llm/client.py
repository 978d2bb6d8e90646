"""One entry point for every model: pick the provider's wire format and endpoint, call
it, and record the call and its token usage in the node's stats."""

from __future__ import annotations

from typing import Any

from agentplatform.blocks.stats import record_stats
from agentplatform.llm.models import PROVIDER_BASE_URLS, LlmModel
from agentplatform.llm.types import LLMResponse
from agentplatform.models.credentials import APIKeyCredentials


def _ollama_url(host: str) -> str:
    host = host.strip().rstrip("/")
    return f"{host if '://' in host else 'http://' + host}/v1"


def base_url_for(credentials: APIKeyCredentials, model: LlmModel, ollama_host: str) -> str:
    """The endpoint to call (every request is checked by ``net.safe_http``)."""
    provider = model.provider
    if credentials.base_url:
        return credentials.base_url
    if provider == "ollama":
        return _ollama_url(ollama_host)
    return PROVIDER_BASE_URLS[provider]


def _output_limit(model: LlmModel, max_tokens: int | None) -> int | None:
    ceiling = model.metadata.max_output_tokens
    if max_tokens and ceiling:
        return min(max_tokens, ceiling)
    return max_tokens


async def llm_call(
    credentials: APIKeyCredentials,
    llm_model: LlmModel,
    prompt: list[dict[str, Any]],
    max_tokens: int | None = None,
    *,
    force_json_output: bool = False,
    tools: list[dict[str, Any]] | None = None,
    ollama_host: str = "localhost:11434",
    parallel_tool_calls: bool | None = None,
) -> LLMResponse:
    base_url = base_url_for(credentials, llm_model, ollama_host)
    api_key = credentials.api_key.get_secret_value()
    limit = _output_limit(llm_model, max_tokens)
    if llm_model.provider == "anthropic":
        from agentplatform.llm.anthropic import messages

        result = await messages(
            base_url=base_url,
            api_key=api_key,
            model=llm_model.value,
            prompt=prompt,
            max_tokens=limit,
            tools=tools,
        )
    else:
        from agentplatform.llm.openai_compat import chat_completion

        result = await chat_completion(
            provider=llm_model.provider,
            base_url=base_url,
            api_key=api_key or None,
            model=llm_model.value,
            prompt=prompt,
            max_tokens=limit,
            tools=tools,
            force_json_output=force_json_output,
            parallel_tool_calls=parallel_tool_calls,
        )
    record_stats(
        llm_call_count=1, input_token_count=result.prompt_tokens, output_token_count=result.completion_tokens
    )
    return result
