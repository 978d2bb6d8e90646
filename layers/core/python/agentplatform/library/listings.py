"""The marketplace seam: which store listing versions are approved, and what they hold.

The library adds a listing's graph version to a user's library and lets them run it
(run permission, ``library/permissions.py``) only while ``find_approved_listing`` finds
the listing version APPROVED and not deleted. Until the store domain exists there are
no listings, so no marketplace agent can be added or run. The store issue replaces the
body of ``find_approved_listing`` with a read of its listing versions; nothing else in
the library changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # an annotation only: run permission checks need no library models
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


def find_approved_listing(listing_version_id: str) -> ApprovedListing | None:
    """The APPROVED, non-deleted listing version with this id, or None."""
    return None
