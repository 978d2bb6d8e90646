"""Short-form videos from revid.ai's public API (v2), over HTTP.

``POST https://www.revid.ai/api/public/v2/render`` starts a render and answers its
project id (``pid``); ``GET .../v2/status?pid=`` reports it until it is ``ready`` (with
``videoUrl``) or failed. The API key goes in the ``key`` header.

Upstream polls every 10 s for up to 1000 s; a render here must finish within
``SERVICE_POLL_TIMEOUT_SECONDS`` (default 180 s, so that it fits one ``run_node``
invocation), otherwise the node fails with "Video creation timed out" and the render
goes on at revid (which offers no cancel). Upstream also mints a webhook.site URL it
never uses (the render payload sends ``"webhook": null``); that third-party request is
left out.
"""

from __future__ import annotations

import enum
from typing import Any
from urllib.parse import quote

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
from agentplatform.blocks.service_http import PollTimeout, ServiceError, mock_credentials, poll, request_json
from agentplatform.models.credentials import APIKeyCredentials

API = "https://www.revid.ai/api/public/v2"
POLL_SECONDS = 10.0
TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT = mock_credentials("revid", "Mock Revid API key")


class AudioTrack(enum.StrEnum):
    OBSERVER = "Observer"
    FUTURISTIC_BEAT = "Futuristic Beat"
    SCIENCE_DOCUMENTARY = "Science Documentary"
    HOTLINE = "Hotline"
    BLADERUNNER_2049 = "Bladerunner 2049"
    A_FUTURE = "A Future"
    ELYSIAN_EMBERS = "Elysian Embers"
    INSPIRING_CINEMATIC = "Inspiring Cinematic"
    BLADERUNNER_REMIX = "Bladerunner Remix"
    IZZAMUZZIC = "Izzamuzzic"
    NAS = "Nas"
    PARIS_ELSE = "Paris - Else"
    SNOWFALL = "Snowfall"
    BURLESQUE = "Burlesque"
    CORNY_CANDY = "Corny Candy"
    HIGHWAY_NOCTURNE = "Highway Nocturne"
    I_DONT_THINK_SO = "I Don't Think So"
    LOSING_YOUR_MARBLES = "Losing Your Marbles"
    REFRESHER = "Refresher"
    TOURIST = "Tourist"
    TWIN_TYCHES = "Twin Tyches"
    DONT_STOP_ME_ABSTRACT_FUTURE_BASS = "Dont Stop Me Abstract Future Bass"

    @property
    def audio_url(self) -> str:
        return AUDIO_URLS[self]


_CDN = "https://cdn.tfrv.xyz/audio"
AUDIO_URLS = {
    AudioTrack.OBSERVER: f"{_CDN}/observer.mp3",
    AudioTrack.FUTURISTIC_BEAT: f"{_CDN}/_futuristic-beat.mp3",
    AudioTrack.SCIENCE_DOCUMENTARY: f"{_CDN}/_science-documentary.mp3",
    AudioTrack.HOTLINE: f"{_CDN}/_hotline.mp3",
    AudioTrack.BLADERUNNER_2049: f"{_CDN}/_bladerunner-2049.mp3",
    AudioTrack.A_FUTURE: f"{_CDN}/a-future.mp3",
    AudioTrack.ELYSIAN_EMBERS: f"{_CDN}/elysian-embers.mp3",
    AudioTrack.INSPIRING_CINEMATIC: f"{_CDN}/inspiring-cinematic-ambient.mp3",
    AudioTrack.BLADERUNNER_REMIX: f"{_CDN}/bladerunner-remix.mp3",
    AudioTrack.IZZAMUZZIC: f"{_CDN}/_izzamuzzic.mp3",
    AudioTrack.NAS: f"{_CDN}/_nas.mp3",
    AudioTrack.PARIS_ELSE: f"{_CDN}/_paris-else.mp3",
    AudioTrack.SNOWFALL: f"{_CDN}/_snowfall.mp3",
    AudioTrack.BURLESQUE: f"{_CDN}/burlesque.mp3",
    AudioTrack.CORNY_CANDY: f"{_CDN}/corny-candy.mp3",
    AudioTrack.HIGHWAY_NOCTURNE: f"{_CDN}/highway-nocturne.mp3",
    AudioTrack.I_DONT_THINK_SO: f"{_CDN}/i-dont-think-so.mp3",
    AudioTrack.LOSING_YOUR_MARBLES: f"{_CDN}/losing-your-marbles.mp3",
    AudioTrack.REFRESHER: f"{_CDN}/refresher.mp3",
    AudioTrack.TOURIST: f"{_CDN}/tourist.mp3",
    AudioTrack.TWIN_TYCHES: f"{_CDN}/twin-tynches.mp3",
    AudioTrack.DONT_STOP_ME_ABSTRACT_FUTURE_BASS: "https://cdn.revid.ai/audio/_dont-stop-me-abstract-future-bass.mp3",
}


