"""The marketplace seam: which store listing versions are approved, and what they hold.

The library adds a listing's graph version to a user's library and lets them run it
(run permission, ``library/permissions.py``) only while ``find_approved_listing`` finds
the listing version APPROVED and its listing not deleted: two reads of the store's items
(``store/marketplace.py``), the version and its listing.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentplatform.models.library import MarketplaceListing


@dataclass(frozen=True)
class ApprovedListing:
    """An approved listing version: another user's graph version, as the store shows it."""

    listing_version_id: str
    graph_id: str
    graph_version: int
    owner_user_id: str  # the creator, who owns the graph
    listing: MarketplaceListing  # id, name, slug and creator {name, id, slug}
    creator_image_url: str = ""
    image_url: str | None = None
    latest_graph_version: int = 0  # the newest graph version the listing has approved


def find_approved_listing(listing_version_id: str) -> ApprovedListing | None:
    """The APPROVED, non-deleted listing version with this id, or None."""
    from agentplatform.models.library import MarketplaceListingCreator
    from agentplatform.store.marketplace import MarketplaceRepository

    repo = MarketplaceRepository()
    version = repo.get_version(listing_version_id)
    if version is None or version.get("status") != "APPROVED":
        return None
    listing = repo.get_listing(version["listing_id"])
    if listing is None or listing.get("is_deleted"):
        return None
    creator = listing.get("creator") or {}
    approved = [v["graph_version"] for v in listing["versions"] if v["status"] == "APPROVED"]
    return ApprovedListing(
        listing_version_id=listing_version_id,
        graph_id=version["graph_id"],
        graph_version=int(version["graph_version"]),
        owner_user_id=listing["owner_user_id"],
        listing=MarketplaceListing(
            id=listing["id"],
            name=version["name"],
            slug=listing["slug"],
            creator=MarketplaceListingCreator(
                name=creator.get("name") or creator.get("username") or "",
                id=creator.get("id") or "",
                slug=creator.get("username") or "",
            ),
        ),
        creator_image_url=creator.get("avatar_url") or "",
        image_url=(version.get("image_urls") or [None])[0],
        latest_graph_version=max(approved, default=0),
    )
