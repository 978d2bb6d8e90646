"""Image generation on Replicate (https://replicate.com/docs/reference/http), over its
predictions HTTP API.

A run is a prediction: ``POST /v1/models/{owner}/{name}/predictions`` with
``{"input": {...}}`` creates it (``starting``), and ``GET /v1/predictions/{id}`` reports
``processing`` until it ends ``succeeded`` (with ``output``), ``failed`` (with
``error``) or ``canceled``. The blocks poll as upstream's client does (every 0.5 s),
within ``SERVICE_POLL_TIMEOUT_SECONDS``; a prediction still running then is canceled
(``POST /v1/predictions/{id}/cancel``) so it stops costing money. Like upstream, a run
that fails is tried again, up to 3 attempts 2 s and 4 s apart, all within that budget;
a request refused with a 4xx other than 429 is not (a bad key will not improve).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import time
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
from agentplatform.blocks.service_http import (
    PollTimeout,
    ServiceError,
    mock_credentials,
    poll,
    poll_deadline,
    poll_interval,
    request_json,
)
from agentplatform.models.credentials import APIKeyCredentials

API = "https://api.replicate.com/v1"
POLL_SECONDS = 0.5
MAX_ATTEMPTS = 3
RETRY_DELAY_SECONDS = 2.0
_FINISHED = {"succeeded", "failed", "canceled"}

TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT = mock_credentials("replicate", "Mock Replicate API key")


def _replicate_credentials(description: str) -> Any:
    return CredentialsField(provider="replicate", supported_types=["api_key"], description=description)


async def _call(api_key: str, method: str, url: str, body: Any = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {api_key}"}
    return await request_json("Replicate", method, url, secrets=[api_key], headers=headers, json=body)


async def _predict_once(api_key: str, model: str, input_params: dict[str, Any], deadline: float) -> Any:
    prediction = await _call(api_key, "POST", f"{API}/models/{model}/predictions", {"input": input_params})
    prediction_id = prediction.get("id")
    if not prediction_id:
        raise ServiceError("Replicate did not return a prediction id")

    async def finished() -> dict[str, Any] | None:
        current = await _call(api_key, "GET", f"{API}/predictions/{prediction_id}")
        return current if current.get("status") in _FINISHED else None

    done = prediction
    if done.get("status") not in _FINISHED:
        try:
            done = await poll(finished, what="Replicate prediction", interval=POLL_SECONDS, deadline=deadline)
        except PollTimeout:
            await _cancel(api_key, prediction_id)
            raise
    if done["status"] != "succeeded":
        error = done.get("error") or done["status"]
        raise ServiceError(f"Replicate prediction failed: {error}")
    return done.get("output")


async def _cancel(api_key: str, prediction_id: str) -> None:
    with contextlib.suppress(ServiceError):  # best effort: the timeout is what the user hears about
        await _call(api_key, "POST", f"{API}/predictions/{prediction_id}/cancel")


def _retryable(exc: ServiceError) -> bool:
    if isinstance(exc, PollTimeout):
        return False
    return exc.status_code is None or exc.status_code == 429 or exc.status_code >= 500


async def run_prediction(api_key: str, model: str, input_params: dict[str, Any]) -> Any:
    """The output of a prediction of ``model`` (``owner/name``) on ``input_params``."""
    deadline = poll_deadline()
    for attempt in range(MAX_ATTEMPTS):
        try:
            return await _predict_once(api_key, model, input_params, deadline)
        except ServiceError as exc:
            pause = poll_interval(RETRY_DELAY_SECONDS * 2**attempt)
            if attempt + 1 == MAX_ATTEMPTS or not _retryable(exc) or time.monotonic() + pause > deadline:
                raise
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover


def extract_result(output: Any) -> str:
    """A prediction's output as one string, as upstream reads it: a file URL (the first
    of several), text chunks joined, or the first object."""
    if isinstance(output, list) and output:
        first = output[0]
        if isinstance(first, str) and first.startswith(("http://", "https://", "data:")):
            return first
        if isinstance(first, str):
            return "".join(str(part) for part in output)
        return str(first)
    if isinstance(output, str):
        return output
    return "No output received"


# -- ReplicateFluxAdvancedModelBlock


class ReplicateFluxModelName(enum.StrEnum):
    FLUX_SCHNELL = "Flux Schnell"
    FLUX_PRO = "Flux Pro"
    FLUX_PRO1_1 = "Flux Pro 1.1"

    @property
    def api_name(self) -> str:
        return {
            ReplicateFluxModelName.FLUX_SCHNELL: "black-forest-labs/flux-schnell",
            ReplicateFluxModelName.FLUX_PRO: "black-forest-labs/flux-pro",
            ReplicateFluxModelName.FLUX_PRO1_1: "black-forest-labs/flux-1.1-pro",
        }[self]


class ImageType(enum.StrEnum):
    WEBP = "webp"
    JPG = "jpg"
    PNG = "png"


def _mock_flux_run_model(
    api_key: str,
    model_name: str,
    prompt: str,
    seed: int,
    steps: int,
    guidance: float,
    interval: float,
    aspect_ratio: str,
    output_format: str,
    output_quality: int,
    safety_tolerance: int,
) -> str:
    """The vector's stand-in for ``run_model`` (upstream's mock, same parameters)."""
    return "https://replicate.com/output/generated-image-url.jpg"


class ReplicateFluxAdvancedModelBlock(Block):
    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = _replicate_credentials(
            "The Replicate integration can be used with any API key with sufficient permissions "
            "for the blocks it is used on."
        )
        prompt: str = SchemaField(
            description="Text prompt for image generation",
            placeholder="e.g., 'A futuristic cityscape at sunset'",
            title="Prompt",
        )
        replicate_model_name: ReplicateFluxModelName = SchemaField(
            description="The name of the Image Generation Model, i.e Flux Schnell",
            default=ReplicateFluxModelName.FLUX_SCHNELL,
            title="Image Generation Model",
            advanced=False,
        )
        seed: int | None = SchemaField(
            description="Random seed. Set for reproducible generation", default=None, title="Seed"
        )
        steps: int = SchemaField(description="Number of diffusion steps", default=25, title="Steps")
        guidance: float = SchemaField(
            description=(
                "Controls the balance between adherence to the text prompt and image quality/diversity. "
                "Higher values make the output more closely match the prompt but may reduce overall "
                "image quality."
            ),
            default=3,
            title="Guidance",
        )
        interval: float = SchemaField(
            description=(
                "Interval is a setting that increases the variance in possible outputs. Setting this "
                "value low will ensure strong prompt following with more consistent outputs."
            ),
            default=2,
            title="Interval",
        )
        aspect_ratio: str = SchemaField(
            description="Aspect ratio for the generated image",
            default="1:1",
            title="Aspect Ratio",
            placeholder="Choose from: 1:1, 16:9, 2:3, 3:2, 4:5, 5:4, 9:16",
        )
        output_format: ImageType = SchemaField(
            description="File format of the output image", default=ImageType.WEBP, title="Output Format"
        )
        output_quality: int = SchemaField(
            description="Quality when saving the output images, from 0 to 100. Not relevant for .png outputs",
            default=80,
            title="Output Quality",
        )
        safety_tolerance: int = SchemaField(
            description="Safety tolerance, 1 is most strict and 5 is most permissive",
            default=2,
            title="Safety Tolerance",
        )

    class Output(BlockSchemaOutput):
        result: str = SchemaField(description="Generated output")

    def __init__(self) -> None:
        super().__init__(
            id="90f8c45e-e983-4644-aa0b-b4ebe2f531bc",
            description="This block runs Flux models on Replicate with advanced settings.",
            categories={BlockCategory.AI, BlockCategory.MULTIMEDIA},
            input_schema=ReplicateFluxAdvancedModelBlock.Input,
            output_schema=ReplicateFluxAdvancedModelBlock.Output,
            test_input={
                "credentials": TEST_CREDENTIALS_INPUT,
                "replicate_model_name": ReplicateFluxModelName.FLUX_SCHNELL,
                "prompt": "A beautiful landscape painting of a serene lake at sunrise",
                "seed": None,
                "steps": 25,
                "guidance": 3.0,
                "interval": 2.0,
                "aspect_ratio": "1:1",
                "output_format": ImageType.PNG,
                "output_quality": 80,
                "safety_tolerance": 2,
            },
            test_output=[("result", "https://replicate.com/output/generated-image-url.jpg")],
            test_mock={
                "run_model": _mock_flux_run_model,
            },
            test_credentials=TEST_CREDENTIALS,
            costs=[BlockCost(cost_amount=10)],
        )

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        seed = input_data.seed if input_data.seed is not None else int.from_bytes(os.urandom(4), "big")
        result = await self.run_model(
            api_key=credentials.api_key.get_secret_value(),
            model_name=input_data.replicate_model_name.api_name,
            prompt=input_data.prompt,
            seed=seed,
            steps=input_data.steps,
            guidance=input_data.guidance,
            interval=input_data.interval,
            aspect_ratio=input_data.aspect_ratio,
            output_format=input_data.output_format.value,
            output_quality=input_data.output_quality,
            safety_tolerance=input_data.safety_tolerance,
        )
        yield "result", result

    async def run_model(
        self,
        api_key: str,
        model_name: str,
        prompt: str,
        seed: int,
        steps: int,
        guidance: float,
        interval: float,
        aspect_ratio: str,
        output_format: str,
        output_quality: int,
        safety_tolerance: int,
    ) -> str:
        output = await run_prediction(
            api_key,
            model_name,
            {
                "prompt": prompt,
                "seed": seed,
                "steps": steps,
                "guidance": guidance,
                "interval": interval,
                "aspect_ratio": aspect_ratio,
                "output_format": output_format,
                "output_quality": output_quality,
                "safety_tolerance": safety_tolerance,
            },
        )
        return extract_result(output)


# -- AIImageGeneratorBlock


class ImageSize(enum.StrEnum):
    SQUARE = "square"
    LANDSCAPE = "landscape"
    PORTRAIT = "portrait"
    WIDE = "wide"
    TALL = "tall"


# One aspect ratio per size serves SD 3.5, Flux and Nano Banana alike (as upstream).
SIZE_TO_RATIO = {
    ImageSize.SQUARE: "1:1",
    ImageSize.LANDSCAPE: "4:3",
    ImageSize.PORTRAIT: "3:4",
    ImageSize.WIDE: "16:9",
    ImageSize.TALL: "9:16",
}
SIZE_TO_FLUX_DIMENSIONS = {
    ImageSize.SQUARE: (1024, 1024),
    ImageSize.LANDSCAPE: (1365, 1024),
    ImageSize.PORTRAIT: (1024, 1365),
    ImageSize.WIDE: (1440, 810),
    ImageSize.TALL: (810, 1440),
}
SIZE_TO_RECRAFT_DIMENSIONS = {
    ImageSize.SQUARE: "1024x1024",
    ImageSize.LANDSCAPE: "1365x1024",
    ImageSize.PORTRAIT: "1024x1365",
    ImageSize.WIDE: "1536x1024",
    ImageSize.TALL: "1024x1536",
}


class ImageStyle(enum.StrEnum):
    ANY = "any"
    REALISTIC = "realistic_image"
    REALISTIC_BW = "realistic_image/b_and_w"
    REALISTIC_HDR = "realistic_image/hdr"
    REALISTIC_NATURAL = "realistic_image/natural_light"
    REALISTIC_STUDIO = "realistic_image/studio_portrait"
    REALISTIC_ENTERPRISE = "realistic_image/enterprise"
    REALISTIC_HARD_FLASH = "realistic_image/hard_flash"
    REALISTIC_MOTION_BLUR = "realistic_image/motion_blur"
    DIGITAL_ART = "digital_illustration"
    PIXEL_ART = "digital_illustration/pixel_art"
    HAND_DRAWN = "digital_illustration/hand_drawn"
    GRAIN = "digital_illustration/grain"
    SKETCH = "digital_illustration/infantile_sketch"
    POSTER = "digital_illustration/2d_art_poster"
    POSTER_2 = "digital_illustration/2d_art_poster_2"
    HANDMADE_3D = "digital_illustration/handmade_3d"
    HAND_DRAWN_OUTLINE = "digital_illustration/hand_drawn_outline"
    ENGRAVING_COLOR = "digital_illustration/engraving_color"


# How a style reads as a prompt prefix, for models without native styles.
STYLE_PROMPTS = {
    ImageStyle.REALISTIC: "photorealistic",
    ImageStyle.REALISTIC_BW: "black and white photograph",
    ImageStyle.REALISTIC_HDR: "HDR photograph",
    ImageStyle.REALISTIC_NATURAL: "natural light photograph",
    ImageStyle.REALISTIC_STUDIO: "studio portrait photograph",
    ImageStyle.REALISTIC_ENTERPRISE: "enterprise photograph",
    ImageStyle.REALISTIC_HARD_FLASH: "hard flash photograph",
    ImageStyle.REALISTIC_MOTION_BLUR: "motion blur photograph",
    ImageStyle.DIGITAL_ART: "digital art",
    ImageStyle.PIXEL_ART: "pixel art",
    ImageStyle.HAND_DRAWN: "hand drawn illustration",
    ImageStyle.GRAIN: "grainy digital illustration",
    ImageStyle.SKETCH: "sketchy illustration",
    ImageStyle.POSTER: "2D art poster",
    ImageStyle.POSTER_2: "alternate 2D art poster",
    ImageStyle.HANDMADE_3D: "handmade 3D illustration",
    ImageStyle.HAND_DRAWN_OUTLINE: "hand drawn outline illustration",
    ImageStyle.ENGRAVING_COLOR: "color engraving illustration",
}


class ImageGenModel(enum.StrEnum):
    FLUX = "Flux 1.1 Pro"
    FLUX_ULTRA = "Flux 1.1 Pro Ultra"
    RECRAFT = "Recraft v3"
    SD3_5 = "Stable Diffusion 3.5 Medium"
    NANO_BANANA_PRO = "Nano Banana Pro"
    NANO_BANANA_2 = "Nano Banana 2"


FLUX_MODELS = {
    ImageGenModel.FLUX: "black-forest-labs/flux-1.1-pro",
    ImageGenModel.FLUX_ULTRA: "black-forest-labs/flux-1.1-pro-ultra",
}
NANO_BANANA_MODELS = {
    ImageGenModel.NANO_BANANA_PRO: "google/nano-banana-pro",
    ImageGenModel.NANO_BANANA_2: "google/nano-banana-2",
}
IMAGE_MODEL_COSTS = {
    ImageGenModel.SD3_5: 5,
    ImageGenModel.FLUX: 6,
    ImageGenModel.FLUX_ULTRA: 10,
    ImageGenModel.RECRAFT: 7,
    ImageGenModel.NANO_BANANA_PRO: 21,
    ImageGenModel.NANO_BANANA_2: 21,
}


def _styled(prompt: str, style: ImageStyle) -> str:
    text = STYLE_PROMPTS.get(style)
    return f"{text} of {prompt}".strip() if text else prompt.strip()


def model_request(
    model: ImageGenModel, size: ImageSize, style: ImageStyle, prompt: str
) -> tuple[str, dict[str, Any]]:
    """The Replicate model and input for one generation (upstream's parameters)."""
    if model == ImageGenModel.RECRAFT:
        return "recraft-ai/recraft-v3", {
            "prompt": prompt,
            "size": SIZE_TO_RECRAFT_DIMENSIONS[size],
            "style": style.value,
        }
    styled = _styled(prompt, style)
    if model == ImageGenModel.SD3_5:
        return "stability-ai/stable-diffusion-3.5-medium", {
            "prompt": styled,
            "aspect_ratio": SIZE_TO_RATIO[size],
            "output_format": "webp",
            "output_quality": 90,
            "steps": 40,
            "cfg_scale": 7.0,
        }
    if model in FLUX_MODELS:
        width, height = SIZE_TO_FLUX_DIMENSIONS[size]
        return FLUX_MODELS[model], {
            "prompt": styled,
            "width": width,
            "height": height,
            "aspect_ratio": SIZE_TO_RATIO[size],
            "output_format": "jpg",
            "output_quality": 90,
        }
    return NANO_BANANA_MODELS[model], {
        "prompt": styled,
        "aspect_ratio": SIZE_TO_RATIO[size],
        "resolution": "2K",
        "output_format": "jpg",
        "safety_filter_level": "block_only_high",
    }


class AIImageGeneratorBlock(Block):
    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = _replicate_credentials(
            "Enter your Replicate API key to access the image generation API. You can obtain an "
            "API key from https://replicate.com/account/api-tokens."
        )
        prompt: str = SchemaField(
            description="Text prompt for image generation",
            placeholder="e.g., 'A red panda using a laptop in a snowy forest'",
            title="Prompt",
        )
        model: ImageGenModel = SchemaField(
            description="The AI model to use for image generation", default=ImageGenModel.SD3_5, title="Model"
        )
        size: ImageSize = SchemaField(
            description=(
                "Format of the generated image:\n"
                "- Square: Perfect for profile pictures, icons\n"
                "- Landscape: Traditional photo format\n"
                "- Portrait: Vertical photos, portraits\n"
                "- Wide: Cinematic format, desktop wallpapers\n"
                "- Tall: Mobile wallpapers, social media stories"
            ),
            default=ImageSize.SQUARE,
            title="Image Format",
        )
        style: ImageStyle = SchemaField(
            description="Visual style for the generated image", default=ImageStyle.ANY, title="Image Style"
        )

    class Output(BlockSchemaOutput):
        image_url: str = SchemaField(description="URL of the generated image")
        error: str = SchemaField(description="Error message if generation failed")

    def __init__(self) -> None:
        super().__init__(
            id="ed1ae7a0-b770-4089-b520-1f0005fad19a",
            description="Generate images using various AI models through a unified interface",
            categories={BlockCategory.AI},
            input_schema=AIImageGeneratorBlock.Input,
            output_schema=AIImageGeneratorBlock.Output,
            test_input={
                "credentials": TEST_CREDENTIALS_INPUT,
                "prompt": (
                    "An octopus using a laptop in a snowy forest with 'AutoGPT' clearly visible on the screen"
                ),
                "model": ImageGenModel.RECRAFT,
                "size": ImageSize.SQUARE,
                "style": ImageStyle.REALISTIC,
            },
            test_credentials=TEST_CREDENTIALS,
            test_output=[("image_url", "https://replicate.delivery/generated-image.webp")],
            test_mock={
                "_run_client": lambda *args, **kwargs: "https://replicate.delivery/generated-image.webp"
            },
            costs=[
                BlockCost(cost_amount=amount, cost_filter={"model": model.value})
                for model, amount in IMAGE_MODEL_COSTS.items()
            ],
        )

    async def _run_client(
        self, credentials: APIKeyCredentials, model_name: str, input_params: dict[str, Any]
    ) -> str | None:
        output = await run_prediction(credentials.api_key.get_secret_value(), model_name, input_params)
        result = extract_result(output)
        return result if result.startswith(("http://", "https://", "data:")) else None

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        model_name, params = model_request(
            input_data.model, input_data.size, input_data.style, input_data.prompt
        )
        try:
            url = await self._run_client(credentials, model_name, params)
        except Exception as exc:
            yield "error", f"Failed to generate image: {exc}"
            return
        if url:
            yield "image_url", url
        else:
            yield "error", "Image generation returned an empty result."
