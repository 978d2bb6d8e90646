"""YouTube transcripts over YouTube's own HTTP endpoints, in one short invocation.

Upstream runs the ``youtube-transcript-api`` library through a Webshare rotating
residential proxy (YouTube refuses transcript requests from cloud addresses such as
Lambda's). We make the same three requests that library makes, through the SSRF-safe
client and the same proxy:

1. ``GET https://www.youtube.com/watch?v=<id>``: the page carries the InnerTube API key
   (a consent page is answered once with a ``CONSENT`` cookie);
2. ``POST https://www.youtube.com/youtubei/v1/player?key=<key>`` as the Android client:
   the player response lists the caption tracks (``kind: "asr"`` = auto-generated);
3. ``GET <track baseUrl>``: the timed-text XML, one ``<text>`` element per line.

Track choice is upstream's: English first (manual, then generated), else the first
available track (manual, then generated). Lines are joined with newlines.
"""

from __future__ import annotations

import contextlib
import html
import re
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from agentplatform.blocks.credentials import CredentialsField, CredentialsMetaInput
from agentplatform.blocks.service_http import ServiceClient, ServiceError, mock_credentials
from agentplatform.models.credentials import UserPasswordCredentials

WATCH_URL = "https://www.youtube.com/watch?v={video_id}"
PLAYER_URL = "https://www.youtube.com/youtubei/v1/player?key={api_key}"
PLAYER_CLIENT = {"client": {"clientName": "ANDROID", "clientVersion": "20.10.38"}}
WEBSHARE_PROXY = "http://{username}-rotate:{password}@p.webshare.io:80/"
PREFERRED_LANGUAGES = ("en",)
ATTEMPTS_WHEN_BLOCKED = 3  # the rotating proxy gives every attempt another address

_API_KEY = re.compile(r'"INNERTUBE_API_KEY":\s*"([a-zA-Z0-9_-]+)"')
_CONSENT_VALUE = re.compile(r'name="v" value="(.*?)"')
_TAGS = re.compile(r"<[^>]*>")

TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT = mock_credentials(
    "webshare_proxy",
    "Mock Webshare Proxy credentials",
    username="mock-webshare-username",
    password="mock-webshare-password",
)


class TranscriptBlocked(ServiceError):
    """YouTube refused the address the request came from."""


class TranscribeYoutubeVideoBlock(Block):
    class Input(BlockSchemaInput):
        youtube_url: str = SchemaField(
            title="YouTube URL",
            description="The URL of the YouTube video to transcribe",
            placeholder="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        )
        credentials: CredentialsMetaInput = CredentialsField(
            provider="webshare_proxy",
            supported_types=["user_password"],
            description="Webshare proxy credentials for fetching YouTube transcripts",
        )

    class Output(BlockSchemaOutput):
        video_id: str = SchemaField(description="The extracted YouTube video ID")
        transcript: str = SchemaField(description="The transcribed text of the video")
        error: str = SchemaField(description="Any error message if the transcription fails")

    def __init__(self) -> None:
        super().__init__(
            id="f3a8f7e1-4b1d-4e5f-9f2a-7c3d5a2e6b4c",
            description="Transcribes a YouTube video using a proxy.",
            categories={BlockCategory.SOCIAL},
            input_schema=TranscribeYoutubeVideoBlock.Input,
            output_schema=TranscribeYoutubeVideoBlock.Output,
            test_input={
                "youtube_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                "credentials": TEST_CREDENTIALS_INPUT,
            },
            test_output=[
                ("video_id", "dQw4w9WgXcQ"),
                ("transcript", "Never gonna give you up\nNever gonna let you down"),
            ],
            test_credentials=TEST_CREDENTIALS,
            test_mock={
                "get_transcript": lambda video_id, credentials: [
                    {"text": "Never gonna give you up"},
                    {"text": "Never gonna let you down"},
                ],
                "format_transcript": lambda transcript: "Never gonna give you up\nNever gonna let you down",
            },
        )

    @staticmethod
    def extract_video_id(url: str) -> str:
        parsed = urlparse(url)
        if parsed.netloc == "youtu.be":
            return parsed.path[1:]
        if parsed.netloc in ("www.youtube.com", "youtube.com"):
            if parsed.path == "/watch":
                ids = parse_qs(parsed.query).get("v")
                if ids:
                    return ids[0]
            for prefix in ("/embed/", "/v/", "/shorts/"):
                if parsed.path.startswith(prefix):
                    return parsed.path.split("/")[2]
        raise ValueError(f"Invalid YouTube URL: {url}")

    async def get_transcript(
        self, video_id: str, credentials: UserPasswordCredentials
    ) -> list[dict[str, Any]]:
        username = credentials.username.get_secret_value()
        password = credentials.password.get_secret_value()
        proxy = WEBSHARE_PROXY.format(username=quote(username, safe=""), password=quote(password, safe=""))

        async def attempt() -> list[dict[str, Any]]:
            async with ServiceClient("YouTube", proxy=proxy, secrets=[username, password]) as client:
                return await _fetch_transcript(client, video_id)

        for _ in range(ATTEMPTS_WHEN_BLOCKED - 1):
            with contextlib.suppress(TranscriptBlocked):
                return await attempt()
        return await attempt()

    @staticmethod
    def format_transcript(transcript: list[dict[str, Any]]) -> str:
        return "\n".join(line["text"] for line in transcript)

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: UserPasswordCredentials, **kwargs: Any
    ) -> BlockOutput:
        video_id = self.extract_video_id(input_data.youtube_url)
        yield "video_id", video_id
        transcript = await self.get_transcript(video_id, credentials)
        yield "transcript", self.format_transcript(transcript)


