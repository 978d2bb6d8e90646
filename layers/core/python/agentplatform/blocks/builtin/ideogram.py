"""Ideogram image generation (https://developer.ideogram.ai), over its HTTP API.

``V_3`` uses ``POST /v1/ideogram-v3/generate`` (multipart form, as Ideogram documents
it); the older models use ``POST /generate`` (JSON ``image_request``). "AI Upscale"
sends the generated image to ``POST /upscale``. The key goes in the ``Api-Key`` header.
"""

from __future__ import annotations

import enum
import json
from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockCost,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from agentplatform.blocks.credentials import CredentialsField, CredentialsMetaInput
from agentplatform.blocks.service_http import ServiceError, mock_credentials, request_json
from agentplatform.models.credentials import APIKeyCredentials

API = "https://api.ideogram.ai"
TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT = mock_credentials("ideogram", "Mock Ideogram API key")


class IdeogramModelName(enum.StrEnum):
    V3 = "V_3"
    V2 = "V_2"
    V1 = "V_1"
    V1_TURBO = "V_1_TURBO"
    V2_TURBO = "V_2_TURBO"


class MagicPromptOption(enum.StrEnum):
    AUTO = "AUTO"
    ON = "ON"
    OFF = "OFF"


class StyleType(enum.StrEnum):
    AUTO = "AUTO"
    GENERAL = "GENERAL"
    REALISTIC = "REALISTIC"
    DESIGN = "DESIGN"
    RENDER_3D = "RENDER_3D"
    ANIME = "ANIME"


class ColorPalettePreset(enum.StrEnum):
    NONE = "NONE"
    EMBER = "EMBER"
    FRESH = "FRESH"
    JUNGLE = "JUNGLE"
    MAGIC = "MAGIC"
    MELON = "MELON"
    MOSAIC = "MOSAIC"
    PASTEL = "PASTEL"
    ULTRAMARINE = "ULTRAMARINE"


class AspectRatio(enum.StrEnum):
    ASPECT_10_16 = "ASPECT_10_16"
    ASPECT_16_10 = "ASPECT_16_10"
    ASPECT_9_16 = "ASPECT_9_16"
    ASPECT_16_9 = "ASPECT_16_9"
    ASPECT_3_2 = "ASPECT_3_2"
    ASPECT_2_3 = "ASPECT_2_3"
    ASPECT_4_3 = "ASPECT_4_3"
    ASPECT_3_4 = "ASPECT_3_4"
    ASPECT_1_1 = "ASPECT_1_1"
    ASPECT_1_3 = "ASPECT_1_3"
    ASPECT_3_1 = "ASPECT_3_1"


class UpscaleOption(enum.StrEnum):
    AI_UPSCALE = "AI Upscale"
    NO_UPSCALE = "No Upscale"


# Models that accept a style type / a colour palette on the legacy endpoint.
_STYLED_MODELS = {"V_2", "V_2_TURBO", "V_3"}
_PALETTE_MODELS = {"V_2", "V_2_TURBO"}


def _v3_aspect_ratio(value: str) -> str:
    """``ASPECT_16_9`` -> ``16x9``, the V3 endpoint's spelling."""
    return value.removeprefix("ASPECT_").replace("_", "x") if value.startswith("ASPECT_") else "1x1"


def _first_url(reply: Any) -> str:
    try:
        url = reply["data"][0]["url"]
    except (KeyError, IndexError, TypeError):
        url = None
    if not isinstance(url, str) or not url:
        raise ServiceError("Ideogram returned no image (the result may have been withheld as unsafe)")
    return url


async def _ideogram(url: str, api_key: str, **body: Any) -> str:
    try:
        reply = await request_json(
            "Ideogram", "POST", url, secrets=[api_key], headers={"Api-Key": api_key}, **body
        )
    except ServiceError as exc:
        if exc.status_code == 401:
            raise ServiceError(
                "Invalid or expired API key. Please check your Ideogram API credentials.", 401
            ) from None
        raise
    return _first_url(reply)


def _mock_run_model(
    api_key: str,
    model_name: str,
    prompt: str,
    seed: int | None,
    aspect_ratio: str,
    magic_prompt_option: str,
    style_type: str,
    negative_prompt: str | None,
    color_palette_name: str,
    custom_colors: list[str] | None,
) -> str:
    """The vector's stand-in for ``run_model`` (upstream's mock, same parameters)."""
    return "https://ideogram.ai/api/images/test-generated-image-url.png"


