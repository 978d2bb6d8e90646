"""Provider names (AutoGPT's ``ProviderName`` values) and which of them use OAuth.

A credential may name any provider matching ``PROVIDER_PATTERN``, as upstream accepts
providers registered by SDK blocks; this list is what the catalogue routes report.
"""

from __future__ import annotations

import re

PROVIDER_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")

PROVIDER_NAMES: tuple[str, ...] = (
    "aiml_api",
    "airtable",
    "anthropic",
    "apollo",
    "ayrshare",
    "compass",
    "d_id",
    "dataforseo",
    "discord",
    "e2b",
    "enrichlayer",
    "exa",
    "fal",
    "firecrawl",
    "generic_webhook",
    "github",
    "google",
    "google_maps",
    "groq",
    "http",
    "hubspot",
    "ideogram",
    "jina",
    "linear",
    "llama_api",
    "medium",
    "mem0",
    "notion",
    "nvidia",
    "ollama",
    "open_router",
    "openai",
    "openweathermap",
    "pinecone",
    "reddit",
    "replicate",
    "revid",
    "screenshotone",
    "slant3d",
    "smartlead",
    "smtp",
    "todoist",
    "twitter",
    "unreal_speech",
    "v0",
    "wordpress",
    "webshare_proxy",
    "zerobounce",
)


def is_valid_provider(name: str) -> bool:
    return bool(PROVIDER_PATTERN.match(name))


def constant_name(provider: str) -> str:
    return provider.upper().replace("-", "_")
