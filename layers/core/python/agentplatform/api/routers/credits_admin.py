"""``/api/credits/admin``: grant credits, every user's credit history (spec §1.3 rows
100-101). Admin only; in the credits domain because they share its store."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Security

from agentplatform.api.deps import AdminUser, requires_admin_user
from agentplatform.api.routers.credits import ERRORS, Credits
from agentplatform.models.credits import (
    AddUserCreditsRequest,
    AddUserCreditsResponse,
    CreditTransactionType,
    UserHistoryResponse,
)

router = APIRouter(
    prefix="/api/credits/admin",
    tags=["v2", "admin", "credits"],
    dependencies=[Security(requires_admin_user)],
)
_ADMIN_ERRORS = {**ERRORS, 403: {"description": "Admin access required"}}


@router.post(
    "/add_credits",
    summary="Add Credits to User",
    responses=_ADMIN_ERRORS,
)
def add_user_credits(
    admin_user: AdminUser, credits: Credits, request: Annotated[AddUserCreditsRequest, Body()]
) -> AddUserCreditsResponse:
    return credits.admin_add_credits(admin_user.user_id, request.user_id, request.amount, request.comments)


@router.get(
    "/users_history",
    summary="Get All Users History",
    responses=_ADMIN_ERRORS,
)
def admin_get_all_user_history(
    admin_user: AdminUser,
    credits: Credits,
    search: str | None = None,
    page: int = 1,
    page_size: int = 20,
    transaction_filter: CreditTransactionType | None = None,
) -> UserHistoryResponse:
    return credits.admin_history(
        page=page, page_size=page_size, search=search, transaction_filter=transaction_filter
    )
