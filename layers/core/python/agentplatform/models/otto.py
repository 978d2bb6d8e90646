"""Shapes of ``POST /api/otto/ask`` (spec §1.3 row 124), as upstream's Otto models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Document(BaseModel):
    url: str
    relevance_score: float


class ApiResponse(BaseModel):
    answer: str
    documents: list[Document]
    success: bool


class GraphData(BaseModel):
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    graph_name: str | None = None
    graph_description: str | None = None


class Message(BaseModel):
    query: str
    response: str


class ChatRequest(BaseModel):
    query: str = Field(..., max_length=10_000)
    conversation_history: list[Message] = Field(..., max_length=100)
    message_id: str = Field(..., max_length=200)
    include_graph_data: bool = False
    graph_id: str | None = None
