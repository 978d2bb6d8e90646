"""TranscribeYoutubeVideoBlock against a stub of YouTube's watch page, InnerTube player
and timed-text endpoints."""

from __future__ import annotations

import asyncio

import pytest

from agentplatform.blocks.builtin import youtube
from agentplatform.blocks.registry import get_block
from agentplatform.models.credentials import UserPasswordCredentials
from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, link, node
from tests.support.service_fakes import YOUTUBE_HOSTS, youtube_routes
from tests.support.service_stub import add_credential, node_runs, run_with, service_stub

TRANSCRIBE = "f3a8f7e1-4b1d-4e5f-9f2a-7c3d5a2e6b4c"
PROXY_PASSWORD = "webshare-pw-3b7e-secret"


def _graph():
    return {
        "name": "Transcriber",
        "nodes": [
            node("in", AGENT_INPUT, name="url"),
            node("yt", TRANSCRIBE),
            node("id", AGENT_OUTPUT, name="video_id"),
            node("text", AGENT_OUTPUT, name="transcript"),
        ],
        "links": [
            link("in", "result", "yt", "youtube_url"),
            link("yt", "video_id", "id", "value"),
            link("yt", "transcript", "text", "value"),
        ],
    }


def _proxy(api):
    return add_credential(api, "webshare_proxy", username="proxy-user", password=PROXY_PASSWORD)


def test_transcript_of_the_english_track_joined_by_lines(api, kms_key, monkeypatch):
    lines = ["Never gonna give you up", "Never gonna &amp; <i>let</i> you down"]
    with service_stub(monkeypatch, YOUTUBE_HOSTS, youtube_routes({"dQw4w9WgXcQ": lines})) as yt:
        _, run = run_with(api, _graph(), {"url": "https://youtu.be/dQw4w9WgXcQ"}, _proxy(api))
    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {
        "video_id": ["dQw4w9WgXcQ"],
        "transcript": ["Never gonna give you up\nNever gonna & let you down"],
    }
    assert [r.path.split("?")[0] for r in yt.requests] == ["/watch", "/youtubei/v1/player", "/api/timedtext"]
    assert "lang=en" in yt.requests[2].path


def test_a_video_without_captions_fails_the_node_after_yielding_its_id(api, kms_key, monkeypatch):
    with service_stub(monkeypatch, YOUTUBE_HOSTS, youtube_routes({})):
        created, run = run_with(
            api, _graph(), {"url": "https://www.youtube.com/watch?v=abcdefghijk"}, _proxy(api)
        )
    (node_run,) = node_runs(run, created, TRANSCRIBE)
    assert node_run["status"] == "FAILED"
    assert node_run["output_data"] == {
        "video_id": ["abcdefghijk"],
        "error": [
            "raised by TranscribeYoutubeVideoBlock with message: Could not retrieve a transcript for the "
            "video https://www.youtube.com/watch?v=abcdefghijk: Subtitles are disabled for this video. "
            f"block_id: {TRANSCRIBE}"
        ],
    }


def test_youtube_rate_limiting_fails_the_node_without_the_proxy_password(api, kms_key, monkeypatch):
    routes = {"/watch": lambda req: (429, {"Content-Type": "text/html"}, b"<html>Too Many Requests</html>")}
    with service_stub(monkeypatch, YOUTUBE_HOSTS, routes):
        created, run = run_with(api, _graph(), {"url": "https://youtube.com/shorts/abcdefghijk"}, _proxy(api))
    (node_run,) = node_runs(run, created, TRANSCRIBE)
    assert node_run["output_data"]["error"] == [
        "raised by TranscribeYoutubeVideoBlock with message: YouTube API error 429: "
        f"<html>Too Many Requests</html>. block_id: {TRANSCRIBE}"
    ]
    assert PROXY_PASSWORD not in str(run)


def test_requests_go_through_the_webshare_rotating_proxy(monkeypatch):
    seen = {}

    class Refuse:
        def __init__(self, service, *, proxy=None, secrets=(), **kwargs):
            seen.update(proxy=proxy, secrets=list(secrets))

        async def __aenter__(self):
            raise youtube.TranscriptBlocked("blocked")

        async def __aexit__(self, *exc):
            return None

    monkeypatch.setattr(youtube, "ServiceClient", Refuse)
    block = get_block(TRANSCRIBE)
    creds = UserPasswordCredentials(provider="webshare_proxy", username="me@x", password="p:w/d")  # type: ignore[arg-type]
    with pytest.raises(youtube.TranscriptBlocked):
        asyncio.run(block.get_transcript("abcdefghijk", creds))
    assert seen == {"proxy": "http://me%40x-rotate:p%3Aw%2Fd@p.webshare.io:80/", "secrets": ["me@x", "p:w/d"]}


@pytest.mark.parametrize(
    ("url", "video_id"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1", "dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ("https://youtube.com/embed/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
    ],
)
def test_video_ids_from_every_url_form(url, video_id):
    assert youtube.TranscribeYoutubeVideoBlock.extract_video_id(url) == video_id


def test_a_url_that_is_not_youtube_is_refused():
    with pytest.raises(ValueError, match="Invalid YouTube URL"):
        youtube.TranscribeYoutubeVideoBlock.extract_video_id("https://example.com/watch?v=x")


def test_a_bot_check_is_retried_from_another_proxy_address(monkeypatch):
    routes = youtube_routes({"abcdefghijk": ["hello"]})
    answer_page = routes["/watch"]
    pages = iter([(200, {"Content-Type": "text/html"}, b'<div class="g-recaptcha"></div>')])
    routes["/watch"] = lambda req: next(pages, None) or answer_page(req)
    creds = UserPasswordCredentials(provider="webshare_proxy", username="u", password="p")  # type: ignore[arg-type]
    with service_stub(monkeypatch, YOUTUBE_HOSTS, routes) as yt:
        transcript = asyncio.run(get_block(TRANSCRIBE).get_transcript("abcdefghijk", creds))
    assert [line["text"] for line in transcript] == ["hello"]
    assert [r.path.split("?")[0] for r in yt.requests][:2] == ["/watch", "/watch"]


def test_a_persistent_bot_check_fails_after_three_attempts(monkeypatch):
    page = (200, {"Content-Type": "text/html"}, b'<div class="g-recaptcha"></div>')
    creds = UserPasswordCredentials(provider="webshare_proxy", username="u", password="p")  # type: ignore[arg-type]
    blocked = pytest.raises(youtube.TranscriptBlocked, match="YouTube is blocking requests from this IP")
    with service_stub(monkeypatch, YOUTUBE_HOSTS, {"/watch": lambda req: page}) as yt, blocked:
        asyncio.run(get_block(TRANSCRIBE).get_transcript("abcdefghijk", creds))
    assert len(yt.requests) == 3
