"""A loopback HTTP server speaking the OpenAI chat-completions and Anthropic messages
wire formats, scripted per test: queue replies (text, tool calls, errors, 429s) and
inspect the requests the platform sent."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

_ids = itertools.count(1)


@dataclass
class StubReply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class StubRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def openai_text(text: str, prompt_tokens: int = 11, completion_tokens: int = 7) -> StubReply:
    return StubReply(
        200,
        {
            "id": f"chatcmpl-{next(_ids)}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": "stub",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        },
    )


def openai_tool_calls(*calls: tuple[str, dict[str, Any]]) -> StubReply:
    tool_calls = [
        {
            "id": f"call_{next(_ids)}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)},
        }
        for name, args in calls
    ]
    reply = openai_text("")
    reply.body["choices"][0]["message"] = {"role": "assistant", "content": None, "tool_calls": tool_calls}
    reply.body["choices"][0]["finish_reason"] = "tool_calls"
    return reply


def anthropic_message(*content: dict[str, Any], input_tokens: int = 13, output_tokens: int = 5) -> StubReply:
    tool_use = any(block["type"] == "tool_use" for block in content)
    return StubReply(
        200,
        {
            "id": f"msg_{next(_ids)}",
            "type": "message",
            "role": "assistant",
            "model": "stub",
            "content": list(content),
            "stop_reason": "tool_use" if tool_use else "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
        },
    )


def anthropic_text(text: str) -> StubReply:
    return anthropic_message({"type": "text", "text": text})


def anthropic_tool_use(name: str, args: dict[str, Any]) -> StubReply:
    return anthropic_message(
        {"type": "text", "text": "Calling a tool."},
        {"type": "tool_use", "id": f"toolu_{next(_ids):04d}", "name": name, "input": args},
    )


def openai_error(status: int, message: str, retry_after: str | None = None) -> StubReply:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    kind = "rate_limit_exceeded" if status == 429 else "invalid_request_error"
    return StubReply(
        status, {"error": {"message": message, "type": kind, "param": None, "code": kind}}, headers
    )


def anthropic_error(status: int, message: str, retry_after: str | None = None) -> StubReply:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    kind = "rate_limit_error" if status == 429 else "authentication_error"
    return StubReply(status, {"type": "error", "error": {"type": kind, "message": message}}, headers)


class LLMStub:
    def __init__(self) -> None:
        self.replies: list[StubReply] = []
        self.requests: list[StubRequest] = []
        self.expected_key: str | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    def queue(self, *replies: StubReply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, request: StubRequest) -> StubReply:
        with self._lock:
            self.requests.append(request)
            anthropic = request.path.endswith("/v1/messages")
            key = (
                request.headers.get("x-api-key")
                if anthropic
                else request.headers.get("authorization", "")[7:]
            )
            if self.expected_key is not None and key != self.expected_key:
                # Real providers echo (part of) the bad key; ours echoes all of it.
                make = anthropic_error if anthropic else openai_error
                return make(401, f"Incorrect API key provided: {key}")
            if self.replies:
                return self.replies.pop(0)
        return anthropic_text("Hello from the stub") if anthropic else openai_text("Hello from the stub")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = stub._next(StubRequest(self.path, headers, body))
                payload = json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def llm_stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[LLMStub]:
    """A running stub, with loopback trusted for outbound LLM calls."""
    from agentplatform.config import get_settings

    monkeypatch.setenv("TRUST_ENDPOINTS_FOR_REQUESTS", "127.0.0.1")
    monkeypatch.setattr("agentplatform.llm.http.BASE_DELAY_SECONDS", 0.0)
    get_settings.cache_clear()
    stub = LLMStub()
    try:
        yield stub
    finally:
        stub.close()
        monkeypatch.delenv("TRUST_ENDPOINTS_FOR_REQUESTS")
        get_settings.cache_clear()
