"""Place search through Google's Places API (New) Text Search.

``POST https://places.googleapis.com/v1/places:searchText`` with the key in
``X-Goog-Api-Key`` and the wanted fields in ``X-Goog-FieldMask``; up to 20 places a
page, further pages by ``nextPageToken``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, SecretStr

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from agentplatform.blocks.credentials import CredentialsField, CredentialsMetaInput
from agentplatform.blocks.service_http import ServiceClient, error_detail, mock_credentials
from agentplatform.models.credentials import APIKeyCredentials

SEARCH_URL = "https://places.googleapis.com/v1/places:searchText"
PAGE_SIZE = 20
SEARCH_FIELDS = ",".join(
    [
        "places.id",
        "places.displayName",
        "places.formattedAddress",
        "places.location",
        "places.googleMapsUri",
        "places.nationalPhoneNumber",
        "places.websiteUri",
        "places.rating",
        "places.userRatingCount",
        "nextPageToken",
    ]
)
# Google's error reasons that have a fix the user can make, and what it is.
ERROR_HINTS = {
    "API_KEY_INVALID": (
        "Google rejected the Maps API key. Check the key saved in your Google Maps credentials."
    ),
    "SERVICE_DISABLED": (
        "Places API (New) isn't enabled on the Google Cloud project that owns this Maps API key. "
        "Enable it in the Google Cloud console under APIs & Services, then try again."
    ),
    "API_KEY_SERVICE_BLOCKED": (
        "This Maps API key isn't allowed to call Places API (New). "
        "Add it to the key's API restrictions in the Google Cloud console."
    ),
}

TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT = mock_credentials(
    "google_maps", "Mock Google Maps API key", api_key="mock-google-maps-api-key", input_title="api_key"
)
TEST_PLACE = {
    "name": "Test Restaurant",
    "address": "123 Test St, New York, NY 10001",
    "phone": "(555) 123-4567",
    "rating": 4.5,
    "reviews": 100,
    "website": "https://testrestaurant.com",
    "place_id": "ChIJTestRestaurant0123456789",
    "latitude": 40.7505,
    "longitude": -73.9934,
    "google_maps_url": "https://maps.google.com/?cid=1234567890",
}


class Place(BaseModel):
    name: str
    address: str
    phone: str
    rating: float
    reviews: int
    website: str
    place_id: str = Field(default="", description="Google Maps place ID")
    latitude: float | None = Field(default=None, description="Latitude in degrees")
    longitude: float | None = Field(default=None, description="Longitude in degrees")
    google_maps_url: str = Field(default="", description="Link to the place on Google Maps")


class GoogleMapsSearchBlock(Block):
    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = CredentialsField(
            provider="google_maps", supported_types=["api_key"], description="Google Maps API Key"
        )
        query: str = SchemaField(
            description="Search query for local businesses", placeholder="e.g., 'restaurants in New York'"
        )
        radius: int = SchemaField(
            description=(
                "Not used: Google needs a centre point to apply a radius, so name the area in the "
                "query instead. Kept so existing agents still load."
            ),
            default=5000,
            ge=1,
            le=50000,
            advanced=True,
        )
        max_results: int = SchemaField(
            description="Maximum number of results to return (max 60)", default=20, ge=1, le=60
        )

    class Output(BlockSchemaOutput):
        place: Place = SchemaField(description="Place found")

    def __init__(self) -> None:
        super().__init__(
            id="f47ac10b-58cc-4372-a567-0e02b2c3d479",
            description=(
                "Search Google Maps for businesses and other places that match a text query. Returns "
                "each place's name, address, phone, rating, review count, website, place ID, "
                "coordinates and Google Maps link."
            ),
            categories={BlockCategory.SEARCH},
            input_schema=GoogleMapsSearchBlock.Input,
            output_schema=GoogleMapsSearchBlock.Output,
            test_input={
                "credentials": TEST_CREDENTIALS_INPUT,
                "query": "restaurants in new york",
                "radius": 5000,
                "max_results": 5,
            },
            test_output=[("place", TEST_PLACE)],
            test_mock={"search_places": lambda *args, **kwargs: [dict(TEST_PLACE)]},
            test_credentials=TEST_CREDENTIALS,
        )

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        places = await self.search_places(
            credentials.api_key, input_data.query, input_data.radius, input_data.max_results
        )
        for place in places:
            yield "place", place

    async def search_places(
        self, api_key: SecretStr, query: str, radius: int, max_results: int
    ) -> list[dict[str, Any]]:
        """Up to ``max_results`` places, a page of at most 20 at a time. ``radius`` needs a
        centre point the block does not have, so it is not sent (as upstream)."""
        key = api_key.get_secret_value()
        headers = {"X-Goog-Api-Key": key, "X-Goog-FieldMask": SEARCH_FIELDS}
        places: list[dict[str, Any]] = []
        page_token = ""
        async with ServiceClient("Google Maps", headers=headers, secrets=[key]) as client:
            while len(places) < max_results:
                body: dict[str, Any] = {
                    "textQuery": query,
                    "pageSize": min(PAGE_SIZE, max_results - len(places)),
                }
                if page_token:
                    body["pageToken"] = page_token
                response = await client.request("POST", SEARCH_URL, json=body, allow_status=range(400, 600))
                if response.status_code >= 400:
                    raise ValueError(client.scrub(search_error(response)))
                page = response.json()
                places.extend(to_place(place) for place in page.get("places") or [])
                page_token = page.get("nextPageToken", "")
                if not page_token:
                    break
        return places[:max_results]


def to_place(place: dict[str, Any]) -> dict[str, Any]:
    """A Places API (New) place as the block's ``Place``."""
    location = place.get("location") or {}
    return Place(
        name=(place.get("displayName") or {}).get("text", ""),
        address=place.get("formattedAddress", ""),
        phone=place.get("nationalPhoneNumber", ""),
        rating=place.get("rating", 0),
        reviews=place.get("userRatingCount", 0),
        website=place.get("websiteUri", ""),
        place_id=place.get("id", ""),
        latitude=location.get("latitude", 0.0) if location else None,
        longitude=location.get("longitude", 0.0) if location else None,
        google_maps_url=place.get("googleMapsUri", ""),
    ).model_dump()


def search_error(response: Any) -> str:
    """A message the user can act on, for a failed Text Search request."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = (body.get("error") if isinstance(body, dict) else None) or {}
    for detail in error.get("details") or []:
        hint = ERROR_HINTS.get(detail.get("reason", "")) if isinstance(detail, dict) else None
        if hint:
            return hint
    status = response.status_code
    if status == 429:
        return (
            "This Maps API key has run out of Places API (New) quota. "
            "Try again later, or raise the quota in the Google Cloud console."
        )
    if status >= 500:
        return f"Places API (New) had a temporary problem (HTTP {status}). Try again."
    return f"Places API (New) rejected the search (HTTP {status}): {error_detail(response)}"
