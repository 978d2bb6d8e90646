"""What other domains' changes do to the marketplace."""

from __future__ import annotations

from agentplatform.marketplace import index
from agentplatform.marketplace.views import is_public
from agentplatform.store.marketplace import MarketplaceRepository, listing_id_for, now


def graph_deleted(owner_user_id: str, graph_id: str) -> None:
    """A deleted graph's listing leaves the store: no longer shown, added or run."""
    repo = MarketplaceRepository()
    listing = repo.get_listing(listing_id_for(owner_user_id, graph_id), consistent=True)
    if listing is None or listing.get("is_deleted"):
        return
    shown = is_public(listing)
    repo.write_listing(
        {**listing, "is_deleted": True, "active": None, "active_version_id": None, "updated_at": now()}
    )
    if shown:
        index.changed(repo)
