"""Providers the platform holds its own credentials for ("system" credentials).

Upstream defines one platform credential per provider below, keyed to a setting
(``OPENAI_API_KEY``, ...), and ``GET /api/integrations/providers/system`` lists their
providers. Here the list holds only the providers whose setting is configured (in the
environment or ``PLATFORM_SECRETS_ARN``): a provider without a key has no platform
credential to offer. Ollama needs no key upstream and is left out, as there is no
platform Ollama server.
"""

from __future__ import annotations

# provider -> the settings that must all be set (upstream's names)
SYSTEM_CREDENTIAL_SETTINGS: dict[str, tuple[str, ...]] = {
    "revid": ("REVID_API_KEY",),
    "ideogram": ("IDEOGRAM_API_KEY",),
    "replicate": ("REPLICATE_API_KEY",),
    "openai": ("OPENAI_API_KEY",),
    "aiml_api": ("AIML_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY",),
    "groq": ("GROQ_API_KEY",),
    "d_id": ("DID_API_KEY",),
    "jina": ("JINA_API_KEY",),
    "unreal_speech": ("UNREAL_SPEECH_API_KEY",),
    "open_router": ("OPEN_ROUTER_API_KEY",),
    "llama_api": ("LLAMA_API_KEY",),
    "fal": ("FAL_API_KEY",),
    "exa": ("EXA_API_KEY",),
    "e2b": ("E2B_API_KEY",),
    "mem0": ("MEM0_API_KEY",),
    "nvidia": ("NVIDIA_API_KEY",),
    "screenshotone": ("SCREENSHOTONE_API_KEY",),
    "apollo": ("APOLLO_API_KEY",),
    "smartlead": ("SMARTLEAD_API_KEY",),
    "zerobounce": ("ZEROBOUNCE_API_KEY",),
    "google_maps": ("GOOGLE_MAPS_API_KEY",),
    "enrichlayer": ("ENRICHLAYER_API_KEY",),
    "v0": ("V0_API_KEY",),
    "webshare_proxy": ("WEBSHARE_PROXY_USERNAME", "WEBSHARE_PROXY_PASSWORD"),
    "openweathermap": ("OPENWEATHERMAP_API_KEY",),
    "elevenlabs": ("ELEVENLABS_API_KEY",),
}


def configured_system_providers() -> list[str]:
    from agentplatform.platform_secrets import platform_secret

    return [
        provider
        for provider, settings in SYSTEM_CREDENTIAL_SETTINGS.items()
        if all(platform_secret(name) for name in settings)
    ]
