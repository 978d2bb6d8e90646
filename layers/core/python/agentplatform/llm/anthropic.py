"""Anthropic messages API. Prompts arrive in the OpenAI shape the blocks build; the
system turns become ``system``, tools become Anthropic tools, and consecutive turns of
one role are merged, as the API requires alternating roles."""

from __future__ import annotations

import json
from typing import Any

from agentplatform.llm.http import post_json
from agentplatform.llm.types import LLMError, LLMResponse, ToolCall

API_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096


def _as_blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, list):
        return content
    return [{"type": "text", "text": str(content or "")}]


def _split_system(prompt: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    system = "\n\n".join(str(m.get("content") or "") for m in prompt if m.get("role") == "system")
    merged: list[dict[str, Any]] = []
    for message in prompt:
        role = message.get("role")
        if role == "system":
            continue
        if role not in ("user", "assistant"):
            role = "user"
        if merged and merged[-1]["role"] == role:
            merged[-1]["content"] = _as_blocks(merged[-1]["content"]) + _as_blocks(message.get("content"))
        else:
            merged.append({"role": role, "content": message.get("content") or ""})
    return system, merged


def _tools(tools: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    converted = []
    for tool in tools or []:
        function = tool.get("function", tool)
        converted.append(
            {
                "name": function["name"],
                "description": function.get("description", ""),
                "input_schema": function.get("parameters") or {"type": "object", "properties": {}},
            }
        )
    return converted


def _parse(data: dict[str, Any], prompt: list[dict[str, Any]]) -> LLMResponse:
    content = data.get("content")
    if not isinstance(content, list):
        raise LLMError("anthropic API returned no content")
    text = "".join(str(block.get("text", "")) for block in content if block.get("type") == "text")
    calls = [
        ToolCall(
            id=str(block.get("id", "")),
            name=str(block.get("name", "")),
            arguments=json.dumps(block.get("input") or {}),
        )
        for block in content
        if block.get("type") == "tool_use"
    ]
    thinking = "".join(str(b.get("thinking", "")) for b in content if b.get("type") == "thinking") or None
    usage = data.get("usage") or {}
    return LLMResponse(
        raw_response={"role": "assistant", "content": content},
        prompt=prompt,
        response=text,
        tool_calls=calls,
        prompt_tokens=int(usage.get("input_tokens") or 0),
        completion_tokens=int(usage.get("output_tokens") or 0),
        reasoning=thinking,
    )


async def messages(
    *,
    base_url: str,
    api_key: str,
    model: str,
    prompt: list[dict[str, Any]],
    max_tokens: int | None,
    tools: list[dict[str, Any]] | None = None,
) -> LLMResponse:
    system, turns = _split_system(prompt)
    body: dict[str, Any] = {"model": model, "max_tokens": max_tokens or DEFAULT_MAX_TOKENS, "messages": turns}
    if system:
        body["system"] = system
    if tools:
        body["tools"] = _tools(tools)
    headers = {"content-type": "application/json", "x-api-key": api_key, "anthropic-version": API_VERSION}
    data = await post_json("anthropic", f"{base_url}/v1/messages", headers, body, api_key)
    return _parse(data, prompt)
