"""``/api/store/admin``: reviewing submissions (spec §1.3 rows 97-99). Admins only (403)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from agentplatform.api.deps import AdminUser
from agentplatform.models.marketplace import (
    ReviewSubmissionRequest,
    StoreListingsWithVersionsResponse,
    StoreSubmission,
    SubmissionStatus,
)

router = APIRouter(prefix="/api/store/admin", tags=["v2", "admin", "store"])

_ADMIN: dict[int | str, dict[str, Any]] = {403: {"description": "Admin access required"}}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {**_ADMIN, 404: {"description": "Not found"}}


def _admin() -> Any:
    from agentplatform.marketplace.admin import AdminService

    return AdminService()


@router.get("/listings", summary="Get Admin Listings History", responses=_ADMIN)
def get_admin_listings_with_versions(
    admin: AdminUser,
    status: SubmissionStatus | None = None,
    search: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> StoreListingsWithVersionsResponse:
    return _admin().listings(status, search, page, page_size)


@router.post(
    "/submissions/{store_listing_version_id}/review", summary="Review Store Submission", responses=_NOT_FOUND
)
def review_submission(
    admin: AdminUser, store_listing_version_id: str, request: ReviewSubmissionRequest
) -> StoreSubmission:
    return _admin().review(admin.user_id, store_listing_version_id, request)


@router.get(
    "/submissions/download/{store_listing_version_id}",
    summary="Admin Download Agent File",
    responses=_NOT_FOUND,
)
def admin_download_agent_file(admin: AdminUser, store_listing_version_id: str) -> Response:
    from agentplatform.api.routers.store import agent_file_response

    return agent_file_response(*_admin().download(store_listing_version_id))