class IdeogramModelBlock(Block):
    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = CredentialsField(
            provider="ideogram",
            supported_types=["api_key"],
            description=(
                "The Ideogram integration can be used with any API key with sufficient "
                "permissions for the blocks it is used on."
            ),
        )
        prompt: str = SchemaField(
            description="Text prompt for image generation",
            placeholder="e.g., 'A futuristic cityscape at sunset'",
            title="Prompt",
        )
        ideogram_model_name: IdeogramModelName = SchemaField(
            description="The name of the Image Generation Model, e.g., V_3",
            default=IdeogramModelName.V3,
            title="Image Generation Model",
            advanced=False,
        )
        aspect_ratio: AspectRatio = SchemaField(
            description="Aspect ratio for the generated image",
            default=AspectRatio.ASPECT_1_1,
            title="Aspect Ratio",
            advanced=False,
        )
        upscale: UpscaleOption = SchemaField(
            description="Upscale the generated image",
            default=UpscaleOption.NO_UPSCALE,
            title="Upscale Image",
            advanced=False,
        )
        magic_prompt_option: MagicPromptOption = SchemaField(
            description="Whether to use MagicPrompt for enhancing the request",
            default=MagicPromptOption.AUTO,
            title="Magic Prompt Option",
            advanced=True,
        )
        seed: int | None = SchemaField(
            description="Random seed. Set for reproducible generation",
            default=None,
            title="Seed",
            advanced=True,
        )
        style_type: StyleType = SchemaField(
            description="Style type to apply, applicable for V_2 and above",
            default=StyleType.AUTO,
            title="Style Type",
            advanced=True,
        )
        negative_prompt: str | None = SchemaField(
            description="Description of what to exclude from the image",
            default=None,
            title="Negative Prompt",
            advanced=True,
        )
        color_palette_name: ColorPalettePreset = SchemaField(
            description="Color palette preset name, choose 'None' to skip",
            default=ColorPalettePreset.NONE,
            title="Color Palette Preset",
            advanced=True,
        )
        custom_color_palette: list[str] | None = SchemaField(
            description=(
                "Only available for model version V_2 or V_2_TURBO. Provide one or more color hex "
                "codes (e.g., ['#000030', '#1C0C47', '#9900FF', '#4285F4', '#FFFFFF']) to define a "
                "custom color palette. Only used if 'color_palette_name' is 'NONE'."
            ),
            default=None,
            title="Custom Color Palette",
            advanced=True,
        )

    class Output(BlockSchemaOutput):
        result: str = SchemaField(description="Generated image URL")

    def __init__(self) -> None:
        super().__init__(
            id="6ab085e2-20b3-4055-bc3e-08036e01eca6",
            description="This block runs Ideogram models with both simple and advanced settings.",
            categories={BlockCategory.AI, BlockCategory.MULTIMEDIA},
            input_schema=IdeogramModelBlock.Input,
            output_schema=IdeogramModelBlock.Output,
            test_input={
                "ideogram_model_name": IdeogramModelName.V2,
                "prompt": "A futuristic cityscape at sunset",
                "aspect_ratio": AspectRatio.ASPECT_1_1,
                "upscale": UpscaleOption.NO_UPSCALE,
                "magic_prompt_option": MagicPromptOption.AUTO,
                "seed": None,
                "style_type": StyleType.AUTO,
                "negative_prompt": None,
                "color_palette_name": ColorPalettePreset.NONE,
                "custom_color_palette": ["#000030", "#1C0C47", "#9900FF", "#4285F4", "#FFFFFF"],
                "credentials": TEST_CREDENTIALS_INPUT,
            },
            test_output=[("result", "https://ideogram.ai/api/images/test-generated-image-url.png")],
            test_mock={
                "run_model": _mock_run_model,
                "upscale_image": lambda api_key, image_url: (
                    "https://ideogram.ai/api/images/test-upscaled-image-url.png"
                ),
            },
            test_credentials=TEST_CREDENTIALS,
            costs=[
                BlockCost(cost_amount=12),
                BlockCost(cost_amount=14, cost_filter={"ideogram_model_name": "V_3"}),
            ],
        )

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        api_key = credentials.api_key.get_secret_value()
        result = await self.run_model(
            api_key=api_key,
            model_name=input_data.ideogram_model_name.value,
            prompt=input_data.prompt,
            seed=input_data.seed,
            aspect_ratio=input_data.aspect_ratio.value,
            magic_prompt_option=input_data.magic_prompt_option.value,
            style_type=input_data.style_type.value,
            negative_prompt=input_data.negative_prompt,
            color_palette_name=input_data.color_palette_name.value,
            custom_colors=input_data.custom_color_palette,
        )
        if input_data.upscale == UpscaleOption.AI_UPSCALE:
            result = await self.upscale_image(api_key=api_key, image_url=result)
        yield "result", result

    async def run_model(
        self,
        api_key: str,
        model_name: str,
        prompt: str,
        seed: int | None,
        aspect_ratio: str,
        magic_prompt_option: str,
        style_type: str,
        negative_prompt: str | None,
        color_palette_name: str,
        custom_colors: list[str] | None,
    ) -> str:
        if model_name == "V_3":
            fields: dict[str, Any] = {
                "prompt": prompt,
                "aspect_ratio": _v3_aspect_ratio(aspect_ratio),
                "magic_prompt": magic_prompt_option,
                "style_type": style_type,
            }
            if seed is not None:
                fields["seed"] = str(seed)
            if negative_prompt:
                fields["negative_prompt"] = negative_prompt
            # A multipart form with fields only: httpx sends (None, value) parts as fields.
            form = [(name, (None, str(value))) for name, value in fields.items()]
            return await _ideogram(f"{API}/v1/ideogram-v3/generate", api_key, files=form)
        request: dict[str, Any] = {
            "prompt": prompt,
            "model": model_name,
            "aspect_ratio": aspect_ratio,
            "magic_prompt_option": magic_prompt_option,
        }
        if model_name in _STYLED_MODELS:
            request["style_type"] = style_type
        if seed is not None:
            request["seed"] = seed
        if negative_prompt:
            request["negative_prompt"] = negative_prompt
        body: dict[str, Any] = {"image_request": request}
        if model_name in _PALETTE_MODELS:
            if color_palette_name != "NONE":
                body["color_palette"] = {"name": color_palette_name}
            elif custom_colors:
                body["color_palette"] = {"members": [{"color_hex": color} for color in custom_colors]}
        return await _ideogram(f"{API}/generate", api_key, json=body)

    async def upscale_image(self, api_key: str, image_url: str) -> str:
        from agentplatform.blocks.media import load_media

        if not image_url.startswith(("http://", "https://")):
            raise ServiceError("Ideogram upscaling needs the generated image's URL")
        image = await load_media(image_url, None)
        files = [
            ("image_request", (None, json.dumps({}))),
            ("image_file", ("image.png", image.data, "image/png")),
        ]
        return await _ideogram(f"{API}/upscale", api_key, files=files)
