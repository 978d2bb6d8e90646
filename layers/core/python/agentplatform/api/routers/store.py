"""``/api/store``: the marketplace (spec §1.3 rows 71-89, §1.5 "Store").

Listings, agent details, creators, agent files and search are public; profiles,
submissions, reviews and media need a signed-in user. What the store shows is only
ever approved versions (``marketplace/listings.py``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, UploadFile
from fastapi.responses import PlainTextResponse, RedirectResponse

from agentplatform.api.deps import UserId
from agentplatform.api.store_queries import CreatorsQuery, Page, PageSize, StoreAgentsQuery, path_name
from agentplatform.models.graph import GraphMeta
from agentplatform.models.marketplace import (
    ContentType,
    CreatorDetails,
    CreatorsResponse,
    ImageURLResponse,
    MyAgentsResponse,
    Profile,
    ProfileDetails,
    StoreAgentDetails,
    StoreAgentsResponse,
    StoreReview,
    StoreReviewCreate,
    StoreSubmission,
    StoreSubmissionEditRequest,
    StoreSubmissionRequest,
    StoreSubmissionsResponse,
    UnifiedSearchResponse,
)

router = APIRouter(prefix="/api/store", tags=["v2", "store"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Not found"}}
_BAD: dict[int | str, dict[str, Any]] = {400: {"description": "Invalid request"}, **_NOT_FOUND}


def _listings() -> Any:
    from agentplatform.marketplace.listings import ListingService

    return ListingService()


def _profiles() -> Any:
    from agentplatform.marketplace.profiles import ProfileService

    return ProfileService()


def _submissions() -> Any:
    from agentplatform.marketplace.submissions import SubmissionService

    return SubmissionService()


def agent_file_response(file_name: str, content: dict[str, Any]) -> Response:
    return Response(
        content=json.dumps(content),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


# -- profile


@router.get("/profile", summary="Get user profile", responses=_NOT_FOUND)
def get_profile(user_id: UserId) -> ProfileDetails:
    return _profiles().get(user_id)


@router.post("/profile", summary="Update user profile", responses=_BAD)
def update_or_create_profile(user_id: UserId, profile: Profile) -> CreatorDetails:
    return _profiles().upsert(user_id, profile)


# -- agents


@router.get("/agents", summary="List store agents", responses=_BAD)
def get_agents(query: Annotated[StoreAgentsQuery, Depends()]) -> StoreAgentsResponse:
    return query.run()


@router.get("/search", summary="Unified search across all content types", responses=_BAD)
def unified_search(
    query: str,
    content_types: Annotated[list[ContentType] | None, Query()] = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> UnifiedSearchResponse:
    return _listings().search(query, content_types, page, page_size)


@router.get("/agents/{username}/{agent_name}", summary="Get specific agent", responses=_NOT_FOUND)
def get_agent(username: str, agent_name: str, include_changelog: bool = False) -> StoreAgentDetails:
    return _listings().agent(path_name(username), path_name(agent_name), include_changelog=include_changelog)


@router.get("/graph/{store_listing_version_id}", summary="Get agent graph", responses=_NOT_FOUND)
def get_graph_meta_by_store_listing_version_id(user_id: UserId, store_listing_version_id: str) -> GraphMeta:
    return _listings().graph_meta(user_id, store_listing_version_id)


@router.get("/agents/{store_listing_version_id}", summary="Get agent by version", responses=_NOT_FOUND)
def get_store_agent(user_id: UserId, store_listing_version_id: str) -> StoreAgentDetails:
    return _listings().agent_by_version(store_listing_version_id)


@router.post("/agents/{username}/{agent_name}/review", summary="Create agent review", responses=_NOT_FOUND)
def create_review(user_id: UserId, username: str, agent_name: str, review: StoreReviewCreate) -> StoreReview:
    return _listings().review(user_id, review)


# -- creators


@router.get("/creators", summary="List store creators", responses=_BAD)
def get_creators(query: Annotated[CreatorsQuery, Depends()]) -> CreatorsResponse:
    return query.run()


@router.get("/creator/{username}", summary="Get creator details", responses=_NOT_FOUND)
def get_creator(username: str) -> CreatorDetails:
    return _profiles().creator(path_name(username))


# -- submissions


@router.get("/myagents", summary="Get my agents")
def get_my_agents(user_id: UserId, page: Page = 1, page_size: PageSize = 20) -> MyAgentsResponse:
    return _submissions().my_agents(user_id, page, page_size)


@router.delete("/submissions/{submission_id}", summary="Delete store submission", responses=_BAD)
def delete_submission(user_id: UserId, submission_id: str) -> bool:
    return bool(_submissions().delete(user_id, submission_id))


@router.get("/submissions", summary="List my submissions")
def get_submissions(user_id: UserId, page: Page = 1, page_size: PageSize = 20) -> StoreSubmissionsResponse:
    return _submissions().list(user_id, page, page_size)


@router.post("/submissions", summary="Create store submission", responses=_BAD)
def create_submission(user_id: UserId, submission_request: StoreSubmissionRequest) -> StoreSubmission:
    return _submissions().create(user_id, submission_request)


@router.put("/submissions/{store_listing_version_id}", summary="Edit store submission", responses=_BAD)
def edit_submission(
    user_id: UserId, store_listing_version_id: str, submission_request: StoreSubmissionEditRequest
) -> StoreSubmission:
    return _submissions().edit(user_id, store_listing_version_id, submission_request)


@router.post(
    "/submissions/media",
    summary="Upload submission media",
    responses={413: {"description": "File too large"}, 415: {"description": "Not an allowed image or video"}},
)
async def upload_submission_media(user_id: UserId, request: Request, file: UploadFile) -> str:
    from agentplatform.marketplace.media import MediaTooLargeError, UnsupportedMediaError, upload

    content = await file.read()
    try:
        return upload(user_id, content, file.content_type, str(request.base_url))
    except MediaTooLargeError as exc:
        raise HTTPException(413, detail=str(exc)) from None
    except UnsupportedMediaError as exc:
        raise HTTPException(415, detail=str(exc)) from None


@router.post(
    "/submissions/generate_image",
    summary="Generate submission image",
    responses={**_NOT_FOUND, 503: {"description": "No image generation provider is configured"}},
)
def generate_image(user_id: UserId, request: Request, agent_id: str) -> ImageURLResponse:
    from agentplatform.marketplace.image_gen import generate_agent_image

    return ImageURLResponse(image_url=generate_agent_image(user_id, agent_id, str(request.base_url)))


@router.get(
    "/media/{user_id}/{file_name}",
    summary="Get submission media (redirects to the file)",
    status_code=307,
    response_class=RedirectResponse,
    responses=_NOT_FOUND,
)
def get_media(
    user_id: Annotated[str, Path(max_length=128)], file_name: Annotated[str, Path(max_length=64)]
) -> RedirectResponse:
    from agentplatform.marketplace.media import signed_url

    return RedirectResponse(signed_url(user_id, file_name), status_code=307)


@router.get(
    "/download/agents/{store_listing_version_id}", summary="Download agent file", responses=_NOT_FOUND
)
def download_agent_file(store_listing_version_id: str) -> Response:
    return agent_file_response(*_listings().agent_file(store_listing_version_id))


@router.get(
    "/metrics/cache",
    summary="Get cache metrics in Prometheus format",
    tags=["metrics"],
    response_class=PlainTextResponse,
)
def get_cache_metrics() -> str:
    from agentplatform.marketplace.index import metrics

    return metrics()
