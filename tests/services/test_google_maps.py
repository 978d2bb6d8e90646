"""GoogleMapsSearchBlock against a stub of the Places API (New) Text Search."""

from __future__ import annotations

import json

from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, link, node
from tests.support.service_fakes import PLACES_HOSTS, places_place, places_routes
from tests.support.service_stub import add_credential, node_runs, run_with, service_stub

SEARCH = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
KEY = "AIzaSy-maps-secret-0d4e"


def _graph(**defaults):
    return {
        "name": "Places",
        "nodes": [
            node("in", AGENT_INPUT, name="query"),
            node("maps", SEARCH, **defaults),
            node("out", AGENT_OUTPUT, name="place"),
        ],
        "links": [link("in", "result", "maps", "query"), link("maps", "place", "out", "value")],
    }


def test_places_come_page_by_page_up_to_max_results(api, kms_key, monkeypatch):
    first = [
        places_place(
            "Cafe",
            nationalPhoneNumber="(555) 010-0000",
            websiteUri="https://cafe.example",
            rating=4.5,
            userRatingCount=12,
        ),
        places_place("Deli"),
    ]
    routes = places_routes(KEY, [first, [places_place("Bakery")], [places_place("Never reached")]])
    with service_stub(monkeypatch, PLACES_HOSTS, routes) as places:
        meta = add_credential(api, "google_maps", api_key=KEY)
        _, run = run_with(api, _graph(max_results=3), {"query": "food in Springfield"}, meta)
    assert run["status"] == "COMPLETED"
    assert run["outputs"]["place"] == [
        {
            "name": "Cafe",
            "address": "1 Cafe St, Springfield",
            "phone": "(555) 010-0000",
            "rating": 4.5,
            "reviews": 12,
            "website": "https://cafe.example",
            "place_id": "ChIJ-Cafe",
            "latitude": 40.75,
            "longitude": -73.99,
            "google_maps_url": "https://maps.google.com/?cid=4",
        },
        {
            "name": "Deli",
            "address": "1 Deli St, Springfield",
            "phone": "",
            "rating": 0.0,
            "reviews": 0,
            "website": "",
            "place_id": "ChIJ-Deli",
            "latitude": 40.75,
            "longitude": -73.99,
            "google_maps_url": "https://maps.google.com/?cid=4",
        },
        {
            "name": "Bakery",
            "address": "1 Bakery St, Springfield",
            "phone": "",
            "rating": 0.0,
            "reviews": 0,
            "website": "",
            "place_id": "ChIJ-Bakery",
            "latitude": 40.75,
            "longitude": -73.99,
            "google_maps_url": "https://maps.google.com/?cid=6",
        },
    ]
    bodies = [json.loads(r.body) for r in places.requests]
    assert bodies == [
        {"textQuery": "food in Springfield", "pageSize": 3},
        {"textQuery": "food in Springfield", "pageSize": 1, "pageToken": "page-1"},
    ]


def test_an_invalid_key_fails_the_node_with_googles_hint(api, kms_key, monkeypatch):
    with service_stub(monkeypatch, PLACES_HOSTS, places_routes("another-key", [[]])):
        meta = add_credential(api, "google_maps", api_key=KEY)
        created, run = run_with(api, _graph(), {"query": "food"}, meta)
    (node_run,) = node_runs(run, created, SEARCH)
    assert node_run["status"] == "FAILED"
    assert node_run["output_data"]["error"] == [
        "raised by GoogleMapsSearchBlock with message: Google rejected the Maps API key. Check the key saved "
        f"in your Google Maps credentials.. block_id: {SEARCH}"
    ]
    assert KEY not in str(run)


def test_a_server_error_asks_to_try_again(api, kms_key, monkeypatch):
    routes = {
        "/v1/places:searchText": lambda req: (503, {"Content-Type": "text/html"}, b"<html>unavailable</html>")
    }
    with service_stub(monkeypatch, PLACES_HOSTS, routes):
        meta = add_credential(api, "google_maps", api_key=KEY)
        created, run = run_with(api, _graph(), {"query": "food"}, meta)
    (node_run,) = node_runs(run, created, SEARCH)
    assert node_run["output_data"]["error"] == [
        "raised by GoogleMapsSearchBlock with message: Places API (New) had a temporary problem (HTTP 503). "
        f"Try again.. block_id: {SEARCH}"
    ]
