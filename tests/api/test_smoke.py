from tests.support.graphs import input_store_output_graph


def test_health_answers_without_auth(anonymous_api):
    resp = anonymous_api.get("/health")
    assert resp.status_code == 200
    assert resp.json() == {"status": "healthy"}


def test_create_and_fetch_graph(api):
    created = api.post("/api/graphs", json_body={"graph": input_store_output_graph()})
    assert created.status_code == 200, created.content
    graph = created.json()
    fetched = api.get(f"/api/graphs/{graph['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["id"] == graph["id"]