class GenerationPreset(enum.StrEnum):
    LEONARDO = "Default"
    ANIME = "Anime"
    REALISM = "Realist"
    ILLUSTRATION = "Illustration"
    SKETCH_COLOR = "Sketch Color"
    SKETCH_BW = "Sketch B&W"
    PIXAR = "Pixar"
    INK = "Japanese Ink"
    RENDER_3D = "3D Render"
    LEGO = "Lego"
    SCIFI = "Sci-Fi"
    RECRO_CARTOON = "Retro Cartoon"
    PIXEL_ART = "Pixel Art"
    CREATIVE = "Creative"
    PHOTOGRAPHY = "Photography"
    RAYTRACED = "Raytraced"
    ENVIRONMENT = "Environment"
    FANTASY = "Fantasy"
    ANIME_SR = "Anime Realism"
    MOVIE = "Movie"
    STYLIZED_ILLUSTRATION = "Stylized Illustration"
    MANGA = "Manga"
    DEFAULT = "DEFAULT"


class Voice(enum.StrEnum):
    LILY = "Lily"
    DANIEL = "Daniel"
    BRIAN = "Brian"
    JESSICA = "Jessica"
    CHARLOTTE = "Charlotte"
    CALLUM = "Callum"
    EVA = "Eva"

    @property
    def voice_id(self) -> str:
        return VOICE_IDS[self]


VOICE_IDS = {
    Voice.LILY: "pFZP5JQG7iQjIQuC4Bku",
    Voice.DANIEL: "onwK4e9ZLuTAKqWW03F9",
    Voice.BRIAN: "nPczCjzI2devNBz1zQrb",
    Voice.JESSICA: "cgSgspJ2msm6clMCkdW9",
    Voice.CHARLOTTE: "XB0fDUnXU5powFXDhCwa",
    Voice.CALLUM: "N2lVS1w4EtoT3dr4eOWO",
    Voice.EVA: "FGY2WhTYpPnrIDTdsKH5",
}


class VisualMediaType(enum.StrEnum):
    STOCK_VIDEOS = "stockVideo"
    MOVING_AI_IMAGES = "movingImage"
    AI_VIDEO = "aiVideo"


