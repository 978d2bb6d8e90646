"""The store and builder domains serve exactly upstream's routes (spec §1.3 rows 71-99),
each documented with its response model."""

from __future__ import annotations

from agentplatform.api.domains import route_table

STORE = {
    ("GET", "/api/store/profile"),
    ("POST", "/api/store/profile"),
    ("GET", "/api/store/agents"),
    ("GET", "/api/store/search"),
    ("GET", "/api/store/agents/{username}/{agent_name}"),
    ("GET", "/api/store/graph/{store_listing_version_id}"),
    ("GET", "/api/store/agents/{store_listing_version_id}"),
    ("POST", "/api/store/agents/{username}/{agent_name}/review"),
    ("GET", "/api/store/creators"),
    ("GET", "/api/store/creator/{username}"),
    ("GET", "/api/store/myagents"),
    ("DELETE", "/api/store/submissions/{submission_id}"),
    ("GET", "/api/store/submissions"),
    ("POST", "/api/store/submissions"),
    ("PUT", "/api/store/submissions/{store_listing_version_id}"),
    ("POST", "/api/store/submissions/media"),
    ("POST", "/api/store/submissions/generate_image"),
    ("GET", "/api/store/download/agents/{store_listing_version_id}"),
    ("GET", "/api/store/metrics/cache"),
    ("GET", "/api/store/admin/listings"),
    ("POST", "/api/store/admin/submissions/{store_listing_version_id}/review"),
    ("GET", "/api/store/admin/submissions/download/{store_listing_version_id}"),
    # beyond upstream: where uploaded media URLs point (redirects to the stored file)
    ("GET", "/api/store/media/{user_id}/{file_name}"),
}
BUILDER = {
    ("GET", "/api/builder/suggestions"),
    ("GET", "/api/builder/categories"),
    ("GET", "/api/builder/blocks"),
    ("GET", "/api/builder/blocks/batch"),
    ("GET", "/api/builder/providers"),
    ("GET", "/api/builder/search"),
    ("GET", "/api/builder/counts"),
}


def _routes_of(domain: str) -> set[tuple[str, str]]:
    return {(r.method, r.path) for r in route_table() if r.domain == domain}


def test_each_domain_serves_exactly_its_routes():
    assert _routes_of("store") == STORE
    assert _routes_of("builder") == BUILDER


def test_json_routes_document_their_response_model():
    from agentplatform.api.app import create_app

    paths = create_app("store").openapi()["paths"] | create_app("builder").openapi()["paths"]
    plain = {"/api/store/download/agents/{store_listing_version_id}", "/api/store/metrics/cache"}
    plain |= {
        "/api/store/admin/submissions/download/{store_listing_version_id}",
        "/api/store/media/{user_id}/{file_name}",
    }
    for path, methods in paths.items():
        if not path.startswith(("/api/store", "/api/builder")) or path in plain:
            continue
        for method, operation in methods.items():
            ok = operation["responses"].get("200", {})
            assert ok.get("content", {}).get("application/json", {}).get("schema"), (method, path)
            assert "422" in operation["responses"] or method == "get", (method, path)
