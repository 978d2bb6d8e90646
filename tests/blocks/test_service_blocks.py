"""The part-B service blocks against loopback stubs of their services' real wire formats
(``tests/support/service_fakes.py``), reached through ``OUTBOUND_HOST_OVERRIDES``."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
from pydantic import SecretStr

from agentplatform.blocks import BlockExecutionError
from agentplatform.blocks.registry import get_block
from agentplatform.blocks.testing import execution_kwargs
from agentplatform.config import get_settings
from agentplatform.models.credentials import APIKeyCredentials, OAuth2Credentials, UserPasswordCredentials
from tests.support import service_fakes as fakes
from tests.support.service_stub import service_stubs

__all__ = ["service_stubs"]

KEY = "sk-live-0f9e8d7c6b5a"
WRONG = "sk-wrong-1a2b3c4d5e"

IDEOGRAM = "6ab085e2-20b3-4055-bc3e-08036e01eca6"
FLUX = "90f8c45e-e983-4644-aa0b-b4ebe2f531bc"
IMAGE_GENERATOR = "ed1ae7a0-b770-4089-b520-1f0005fad19a"
SHORTFORM_VIDEO = "361697fb-0c4f-4feb-aed3-8320c88c771b"
RELATED_KEYWORDS = "8f2e4d6a-1b3c-4a5e-9d7f-2c8e6a4b3f1d"
KEYWORD_SUGGESTIONS = "73c3e7c4-2b3f-4e9f-9e3e-8f7a5c3e2d45"
WORDPRESS_POST = "ee4fe08c-18f9-442f-a985-235379b932e1"
MEDIUM_POST = "3f7b2dcb-4a78-4e3f-b0f1-88132e1b89df"
AIRTABLE_RECORDS = "42527e98-47b6-44ce-ac0e-86b4883721d3"
AIRTABLE_BASE = "f59b88a8-54ce-4676-a508-fd614b4e8dce"
FIRECRAWL_CRAWL = "bdbbaba0-03b7-4971-970e-699e2de6015e"
FIRECRAWL_EXTRACT = "d1774756-4d9e-40e6-bab1-47ec0ccd81b2"
FIRECRAWL_MAP = "f0f43e2b-c943-48a0-a7f1-40136ca4d3b9"


def api_key(provider: str, key: str = KEY) -> APIKeyCredentials:
    return APIKeyCredentials(provider=provider, api_key=SecretStr(key), title=provider)


def meta(creds: Any) -> dict[str, Any]:
    return {"id": creds.id, "provider": creds.provider, "type": creds.type}


def run(block_id: str, creds: Any, **inputs: Any) -> list[tuple[str, Any]]:
    block = get_block(block_id)
    assert block is not None

    async def go() -> list[tuple[str, Any]]:
        kwargs = {**execution_kwargs(block), "credentials": creds}
        return [pair async for pair in block.execute({"credentials": meta(creds), **inputs}, **kwargs)]

    return asyncio.run(go())


def failure(block_id: str, creds: Any, **inputs: Any) -> str:
    with pytest.raises(BlockExecutionError) as caught:
        run(block_id, creds, **inputs)
    return str(caught.value)


@pytest.fixture
def poll_budget(monkeypatch):
    """Shrink SERVICE_POLL_TIMEOUT_SECONDS for one test."""

    def apply(seconds: float) -> None:
        monkeypatch.setenv("SERVICE_POLL_TIMEOUT_SECONDS", str(seconds))
        get_settings.cache_clear()

    yield apply
    monkeypatch.delenv("SERVICE_POLL_TIMEOUT_SECONDS", raising=False)
    get_settings.cache_clear()


# -- Ideogram


@pytest.fixture
def ideogram(service_stubs):
    stub = service_stubs("api.ideogram.ai", "ideogram.ai")
    fakes.install_ideogram(stub, KEY)
    return stub


def test_ideogram_v3_posts_a_multipart_form_with_the_v3_spellings(ideogram):
    out = run(
        IDEOGRAM,
        api_key("ideogram"),
        prompt="A lighthouse",
        aspect_ratio="ASPECT_16_9",
        seed=7,
        negative_prompt="fog",
        style_type="DESIGN",
    )
    assert out == [("result", f"{fakes.IDEOGRAM_IMAGES}/v3.png")]
    (request,) = ideogram.calls("POST", "/v1/ideogram-v3/generate")
    assert request.headers["api-key"] == KEY
    assert request.headers["host"] == "api.ideogram.ai"
    assert request.form == {
        "prompt": ["A lighthouse"],
        "aspect_ratio": ["16x9"],
        "magic_prompt": ["AUTO"],
        "style_type": ["DESIGN"],
        "seed": ["7"],
        "negative_prompt": ["fog"],
    }


def test_ideogram_legacy_models_post_json_with_a_custom_palette(ideogram):
    out = run(
        IDEOGRAM,
        api_key("ideogram"),
        prompt="A lighthouse",
        ideogram_model_name="V_2",
        custom_color_palette=["#000030", "#FFFFFF"],
    )
    assert out == [("result", f"{fakes.IDEOGRAM_IMAGES}/legacy.png")]
    (request,) = ideogram.calls("POST", "/generate")
    assert request.json == {
        "image_request": {
            "prompt": "A lighthouse",
            "model": "V_2",
            "aspect_ratio": "ASPECT_1_1",
            "magic_prompt_option": "AUTO",
            "style_type": "AUTO",
        },
        "color_palette": {"members": [{"color_hex": "#000030"}, {"color_hex": "#FFFFFF"}]},
    }


def test_ideogram_ai_upscale_sends_the_generated_image_to_upscale(ideogram):
    out = run(IDEOGRAM, api_key("ideogram"), prompt="A lighthouse", upscale="AI Upscale")
    assert out == [("result", f"{fakes.IDEOGRAM_IMAGES}/upscaled.png")]
    (download,) = ideogram.calls("GET", "/api/images/ephemeral/v3.png")
    assert "api-key" not in download.headers  # the key is never sent to the image host
    (request,) = ideogram.calls("POST", "/upscale")
    assert request.form["image_request"] == ["{}"]
    assert request.form["image_file"] == [b"\x89PNG\r\n\x1a\nfake"]


def test_ideogram_rejected_key_fails_with_a_message_and_no_key(ideogram):
    message = failure(IDEOGRAM, api_key("ideogram", WRONG), prompt="A lighthouse")
    assert "Invalid or expired API key. Please check your Ideogram API credentials." in message
    assert WRONG not in message


# -- Replicate


@pytest.fixture
def replicate(service_stubs):
    def start(**options: Any) -> fakes.ReplicateFake:
        stub = service_stubs("api.replicate.com")
        fake = fakes.install_replicate(stub, fakes.ReplicateFake(token=KEY, **options))
        return fake

    return start


def test_flux_creates_a_prediction_and_polls_it_to_its_output(replicate):
    fake = replicate(output="https://replicate.delivery/xezq/flux.png", polls=2)
    out = run(FLUX, api_key("replicate"), prompt="dog", replicate_model_name="Flux Pro 1.1", seed=42)
    assert out == [("result", "https://replicate.delivery/xezq/flux.png")]
    (create,) = fake.stub.calls("POST", "/v1/models/black-forest-labs/flux-1.1-pro/predictions")
    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert create.json == {
        "input": {
            "prompt": "dog",
            "seed": 42,
            "steps": 25,
            "guidance": 3.0,
            "interval": 2.0,
            "aspect_ratio": "1:1",
            "output_format": "webp",
            "output_quality": 80,
            "safety_tolerance": 2,
        }
    }
    (prediction,) = fake.predictions.values()
    assert len(fake.stub.calls("GET", f"/v1/predictions/{prediction.id}")) == 3  # 2 in progress, 1 done


def test_image_generator_maps_model_size_and_style_and_reads_a_list_output(replicate):
    fake = replicate(output=["https://replicate.delivery/a.jpg", "https://replicate.delivery/b.jpg"])
    out = run(
        IMAGE_GENERATOR,
        api_key("replicate"),
        prompt="a red panda",
        model="Flux 1.1 Pro Ultra",
        size="landscape",
        style="realistic_image",
    )
    assert out == [("image_url", "https://replicate.delivery/a.jpg")]
    (create,) = fake.stub.calls("POST", "/v1/models/black-forest-labs/flux-1.1-pro-ultra/predictions")
    assert create.json["input"] == {
        "prompt": "photorealistic of a red panda",
        "width": 1365,
        "height": 1024,
        "aspect_ratio": "4:3",
        "output_format": "jpg",
        "output_quality": 90,
    }


def test_image_generator_nano_banana_uses_googles_model_and_parameters(replicate):
    fake = replicate(output="https://replicate.delivery/nb.jpg")
    out = run(IMAGE_GENERATOR, api_key("replicate"), prompt="a red panda", model="Nano Banana 2", size="tall")
    assert out == [("image_url", "https://replicate.delivery/nb.jpg")]
    (create,) = fake.stub.calls("POST", "/v1/models/google/nano-banana-2/predictions")
    assert create.json["input"] == {
        "prompt": "a red panda",
        "aspect_ratio": "9:16",
        "resolution": "2K",
        "output_format": "jpg",
        "safety_filter_level": "block_only_high",
    }


def test_a_failed_prediction_is_run_again(replicate):
    fake = replicate(output="https://replicate.delivery/ok.png", polls=0, failures=1)
    out = run(FLUX, api_key("replicate"), prompt="dog")
    assert out == [("result", "https://replicate.delivery/ok.png")]
    assert len(fake.predictions) == 2


def test_predictions_that_keep_failing_end_in_the_error_output(replicate):
    fake = replicate(output="unused", polls=0, failures=3)
    message = failure(IMAGE_GENERATOR, api_key("replicate"), prompt="dog")
    assert "Failed to generate image: Replicate prediction failed: CUDA out of memory" in message
    assert len(fake.predictions) == 3


def test_a_rejected_token_is_not_retried_and_not_revealed(replicate):
    fake = replicate(output="unused")
    message = failure(IMAGE_GENERATOR, api_key("replicate", WRONG), prompt="dog")
    assert "Replicate API error 401: Invalid token: Bearer ***" in message
    assert WRONG not in message
    assert len(fake.stub.calls("POST", r"/v1/models/.*/predictions")) == 1


def test_a_prediction_past_the_poll_budget_is_canceled(replicate, poll_budget):
    poll_budget(0.1)
    fake = replicate(output="unused", polls=10**6)
    message = failure(FLUX, api_key("replicate"), prompt="dog")
    assert "Replicate prediction did not finish within 0.1 seconds" in message
    (prediction,) = fake.predictions.values()
    assert prediction.cancelled
    assert fake.stub.calls("POST", f"/v1/predictions/{prediction.id}/cancel")


# -- revid.ai


@pytest.fixture
def revid(service_stubs):
    stub = service_stubs("www.revid.ai")
    fake = fakes.install_revid(stub, fakes.RevidFake(key=KEY))
    return fake


def test_shortform_video_renders_and_polls_until_ready(revid):
    out = run(
        SHORTFORM_VIDEO,
        api_key("revid"),
        script="[city at night] Lights never sleep.",
        voice="Brian",
        video_style="movingImage",
        background_music="Bladerunner 2049",
        frame_rate=30,
    )
    assert out == [("video_url", revid.video_url)]
    (render,) = revid.stub.calls("POST", "/api/public/v2/render")
    assert render.headers["key"] == KEY
    params = render.json["creationParams"]
    assert render.json["frameRate"] == 30 and render.json["webhook"] is None
    assert params["selectedVoice"] == "nPczCjzI2devNBz1zQrb"
    assert params["mediaType"] == "movingImage" and params["hasToGenerateVideos"] is True
    assert params["generationPreset"] == "LEONARDO"
    assert params["selectedAudio"] == "Bladerunner 2049"
    assert params["audioUrl"] == "https://cdn.tfrv.xyz/audio/_bladerunner-2049.mp3"
    assert params["inputText"] == "[city at night] Lights never sleep."
    statuses = revid.stub.calls("GET", "/api/public/v2/status")
    assert len(statuses) == 3 and statuses[0].query == {"pid": [next(iter(revid.renders))]}


def test_shortform_video_past_the_poll_budget_times_out(revid, poll_budget):
    poll_budget(0.1)
    revid.polls = 10**6
    message = failure(SHORTFORM_VIDEO, api_key("revid"), script="Meow")
    assert "Video creation timed out" in message


def test_shortform_video_rejected_key(revid):
    message = failure(SHORTFORM_VIDEO, api_key("revid", WRONG), script="Meow")
    assert "revid.ai API error 401" in message and WRONG not in message


# -- DataForSEO


LOGIN, PASSWORD = "ada@example.com", "dfs-pass-5e6f7a8b"


def dataforseo_credentials(password: str = PASSWORD) -> UserPasswordCredentials:
    return UserPasswordCredentials(
        provider="dataforseo", username=SecretStr(LOGIN), password=SecretStr(password), title="dfs"
    )


@pytest.fixture
def dataforseo(service_stubs):
    stub = service_stubs("api.dataforseo.com")
    fakes.install_dataforseo(stub, LOGIN, PASSWORD)
    return stub


def test_related_keywords_posts_one_live_task_with_basic_auth(dataforseo):
    out = run(RELATED_KEYWORDS, dataforseo_credentials(), keyword="coffee", depth=2, limit=50)
    keywords = [value.keyword for pin, value in out if pin == "related_keyword"]
    assert keywords == ["coffee tips", "best coffee"]
    assert [pin for pin, _ in out] == [
        "related_keyword",
        "related_keyword",
        "related_keywords",
        "total_count",
        "seed_keyword",
    ]
    assert out[-2:] == [("total_count", 2), ("seed_keyword", "coffee")]
    first = out[0][1]
    assert (first.search_volume, first.competition, first.cpc, first.keyword_difficulty) == (
        2400,
        0.35,
        4.2,
        41,
    )
    assert first.serp_info is None  # not asked for
    (request,) = dataforseo.calls("POST", "/v3/dataforseo_labs/google/related_keywords/live")
    token = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {token}"
    assert request.json == [
        {
            "keyword": "coffee",
            "location_code": 2840,
            "language_code": "en",
            "include_seed_keyword": True,
            "include_serp_info": False,
            "include_clickstream_data": False,
            "limit": 50,
            "depth": 2,
        }
    ]


def test_keyword_suggestions_include_serp_info_when_asked(dataforseo):
    out = run(KEYWORD_SUGGESTIONS, dataforseo_credentials(), keyword="coffee", include_serp_info=True)
    suggestion = out[0][1]
    assert out[0][0] == "suggestion" and suggestion.keyword == "coffee for beginners"
    assert suggestion.serp_info == {
        "se_type": "google",
        "serp_item_types": ["organic"],
        "se_results_count": 1000,
    }
    assert out[1:] == [("suggestions", [suggestion]), ("total_count", 1), ("seed_keyword", "coffee")]
    (request,) = dataforseo.calls("POST", "/v3/dataforseo_labs/google/keyword_suggestions/live")
    assert "depth" not in request.json[0]


def test_dataforseo_refusal_reaches_the_error_output_without_the_login(dataforseo):
    message = failure(RELATED_KEYWORDS, dataforseo_credentials("not-the-password"), keyword="coffee")
    assert "Failed to fetch related keywords: DataForSEO API error 401: You are not authorized" in message
    assert "not-the-password" not in message
    assert base64.b64encode(f"{LOGIN}:not-the-password".encode()).decode() not in message


# -- WordPress


def wordpress_credentials(token: str = KEY) -> OAuth2Credentials:
    return OAuth2Credentials(
        provider="wordpress", access_token=SecretStr(token), scopes=["posts"], title="wp"
    )


@pytest.fixture
def wordpress(service_stubs):
    stub = service_stubs("public-api.wordpress.com")
    fakes.install_wordpress(stub, KEY)
    return stub


def test_wordpress_publishes_a_form_encoded_post(wordpress):
    out = run(
        WORDPRESS_POST,
        wordpress_credentials(),
        site="myblog.wordpress.com",
        title="Hello world",
        content="<p>Hi</p>",
        tags=["ai", "seo"],
        media_urls=["https://img.example/a.png", "https://img.example/b.png"],
    )
    assert out[:3] == [
        ("post_id", 7),
        ("post_url", "https://myblog.wordpress.com/2025/01/01/hello-world/"),
        ("short_url", "https://wp.me/p8-7"),
    ]
    assert out[3][0] == "post_data" and out[3][1]["status"] == "publish"
    (request,) = wordpress.calls("POST", "/rest/v1.1/sites/myblog.wordpress.com/posts/new")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.form == {
        "title": ["Hello world"],
        "content": ["<p>Hi</p>"],
        "status": ["publish"],
        "sticky": ["false"],
        "type": ["post"],
        "categories": [""],
        "tags": ["ai,seo"],
        "media_urls[]": ["https://img.example/a.png", "https://img.example/b.png"],
        "publicize": ["true"],
        "sharing_enabled": ["true"],
    }


def test_wordpress_refusal(wordpress):
    message = failure(
        WORDPRESS_POST, wordpress_credentials(WRONG), site="x.wordpress.com", title="T", content="C"
    )
    assert "WordPress API error 403: User cannot publish posts" in message


# -- Medium


@pytest.fixture
def medium(service_stubs):
    stub = service_stubs("api.medium.com")
    fakes.install_medium(stub, KEY)
    return stub


MEDIUM_INPUT = {
    "author_id": "1a2b3c",
    "title": "Worldwide IT Blackout",
    "content": "# What happened",
    "content_format": "markdown",
    "tags": ["AI", "LLM"],
    "publish_status": "public",
}


def test_medium_posts_json_to_the_authors_posts(medium):
    out = run(MEDIUM_POST, api_key("medium"), **MEDIUM_INPUT)
    assert out == [
        ("post_id", "e6f36a"),
        ("post_url", "https://medium.com/@ada/e6f36a"),
        ("published_at", 1735689600000),
    ]
    (request,) = medium.calls("POST", "/v1/users/1a2b3c/posts")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.json == {
        "title": "Worldwide IT Blackout",
        "content": "# What happened",
        "contentFormat": "markdown",
        "tags": ["AI", "LLM"],
        "canonicalUrl": None,
        "publishStatus": "public",
        "license": "all-rights-reserved",
        "notifyFollowers": False,
    }


def test_medium_refusal(medium):
    message = failure(MEDIUM_POST, api_key("medium", WRONG), **MEDIUM_INPUT)
    assert "Failed to create Medium post: Medium API error 401: Token was invalid." in message


# -- Airtable


TABLE = {
    "id": "tblTickets",
    "name": "Tickets",
    "fields": [
        {"id": "fld1", "name": "Subject", "type": "singleLineText"},
        {"id": "fld2", "name": "Score", "type": "number"},
        {"id": "fld3", "name": "Escalated", "type": "checkbox"},
        {"id": "fld4", "name": "Labels", "type": "multipleSelects"},
        {"id": "fld5", "name": "Received", "type": "dateTime"},
    ],
}


@pytest.fixture
def airtable(service_stubs):
    stub = service_stubs("api.airtable.com")
    fake = fakes.install_airtable(stub, fakes.AirtableFake(token=KEY, tables=[TABLE]))
    return fake


def test_airtable_creates_records_and_fills_missing_fields(airtable):
    out = run(
        AIRTABLE_RECORDS,
        api_key("airtable"),
        base_id="appSupport",
        table_id_or_name="Tickets",
        records=[{"Subject": "Refund", "Score": 3}],
        typecast=True,
    )
    [(pin, records)] = out
    assert pin == "records"
    assert records[0]["fields"] == {
        "Subject": "Refund",
        "Score": 3,
        "Escalated": False,
        "Labels": [],
        "Received": None,
    }
    (request,) = airtable.stub.calls("POST", "/v0/appSupport/Tickets")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.json == {"records": [{"fields": {"Subject": "Refund", "Score": 3}}], "typecast": True}


def test_airtable_create_base_finds_an_existing_base_by_name(airtable):
    airtable.bases.append({"id": "appExisting", "name": "Support", "permissionLevel": "create"})
    out = run(AIRTABLE_BASE, api_key("airtable"), workspace_id="wsp1", name="Support")
    assert out == [("base_id", "appExisting"), ("was_created", False), ("tables", [TABLE]), ("table", TABLE)]
    assert not airtable.stub.calls("POST", "/v0/meta/bases")


def test_airtable_create_base_creates_the_base_with_its_tables(airtable):
    out = run(AIRTABLE_BASE, api_key("airtable"), workspace_id="wsp1", name="New base")
    assert out[:2] == [("base_id", airtable.bases[0]["id"]), ("was_created", True)]
    (request,) = airtable.stub.calls("POST", "/v0/meta/bases")
    assert request.json["workspaceId"] == "wsp1"
    assert request.json["tables"][0]["name"] == "Default table"
    assert [pin for pin, _ in out] == ["base_id", "was_created", "tables", "table"]


def test_airtable_refusal(airtable):
    message = failure(
        AIRTABLE_RECORDS, api_key("airtable", WRONG), base_id="appX", table_id_or_name="T", records=[{"a": 1}]
    )
    assert "Airtable API error 401: Authentication required" in message


# -- Firecrawl


PAGES = [
    {
        "markdown": "# Home",
        "rawHtml": "<h1>Home</h1>",
        "links": ["https://example.com/pricing"],
        "metadata": {"title": "Home", "sourceURL": "https://example.com", "statusCode": 200},
    },
    {
        "markdown": "# Pricing",
        "rawHtml": "<h1>Pricing</h1>",
        "links": [],
        "metadata": {"title": "Pricing", "sourceURL": "https://example.com/pricing", "statusCode": 200},
    },
]


@pytest.fixture
def firecrawl(service_stubs):
    def start(**options: Any) -> fakes.FirecrawlFake:
        stub = service_stubs("api.firecrawl.dev")
        fake = fakes.install_firecrawl(stub, fakes.FirecrawlFake(key=KEY, pages=PAGES, **options))
        return fake

    return start


def test_firecrawl_crawl_waits_for_the_job_and_follows_next(firecrawl):
    fake = firecrawl(page_size=1)
    out = run(
        FIRECRAWL_CRAWL,
        api_key("firecrawl"),
        url="https://example.com",
        limit=5,
        formats=["markdown", "rawHtml", "screenshot@fullPage"],
    )
    data = out[0][1]
    assert out[0][0] == "data"
    assert data[0] == {
        "markdown": "# Home",
        "raw_html": "<h1>Home</h1>",
        "links": ["https://example.com/pricing"],
        "metadata": {"title": "Home", "source_url": "https://example.com", "status_code": 200},
    }
    assert out[1:] == [
        ("markdown", "# Home"),
        ("raw_html", "<h1>Home</h1>"),
        ("markdown", "# Pricing"),
        ("raw_html", "<h1>Pricing</h1>"),
    ]
    (start,) = fake.stub.calls("POST", "/v2/crawl")
    assert start.json == {
        "url": "https://example.com",
        "limit": 5,
        "scrapeOptions": {
            "formats": ["markdown", "rawHtml", {"type": "screenshot", "fullPage": True}],
            "onlyMainContent": True,
            "maxAge": 3600000,
            "waitFor": 0,
        },
    }
    (job,) = fake.jobs.values()
    reads = fake.stub.calls("GET", f"/v2/crawl/{job.id}")
    assert [r.query for r in reads] == [{}, {}, {}, {"skip": ["1"]}]


def test_firecrawl_failed_crawl(firecrawl):
    firecrawl(fail=True)
    message = failure(FIRECRAWL_CRAWL, api_key("firecrawl"), url="https://example.com")
    assert "Firecrawl crawl failed: Site blocked the crawler" in message


def test_firecrawl_crawl_past_the_poll_budget_is_cancelled(firecrawl, poll_budget):
    poll_budget(0.1)
    fake = firecrawl(polls=10**6)
    message = failure(FIRECRAWL_CRAWL, api_key("firecrawl"), url="https://example.com")
    assert "Firecrawl crawl did not finish within 0.1 seconds" in message
    (job,) = fake.jobs.values()
    assert job.cancelled and fake.stub.calls("DELETE", f"/v2/crawl/{job.id}")


def test_firecrawl_extract_job(firecrawl):
    fake = firecrawl(extract_data={"support_email": "help@example.com"})
    out = run(
        FIRECRAWL_EXTRACT,
        api_key("firecrawl"),
        urls=["https://example.com/*"],
        prompt="Find the support email",
        output_schema={"type": "object"},
    )
    assert out == [("data", {"support_email": "help@example.com"})]
    (start,) = fake.stub.calls("POST", "/v2/extract")
    assert start.json == {
        "urls": ["https://example.com/*"],
        "enableWebSearch": False,
        "prompt": "Find the support email",
        "schema": {"type": "object"},
    }


def test_firecrawl_map(firecrawl):
    links = [
        {"url": "https://example.com/a", "title": "A", "description": "Page A"},
        {"url": "https://example.com/b"},
    ]
    firecrawl(links=links)
    out = run(FIRECRAWL_MAP, api_key("firecrawl"), url="https://example.com")
    assert out == [
        ("links", ["https://example.com/a", "https://example.com/b"]),
        (
            "results",
            [
                {"url": "https://example.com/a", "title": "A", "description": "Page A"},
                {"url": "https://example.com/b", "title": None, "description": None},
            ],
        ),
    ]


def test_firecrawl_rejected_key(firecrawl):
    firecrawl()
    message = failure(FIRECRAWL_MAP, api_key("firecrawl", WRONG), url="https://example.com")
    assert "Firecrawl API error 401: Unauthorized: Invalid token Bearer ***" in message
    assert WRONG not in message