class AIShortformVideoCreatorBlock(Block):
    """Creates a short-form text-to-video clip using stock or AI imagery."""

    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = CredentialsField(
            provider="revid",
            supported_types=["api_key"],
            description=(
                "The revid.ai integration can be used with any API key with sufficient permissions "
                "for the blocks it is used on."
            ),
        )
        script: str = SchemaField(
            description=(
                "1. Use short and punctuated sentences\n\n2. Use linebreaks to create a new clip\n\n"
                "3. Text outside of brackets is spoken by the AI, and [text between brackets] will be "
                "used to guide the visual generation. For example, [close-up of a cat] will show a "
                "close-up of a cat."
            ),
            placeholder="[close-up of a cat] Meow!",
        )
        ratio: str = SchemaField(description="Aspect ratio of the video", default="9 / 16")
        resolution: str = SchemaField(description="Resolution of the video", default="720p")
        frame_rate: int = SchemaField(description="Frame rate of the video", default=60)
        generation_preset: GenerationPreset = SchemaField(
            description="Generation preset for visual style - only effects AI generated visuals",
            default=GenerationPreset.LEONARDO,
            placeholder=GenerationPreset.LEONARDO.value,
        )
        background_music: AudioTrack = SchemaField(
            description="Background music track",
            default=AudioTrack.HIGHWAY_NOCTURNE,
            placeholder=AudioTrack.HIGHWAY_NOCTURNE.value,
        )
        voice: Voice = SchemaField(
            description="AI voice to use for narration", default=Voice.LILY, placeholder=Voice.LILY.value
        )
        video_style: VisualMediaType = SchemaField(
            description="Type of visual media to use for the video",
            default=VisualMediaType.STOCK_VIDEOS,
            placeholder=VisualMediaType.STOCK_VIDEOS.value,
        )

    class Output(BlockSchemaOutput):
        video_url: str = SchemaField(description="The URL of the created video")

    def __init__(self) -> None:
        super().__init__(
            id="361697fb-0c4f-4feb-aed3-8320c88c771b",
            description="Creates a shortform video using revid.ai",
            categories={BlockCategory.SOCIAL, BlockCategory.AI},
            input_schema=AIShortformVideoCreatorBlock.Input,
            output_schema=AIShortformVideoCreatorBlock.Output,
            test_input={
                "credentials": TEST_CREDENTIALS_INPUT,
                "script": "[close-up of a cat] Meow!",
                "ratio": "9 / 16",
                "resolution": "720p",
                "frame_rate": 60,
                "generation_preset": GenerationPreset.LEONARDO,
                "background_music": AudioTrack.HIGHWAY_NOCTURNE,
                "voice": Voice.LILY,
                "video_style": VisualMediaType.STOCK_VIDEOS,
            },
            test_output=("video_url", "https://example.com/video.mp4"),
            test_mock={
                "create_video": lambda *args, **kwargs: {"pid": "test_pid"},
                "check_video_status": lambda *args, **kwargs: {
                    "status": "ready",
                    "videoUrl": "https://example.com/video.mp4",
                },
                "wait_for_video": lambda *args, **kwargs: "https://example.com/video.mp4",
            },
            test_credentials=TEST_CREDENTIALS,
            costs=[BlockCost(cost_amount=307)],
        )

    @staticmethod
    def render_payload(input_data: AIShortformVideoCreatorBlock.Input) -> dict[str, Any]:
        """Upstream's render request, field for field."""
        return {
            "frameRate": input_data.frame_rate,
            "resolution": input_data.resolution,
            "frameDurationMultiplier": 18,
            "webhook": None,
            "creationParams": {
                "mediaType": input_data.video_style.value,
                "captionPresetName": "Wrap 1",
                "selectedVoice": input_data.voice.voice_id,
                "hasEnhancedGeneration": True,
                "generationPreset": input_data.generation_preset.name,
                "selectedAudio": input_data.background_music.value,
                "origin": "/create",
                "inputText": input_data.script,
                "flowType": "text-to-video",
                "slug": "create-tiktok-video",
                "hasToGenerateVoice": True,
                "hasToTranscript": False,
                "hasToSearchMedia": True,
                "hasAvatar": False,
                "hasWebsiteRecorder": False,
                "hasTextSmallAtBottom": False,
                "ratio": input_data.ratio,
                "sourceType": "contentScraping",
                "selectedStoryStyle": {"value": "custom", "label": "Custom"},
                "hasToGenerateVideos": input_data.video_style != VisualMediaType.STOCK_VIDEOS,
                "audioUrl": input_data.background_music.audio_url,
            },
        }

    async def create_video(self, api_key: str, payload: dict[str, Any]) -> dict[str, Any]:
        return await request_json(
            "revid.ai", "POST", f"{API}/render", secrets=[api_key], headers={"key": api_key}, json=payload
        )

    async def check_video_status(self, api_key: str, pid: str) -> dict[str, Any]:
        return await request_json(
            "revid.ai", "GET", f"{API}/status?pid={quote(pid)}", secrets=[api_key], headers={"key": api_key}
        )

    async def wait_for_video(self, api_key: str, pid: str) -> str:
        async def ready() -> str | None:
            status = await self.check_video_status(api_key, pid)
            state = status.get("status")
            if state == "ready" and "videoUrl" in status:
                return str(status["videoUrl"])
            if state == "error":
                raise ServiceError(f"Video creation failed: {status.get('error', 'Unknown error occurred')}")
            if state in ("FAILED", "CANCELED"):
                raise ServiceError(f"Video creation failed: {status.get('message')}")
            return None

        try:
            return await poll(ready, what="revid.ai render", interval=POLL_SECONDS)
        except PollTimeout as exc:
            raise ServiceError(f"Video creation timed out: {exc}") from None

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        api_key = credentials.api_key.get_secret_value()
        response = await self.create_video(api_key, self.render_payload(input_data))
        pid = response.get("pid")
        if not pid:
            raise ServiceError("Failed to create video: No project ID returned")
        yield "video_url", await self.wait_for_video(api_key, str(pid))
