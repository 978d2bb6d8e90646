"""Store profiles and creators: ``/api/store/profile``, ``/creators``, ``/creator/{username}``."""

from __future__ import annotations

import re
from typing import Any

from agentplatform.errors import NotFoundError
from agentplatform.marketplace import index
from agentplatform.marketplace.views import creator_details, creator_stats, pagination
from agentplatform.models.marketplace import (
    Creator,
    CreatorDetails,
    CreatorsResponse,
    CreatorsSort,
    Profile,
    ProfileDetails,
)
from agentplatform.store.marketplace import ConflictError, MarketplaceRepository, now, profile_id_for

SEARCH_QUERY_MAX = 100
_NOT_SLUG = re.compile(r"[^a-z0-9-]+")


def sanitize_name(text: str) -> str:
    """As upstream for usernames and slugs: lowercase letters, digits and hyphens only."""
    return _NOT_SLUG.sub("", text.lower())


def creator_of(profile: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a listing shows of its creator (kept on the listing, updated with the profile)."""
    if profile is None:
        return None
    return {
        "id": profile["id"],
        "username": profile["username"],
        "name": profile["name"],
        "avatar_url": profile.get("avatar_url") or "",
    }


def check_search_query(search_query: str | None) -> str | None:
    if search_query is not None and len(search_query.strip()) > SEARCH_QUERY_MAX:
        raise ValueError("Search query is too long")
    return search_query.strip() if search_query and search_query.strip() else None


class ProfileService:
    def __init__(self, repo: MarketplaceRepository | None = None):
        self.repo = repo or MarketplaceRepository()

    def get(self, user_id: str) -> ProfileDetails:
        profile = self.repo.get_profile(user_id)
        if profile is None:
            raise NotFoundError("Profile not found")
        return ProfileDetails(
            name=profile["name"],
            username=profile["username"],
            description=profile["description"],
            links=profile["links"],
            avatar_url=profile.get("avatar_url") or None,
        )

    def upsert(self, user_id: str, request: Profile) -> CreatorDetails:
        """Create or update the caller's profile. Usernames are unique; the creator shown
        on the caller's listings and in search follows the profile."""
        username = sanitize_name(request.username)
        if not username:
            raise ValueError("The username must contain letters, digits or hyphens")
        existing = self.repo.get_profile(user_id)
        at = now()
        profile = {
            "user_id": user_id,
            "id": profile_id_for(user_id),
            "name": request.name,
            "username": username,
            "description": request.description,
            "links": request.links,
            "avatar_url": request.avatar_url,
            "is_featured": bool((existing or {}).get("is_featured")),  # set by admins only
            "created_at": (existing or {}).get("created_at", at),
            "updated_at": at,
        }
        self.repo.save_profile(profile, (existing or {}).get("username"))
        listings = self._show_creator(user_id, creator_of(profile))
        index.changed(self.repo)
        return creator_details(profile, creator_stats(listings))

    def _show_creator(self, user_id: str, creator: dict[str, Any] | None) -> list[dict[str, Any]]:
        """Put the new creator details on each of the user's listings (a creator has few)."""
        listings = []
        for listing in self.repo.listings_of(user_id):
            if listing.get("creator") != creator:
                try:
                    listing = self.repo.write_listing({**listing, "creator": creator})
                except ConflictError:  # changed meanwhile: read it again and retry once
                    fresh = self.repo.get_listing(listing["id"], consistent=True)
                    if fresh is not None:
                        listing = self.repo.write_listing({**fresh, "creator": creator})
            listings.append(listing)
        return listings

    # -- creators

    def creators(
        self,
        *,
        featured: bool,
        search_query: str | None,
        sorted_by: CreatorsSort | None,
        page: int,
        page_size: int,
    ) -> CreatorsResponse:
        search = check_search_query(search_query)
        hits, total = index.current(self.repo).search(
            "creator",
            text=search,
            featured=featured,
            order=sorted_by.value if sorted_by else "username",
            offset=(page - 1) * page_size,
            limit=page_size,
        )
        return CreatorsResponse(
            creators=[Creator.model_validate_json(hit.data) for hit in hits],
            pagination=pagination(total, page, page_size),
        )

    def creator(self, username: str) -> CreatorDetails:
        user_id = self.repo.user_of(username.lower())
        profile = self.repo.get_profile(user_id) if user_id else None
        if user_id is None or profile is None:
            raise NotFoundError(f"Creator {username} not found")
        return creator_details(profile, creator_stats(self.repo.listings_of(user_id)))
