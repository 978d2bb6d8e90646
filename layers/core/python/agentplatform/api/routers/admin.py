"""``/api/admin``: platform administration. Every route requires ``role=admin``.

Not an upstream route group: upstream's admin routes belong to credits and the store,
which arrive with those features. User lookup is what support needs first.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from agentplatform.api.deps import AdminUser
from agentplatform.store.users import UserRepository

router = APIRouter(prefix="/api/admin", tags=["admin"])


@router.get("/users/{user_id}", summary="Get any user's record (admin)")
def get_user(admin: AdminUser, user_id: str) -> dict[str, Any]:
    return UserRepository().get(user_id).model_dump(mode="json")
