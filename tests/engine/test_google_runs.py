"""Graph runs with the Google blocks on the local cloud, against loopback Gmail, Calendar
and Google's token endpoint: every block in a graph, the error pin, a token refreshed
before use, and the Google parts of the public agent exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from agentplatform.blocks.registry import get_block
from agentplatform.store.credentials import CredentialsRepository
from tests.conftest import USER_ID
from tests.support.credentials import kms_key
from tests.support.google_stub import google_services, text_message
from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, link, node
from tests.support.llm_stub import anthropic_text, llm_stub
from tests.support.runs import FIND_IN_DICTIONARY, by_node, create_graph, execute, node_ids, wait_for

__all__ = ["kms_key", "llm_stub"]

GMAIL_READ = "25310c70-b89b-43ba-b25c-4dfa7e2a481c"
GMAIL_SEND = "6c27abc2-e51d-499e-a85f-5a0041ba94f0"
GMAIL_REPLY = "12bf5a24-9b90-4f40-9090-4e86e6995e60"
GMAIL_FORWARD = "64d2301c-b3f5-4174-8ac0-111ca1e1a7c0"
GMAIL_ADD_LABEL = "f884b2fb-04f4-4265-9658-14f433926ac9"
CALENDAR_READ = "80bc3ed1-e9a4-449e-8163-a8fc86f74f6a"
AGENTS = Path("/work/shared/reference/autogpt-agents")
SMART_MEETING_PREP = AGENTS / "agent_415b7352-0dc6-4214-9d87-0ad3751b711d.json"
PERSONAL_NEWSLETTER = AGENTS / "agent_00fdd42c-a14c-4d19-a567-65374ea0e87f.json"


@pytest.fixture
def google(cloud, kms_key):
    with google_services() as services:
        services.api.add(
            text_message(
                "m1",
                subject="Broken login",
                sender="Customer <customer@example.com>",
                to="support@example.com",
                body="I cannot sign in",
                thread_id="t1",
                attachment=("screenshot.png", b"\x89PNG fake"),
            )
        )
        yield services


def _run(
    api, graph: dict[str, Any], inputs: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    created = create_graph(api, graph)
    started = execute(api, created, inputs)
    return created, wait_for(api, created["id"], started["id"])


def test_the_gmail_blocks_answer_a_support_mail_in_one_run(api, google):
    creds = google.credential(USER_ID)
    graph = {
        "name": "Support triage",
        "nodes": [
            node("read", GMAIL_READ, credentials=creds, query="is:unread in:inbox", max_results=1),
            node("id", FIND_IN_DICTIONARY, key="id"),
            node("thread", FIND_IN_DICTIONARY, key="threadId"),
            node("label", GMAIL_ADD_LABEL, credentials=creds, label_name="agent-processed"),
            node("reply", GMAIL_REPLY, credentials=creds, body="We are on it."),
            node(
                "forward",
                GMAIL_FORWARD,
                credentials=creds,
                to=["oncall@example.com"],
                forwardMessage="Escalating",
            ),
            node("to", AGENT_INPUT, name="notify"),
            node("send", GMAIL_SEND, credentials=creds, subject="Triage done", body="One ticket handled."),
            node("out_label", AGENT_OUTPUT, name="label"),
            node("out_reply", AGENT_OUTPUT, name="reply"),
            node("out_forward", AGENT_OUTPUT, name="forward"),
            node("out_send", AGENT_OUTPUT, name="send"),
        ],
        "links": [
            link("read", "email", "id", "input"),
            link("read", "email", "thread", "input"),
            link("id", "output", "label", "message_id"),
            link("id", "output", "reply", "parentMessageId"),
            link("thread", "output", "reply", "threadId"),
            link("id", "output", "forward", "messageId"),
            link("to", "result", "send", "to_$_0"),
            link("label", "result_#_status", "out_label", "value"),
            link("reply", "threadId", "out_reply", "value"),
            link("forward", "status", "out_forward", "value"),
            link("send", "result_#_status", "out_send", "value"),
        ],
    }
    _, run = _run(api, graph, {"notify": "lead@example.com"})
    assert run["status"] == "COMPLETED", run
    assert run["outputs"] == {
        "label": ["Label added successfully"],
        "reply": ["t1"],
        "forward": ["forwarded"],
        "send": ["sent"],
    }
    sent = {message["Subject"]: message for message in google.api.sent}
    assert set(sent) == {"Re: Broken login", "Fwd: Broken login", "Triage done"}
    assert sent["Re: Broken login"]["To"] == "customer@example.com"
    assert sent["Fwd: Broken login"]["To"] == "oncall@example.com"
    assert sent["Triage done"]["To"] == "lead@example.com"
    (label,) = [label for label in google.api.labels if label["name"] == "agent-processed"]
    assert label["id"] in google.api.messages["m1"]["labelIds"]
    token = CredentialsRepository().get(USER_ID, creds["id"]).access_token.get_secret_value()
    assert token not in json.dumps(run)


def test_calendar_events_flow_into_the_graph(api, google):
    google.api.events = [
        {
            "id": "e1",
            "summary": "Partner sync",
            "start": {"dateTime": "2025-06-04T15:00:00Z"},
            "end": {"dateTime": "2025-06-04T15:30:00Z"},
            "attendees": [{"email": "ada@example.com"}, {"email": "zoe@partner.example"}],
        }
    ]
    creds = google.credential(USER_ID, scopes=["https://www.googleapis.com/auth/calendar.readonly"])
    graph = {
        "name": "Tomorrow",
        "nodes": [
            node(
                "cal",
                CALENDAR_READ,
                credentials=creds,
                start_time="2025-06-03T23:00:00.000Z",
                time_range_days=1,
            ),
            node("attendees", AGENT_OUTPUT, name="attendees"),
            node("titles", AGENT_OUTPUT, name="events"),
        ],
        "links": [
            link("cal", "event_#_attendees", "attendees", "value"),
            link("cal", "events", "titles", "value"),
        ],
    }
    _, run = _run(api, graph)
    assert run["status"] == "COMPLETED"
    assert run["outputs"]["attendees"] == [["ada@example.com", "zoe@partner.example"]]
    assert [event["title"] for event in run["outputs"]["events"][0]] == ["Partner sync"]
    query = google.api.queries[-1]
    assert (query["timeMin"], query["timeMax"]) == (
        ["2025-06-03T23:00:00+00:00"],
        ["2025-06-04T23:00:00+00:00"],
    )


@pytest.mark.parametrize(("block_id", "inputs"), [(GMAIL_READ, {}), (CALENDAR_READ, {})])
def test_a_google_server_error_reaches_the_error_pin_without_the_token(api, google, block_id, inputs):
    creds = google.credential(USER_ID)
    google.api.fail_with(503)
    graph = {
        "name": "Fails",
        "nodes": [node("g", block_id, credentials=creds, **inputs), node("err", AGENT_OUTPUT, name="error")],
        "links": [link("g", "error", "err", "value")],
    }
    created, run = _run(api, graph)
    assert run["status"] == "COMPLETED"  # a failed node does not fail the run, as upstream
    (error,) = run["outputs"]["error"]
    assert "API error 503: Backend Error 503" in error
    (node_exec,) = by_node(run, created, node_ids(created)["0"])
    assert node_exec["status"] == "FAILED"
    token = CredentialsRepository().get(USER_ID, creds["id"]).access_token.get_secret_value()
    assert token not in json.dumps(run)


def test_an_expired_token_is_refreshed_before_the_block_runs(api, google):
    creds = google.credential(USER_ID, expires_in=-60)
    expired = CredentialsRepository().get(USER_ID, creds["id"]).access_token.get_secret_value()
    del google.oauth.access_tokens[expired]  # Gmail now refuses it
    graph = {
        "name": "Inbox",
        "nodes": [node("read", GMAIL_READ, credentials=creds), node("out", AGENT_OUTPUT, name="subjects")],
        "links": [link("read", "email_#_subject", "out", "value")],
    }
    _, run = _run(api, graph)
    assert run["status"] == "COMPLETED", run
    assert run["outputs"] == {"subjects": ["Broken login"]}
    (refresh,) = google.oauth.token_requests
    assert parse_qs(refresh.body.decode())["grant_type"] == ["refresh_token"]
    stored = CredentialsRepository().get(USER_ID, creds["id"])
    assert stored.access_token.get_secret_value() != expired
    assert stored.access_token.get_secret_value() in google.oauth.access_tokens


def test_a_refused_refresh_fails_the_node_with_the_reason(api, google):
    creds = google.credential(USER_ID, expires_in=-60)
    google.oauth.refresh_tokens.clear()
    graph = {
        "name": "Inbox",
        "nodes": [node("read", GMAIL_READ, credentials=creds), node("err", AGENT_OUTPUT, name="error")],
        "links": [link("read", "error", "err", "value")],
    }
    _, run = _run(api, graph)
    assert run["outputs"] == {"error": ["google token refresh failed with HTTP 400 (invalid_grant)"]}


# -- the public agent exports


def _export(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _google_nodes():
    for path in (
        SMART_MEETING_PREP,
        PERSONAL_NEWSLETTER,
        AGENTS / "agent_b8ceb480-a7a2-4c90-8513-181a49f7071f.json",
    ):
        export = _export(path)
        for graph in [export, *(export.get("sub_graphs") or [])]:
            for graph_node in graph["nodes"]:
                if get_block(graph_node["block_id"]) and graph_node["block_id"] in {
                    GMAIL_READ,
                    GMAIL_SEND,
                    GMAIL_REPLY,
                    GMAIL_FORWARD,
                    GMAIL_ADD_LABEL,
                    CALENDAR_READ,
                }:
                    yield pytest.param(graph_node, graph, id=f"{path.stem[:14]}:{graph_node['id'][:8]}")


@pytest.mark.parametrize(("graph_node", "graph"), list(_google_nodes()))
def test_export_google_nodes_fit_the_blocks(graph_node, graph):
    from agentplatform.blocks.validation import validation_error
    from agentplatform.engine.pins import sanitize_pin_name

    block = get_block(graph_node["block_id"])
    fields = block.input_schema.get_fields()
    saved = {k: v for k, v in graph_node["input_default"].items() if k != "credentials"}
    assert set(saved) <= fields
    properties = {k: v for k, v in block.input_schema.jsonschema()["properties"].items() if k in saved}
    assert validation_error(saved, {"type": "object", "properties": properties}) is None
    for graph_link in graph["links"]:
        if graph_link["sink_id"] == graph_node["id"]:
            assert sanitize_pin_name(graph_link["sink_name"]) in fields, graph_link
        if graph_link["source_id"] == graph_node["id"]:
            assert sanitize_pin_name(graph_link["source_name"]) in block.output_schema.get_fields(), (
                graph_link
            )


@pytest.mark.parametrize("path", [SMART_MEETING_PREP, PERSONAL_NEWSLETTER], ids=lambda p: p.stem[:14])
def test_exports_using_the_google_blocks_import_unchanged(api, kms_key, path):
    export = _export(path)
    resp = api.post("/api/graphs", json_body={"graph": export})
    assert resp.status_code == 200, resp.content
    schema = resp.json()["credentials_input_schema"]["properties"]
    google_fields = [field for field in schema.values() if field.get("credentials_provider") == ["google"]]
    assert google_fields and all(field["credentials_types"] == ["oauth2"] for field in google_fields)


def test_the_exports_email_report_step_runs_end_to_end(api, google, llm_stub):
    """Smart Meeting Prep's "Text to Email Report" sub-graph, unchanged: Claude writes
    the HTML, GmailSend mails it."""
    export = _export(SMART_MEETING_PREP)
    (report_graph,) = [g for g in export["sub_graphs"] if g["name"] == "Text to Email Report"]
    llm_stub.queue(
        anthropic_text("<html><body><h1>Your meetings</h1><p>Zoe from Partner Co.</p></body></html>")
    )
    created = create_graph(api, report_graph)
    anthropic = api.post(
        "/api/integrations/anthropic/credentials",
        json_body={"type": "api_key", "api_key": "sk-ant-stub", "base_url": llm_stub.url},
    ).json()
    google_creds = google.credential(USER_ID, scopes=["https://www.googleapis.com/auth/gmail.send"])
    credentials_inputs = {}
    for key, field in created["credentials_input_schema"]["properties"].items():
        provider = field["credentials_provider"][0]
        meta = (
            google_creds
            if provider == "google"
            else {"id": anthropic["id"], "provider": provider, "type": "api_key"}
        )
        credentials_inputs[key] = meta
    started = api.post(
        f"/api/graphs/{created['id']}/execute/{created['version']}",
        json_body={
            "inputs": {
                "Report Text": "Zoe (Partner Co.) joins tomorrow's sync.",
                "Recipient Email": "ada@example.com",
                "Email Subject": "Attendee Backgrounds for your Meeting Tomorrow",
            },
            "credentials_inputs": credentials_inputs,
        },
    )
    assert started.status_code == 200, started.content
    run = wait_for(api, created["id"], started.json()["id"])
    assert run["status"] == "COMPLETED"
    assert run["outputs"]["Email Status"] == ["sent"]
    (message,) = google.api.sent
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Attendee Backgrounds for your Meeting Tomorrow"
    html = next(p for p in message.walk() if p.get_content_type() == "text/html")
    assert "<h1>Your meetings</h1>" in html.get_payload(decode=True).decode()
