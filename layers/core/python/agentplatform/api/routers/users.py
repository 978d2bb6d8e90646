"""``/api/auth/user``: the caller's user record, email, timezone and preferences."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from agentplatform.api.deps import CurrentUser, UserId
from agentplatform.models.user import NotificationPreference, NotificationPreferenceDTO, TimezoneBody
from agentplatform.store.users import UserRepository

router = APIRouter(prefix="/api/auth/user", tags=["v1", "auth"])


def user_repository() -> UserRepository:
    return UserRepository()


Users = Annotated[UserRepository, Depends(user_repository)]


@router.post("", summary="Get or create user")
def get_or_create_user(user: CurrentUser, users: Users) -> dict[str, Any]:
    return users.get_or_create(user.user_id, email=user.email).model_dump(mode="json")


@router.post("/email", summary="Update user email")
def update_user_email(user_id: UserId, users: Users, email: Annotated[str, Body(...)]) -> dict[str, str]:
    return {"email": users.update_email(user_id, email).email}


@router.get("/timezone", summary="Get user timezone")
def get_user_timezone(user_id: UserId, users: Users) -> dict[str, str]:
    return {"timezone": users.get_or_create(user_id).timezone}


@router.post("/timezone", summary="Update user timezone")
def update_user_timezone(user_id: UserId, users: Users, body: TimezoneBody) -> dict[str, str]:
    return {"timezone": users.update_timezone(user_id, body.timezone).timezone}


@router.get("/preferences", summary="Get notification preferences")
def get_preferences(user_id: UserId, users: Users) -> NotificationPreference:
    return users.get_preferences(user_id)


@router.post("/preferences", summary="Update notification preferences")
def update_preferences(
    user_id: UserId, users: Users, preferences: NotificationPreferenceDTO
) -> NotificationPreference:
    return users.update_preferences(user_id, preferences)
