"""OpenAI-compatible chat completions (OpenAI, Groq, OpenRouter, Ollama, AI/ML API...)."""

from __future__ import annotations

from typing import Any

from agentplatform.llm.http import post_json
from agentplatform.llm.types import LLMError, LLMResponse, ToolCall

# OpenAI's reasoning models reject ``max_tokens`` and system messages' older forms.
_COMPLETION_TOKENS_PREFIXES = ("o1", "o3", "o4", "gpt-5", "gpt-4.1")


def _body(
    model: str,
    prompt: list[dict[str, Any]],
    max_tokens: int | None,
    tools: list[dict[str, Any]] | None,
    force_json_output: bool,
    parallel_tool_calls: bool | None,
    use_completion_tokens: bool,
) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "messages": prompt}
    if max_tokens:
        body["max_completion_tokens" if use_completion_tokens else "max_tokens"] = max_tokens
    if tools:
        body["tools"] = tools
        if parallel_tool_calls is not None:
            body["parallel_tool_calls"] = parallel_tool_calls
    if force_json_output:
        body["response_format"] = {"type": "json_object"}
    return body


def _parse(data: dict[str, Any], prompt: list[dict[str, Any]], provider: str) -> LLMResponse:
    choices = data.get("choices") or []
    if not choices or not isinstance(choices[0].get("message"), dict):
        raise LLMError(f"{provider} API returned no choices")
    message = choices[0]["message"]
    calls = [
        ToolCall(
            id=str(call.get("id", "")),
            name=str(call.get("function", {}).get("name", "")),
            arguments=str(call.get("function", {}).get("arguments") or "{}"),
        )
        for call in message.get("tool_calls") or []
    ]
    raw: dict[str, Any] = {"role": "assistant", "content": message.get("content")}
    if message.get("tool_calls"):
        raw["tool_calls"] = message["tool_calls"]
    usage = data.get("usage") or {}
    return LLMResponse(
        raw_response=raw,
        prompt=prompt,
        response=message.get("content") or "",
        tool_calls=calls,
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        reasoning=message.get("reasoning") or message.get("reasoning_content"),
    )


async def chat_completion(
    *,
    provider: str,
    base_url: str,
    api_key: str | None,
    model: str,
    prompt: list[dict[str, Any]],
    max_tokens: int | None,
    tools: list[dict[str, Any]] | None = None,
    force_json_output: bool = False,
    parallel_tool_calls: bool | None = None,
) -> LLMResponse:
    use_completion_tokens = provider == "openai" and model.startswith(_COMPLETION_TOKENS_PREFIXES)
    body = _body(
        model, prompt, max_tokens, tools, force_json_output, parallel_tool_calls, use_completion_tokens
    )
    headers = {"content-type": "application/json"}
    if api_key:
        headers["authorization"] = f"Bearer {api_key}"
    data = await post_json(provider, f"{base_url}/chat/completions", headers, body, api_key)
    return _parse(data, prompt, provider)