def _unavailable(video_id: str, reason: str, kind: type[ServiceError] = ServiceError) -> ServiceError:
    url = WATCH_URL.format(video_id=video_id)
    return kind(f"Could not retrieve a transcript for the video {url}: {reason}")


async def _fetch_transcript(client: ServiceClient, video_id: str) -> list[dict[str, Any]]:
    api_key = await _innertube_api_key(client, video_id)
    player = await client.json(
        "POST",
        PLAYER_URL.format(api_key=api_key),
        json={"context": PLAYER_CLIENT, "videoId": video_id},
    )
    track = _choose_track(video_id, _caption_tracks(video_id, player))
    url = track["baseUrl"].replace("&fmt=srv3", "")
    return _parse_timed_text((await client.request("GET", url)).text)


async def _innertube_api_key(client: ServiceClient, video_id: str) -> str:
    url = WATCH_URL.format(video_id=video_id)
    headers = {"Accept-Language": "en-US"}
    page = html.unescape((await client.request("GET", url, headers=headers)).text)
    if 'action="https://consent.youtube.com/s"' in page:
        consent = _CONSENT_VALUE.search(page)
        if consent is None:
            raise _unavailable(video_id, "Failed to automatically give consent to saving cookies")
        headers["Cookie"] = f"CONSENT=YES+{consent.group(1)}"
        page = html.unescape((await client.request("GET", url, headers=headers)).text)
    match = _API_KEY.search(page)
    if match is not None:
        return match.group(1)
    if 'class="g-recaptcha"' in page:
        raise _unavailable(video_id, "YouTube is blocking requests from this IP", TranscriptBlocked)
    raise _unavailable(video_id, "The data required to fetch the transcript is not parsable")


def _caption_tracks(video_id: str, player: dict[str, Any]) -> list[dict[str, Any]]:
    playability = player.get("playabilityStatus") or {}
    status, reason = playability.get("status"), playability.get("reason") or ""
    if status == "LOGIN_REQUIRED" and "not a bot" in reason:
        raise _unavailable(video_id, "YouTube is blocking requests from this IP", TranscriptBlocked)
    if status not in (None, "OK"):
        raise _unavailable(video_id, f"The video is unplayable: {reason or status}")
    renderer = (player.get("captions") or {}).get("playerCaptionsTracklistRenderer") or {}
    tracks = renderer.get("captionTracks") or []
    if not tracks:
        raise _unavailable(video_id, "Subtitles are disabled for this video")
    return [track for track in tracks if isinstance(track, dict) and track.get("baseUrl")]


def _choose_track(video_id: str, tracks: list[dict[str, Any]]) -> dict[str, Any]:
    manual = [t for t in tracks if t.get("kind") != "asr"]
    generated = [t for t in tracks if t.get("kind") == "asr"]
    for language in PREFERRED_LANGUAGES:
        for track in (*manual, *generated):
            if track.get("languageCode") == language:
                return track
    if manual or generated:
        return (manual or generated)[0]
    raise _unavailable(video_id, "No transcripts are available for this video")


def _parse_timed_text(xml_text: str) -> list[dict[str, Any]]:
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(xml_text)
    except ElementTree.ParseError:
        raise ServiceError("YouTube returned a transcript that is not valid XML") from None
    return [
        {
            "text": _TAGS.sub("", html.unescape(element.text)),
            "start": float(element.attrib.get("start", 0)),
            "duration": float(element.attrib.get("dur", 0)),
        }
        for element in root.iter("text")
        if element.text is not None
    ]
