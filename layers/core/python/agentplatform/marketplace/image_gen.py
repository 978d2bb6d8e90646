"""``POST /api/store/submissions/generate_image``: a listing image made by Ideogram.

Without ``IDEOGRAM_API_KEY`` the route answers 503 (upstream also needs an image
provider's key). With it, Ideogram's v3 generate API draws the agent from its name and
description; the image is fetched and stored like an uploaded one. Both requests go
through the SSRF-safe client.
"""

from __future__ import annotations

import asyncio

from agentplatform.config import get_settings
from agentplatform.errors import MissingConfigError

IDEOGRAM_GENERATE_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"
NOT_CONFIGURED = "Image generation is not configured: set IDEOGRAM_API_KEY to generate agent images"


def _prompt(name: str, description: str) -> str:
    subject = f"{name} ({description})" if description else name
    return (
        f'A clean, bold vector illustration for an app store listing of "{name}", clearly '
        f"depicting {subject} with objects tied to what it does. Flat colours, sharp lines, "
        "no gradients, the name in bold type."
    )


async def _generate(api_key: str, prompt: str) -> bytes:
    from agentplatform.net.safe_http import SafeHttpClient

    async with SafeHttpClient(timeout=120) as http:
        response = await http.request(
            "POST",
            IDEOGRAM_GENERATE_URL,
            headers={"Api-Key": api_key},
            files={
                "prompt": (None, prompt),
                "aspect_ratio": (None, "16x9"),
                "rendering_speed": (None, "TURBO"),
            },
            sensitive_headers={"Api-Key"},
        )
        if response.status_code != 200:
            raise ValueError(f"Image generation failed: Ideogram answered {response.status_code}")
        url = response.json()["data"][0]["url"]
        image = await http.request("GET", url)
        if image.status_code != 200:
            raise ValueError(f"Image generation failed: fetching the image answered {image.status_code}")
        return image.content


def generate_agent_image(user_id: str, graph_id: str, api_base_url: str) -> str:
    """Draw an image for the caller's agent and store it as listing media; its URL."""
    api_key = get_settings().ideogram_api_key
    if not api_key:
        raise MissingConfigError(NOT_CONFIGURED)
    from agentplatform.marketplace.media import upload
    from agentplatform.store.graphs import GraphRepository

    graph = GraphRepository().get(user_id, graph_id)  # 404 unless the caller's
    content = asyncio.run(_generate(api_key, _prompt(graph.name, graph.description)))
    return upload(user_id, content, None, api_base_url)
