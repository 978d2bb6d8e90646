"""Credential resolution and validation (spec §3.1 messages), masks and skipping."""

from __future__ import annotations

import pytest

from agentplatform.blocks.registry import get_block
from agentplatform.integrations.resolve import (
    CredentialsError,
    credentials_input_masks,
    merge_input_masks,
    resolve_node_credentials,
    should_skip_node,
    validate_graph_credentials,
)
from agentplatform.models.credentials import APIKeyCredentials, UserPasswordCredentials
from agentplatform.models.graph import BaseGraph, Node

TEXT = "1f292d4a-41a4-4977-9684-7c8d560b9f91"
STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"
USER = "user-1"

OPENAI = APIKeyCredentials(id="c-openai", provider="openai", api_key="sk-1")  # type: ignore[arg-type]
ANTHROPIC = APIKeyCredentials(id="c-anthropic", provider="anthropic", api_key="sk-2")  # type: ignore[arg-type]
SMTP = UserPasswordCredentials(id="c-smtp", provider="openai", username="u", password="p")  # type: ignore[arg-type]
STORED = {c.id: c for c in (OPENAI, ANTHROPIC, SMTP)}


def lookup(user_id: str, credentials_id: str):
    return STORED.get(credentials_id) if user_id == USER else None


def meta(c, **override):
    return {"id": c.id, "provider": c.provider, "type": c.type, "title": None, **override}


def _text_node(node_id: str, model: str = "gpt-4o", **kw) -> Node:
    return Node(
        id=node_id,
        block_id=TEXT,
        input_default={"model": model, "prompt": "p", **kw.pop("defaults", {})},
        **kw,
    )


def _graph(*nodes: Node) -> BaseGraph:
    return BaseGraph(id="g", nodes=[*nodes, Node(id="plain", block_id=STORE_VALUE)])


def _block():
    block = get_block(TEXT)
    assert block is not None
    return block


def test_aggregated_keys_follow_each_nodes_model():
    from agentplatform.graphs.schema import credentials_fields

    keys = credentials_fields([_graph(_text_node("a"), _text_node("b", "claude-sonnet-4-20250514"))])
    assert sorted(keys) == ["anthropic_api_key_credentials", "openai_api_key_credentials"]
    _, field, schema = keys["openai_api_key_credentials"][0]
    assert field == "credentials"
    assert schema["credentials_provider"] == ["openai"]
    assert schema["discriminator_values"] == ["gpt-4o"]


def test_credentials_inputs_become_node_masks_and_explicit_masks_win():
    graph = _graph(_text_node("a"), _text_node("b"), _text_node("c", "claude-sonnet-4-20250514"))
    masks = credentials_input_masks([graph], {"openai_api_key_credentials": meta(OPENAI), "unused_key": {}})
    assert masks == {"a": {"credentials": meta(OPENAI)}, "b": {"credentials": meta(OPENAI)}}
    merged = merge_input_masks(masks, {"b": {"credentials": meta(ANTHROPIC)}, "c": {"prompt": "x"}})
    assert merged["a"] == {"credentials": meta(OPENAI)}
    assert merged["b"] == {"credentials": meta(ANTHROPIC)}
    assert merged["c"] == {"prompt": "x"}


@pytest.mark.parametrize(
    ("value", "model", "message"),
    [
        (
            None,
            "gpt-4o",
            "These credentials are required: send credentials_inputs.openai_api_key_credentials naming a stored openai credential (api_key)",
        ),
        (
            {},
            "gpt-4o",
            "These credentials are required: send credentials_inputs.openai_api_key_credentials naming a stored openai credential (api_key)",
        ),
        ({"id": "c-openai"}, "gpt-4o", "Invalid credentials: provider: Field required, type: Field required"),
        (meta(OPENAI, id="nope"), "gpt-4o", "Unknown credentials #nope"),
        (meta(ANTHROPIC), "gpt-4o", "Invalid credentials: type/provider mismatch"),  # model needs openai
        (
            meta(OPENAI, provider="anthropic"),
            "claude-sonnet-4-20250514",
            "Invalid credentials: type/provider mismatch",
        ),
        (
            meta(SMTP, type="api_key"),
            "gpt-4o",
            "Invalid credentials: type/provider mismatch",
        ),  # stored type differs
    ],
)
def test_validation_messages(value, model, message):
    defaults = {} if value is None else {"credentials": value}
    check = validate_graph_credentials(
        USER, [_graph(_text_node("a", model, defaults=defaults))], lookup=lookup
    )
    assert check.node_errors == {"a": {"credentials": message}}
    assert check.nodes_to_skip == set()


def test_lookup_failure_is_not_available_without_details():
    def broken(user_id, credentials_id):
        raise RuntimeError("kms said sk-secret")

    node = _text_node("a", defaults={"credentials": meta(OPENAI)})
    check = validate_graph_credentials(USER, [_graph(node)], lookup=broken)
    assert check.node_errors == {"a": {"credentials": "Credentials not available: RuntimeError"}}


def test_mask_supplies_credentials_and_foreign_user_sees_unknown():
    graph = _graph(_text_node("a"))
    masks = {"a": {"credentials": meta(OPENAI)}}
    assert validate_graph_credentials(USER, [graph], masks, lookup=lookup).node_errors == {}
    other = validate_graph_credentials("someone-else", [graph], masks, lookup=lookup)
    assert other.node_errors == {"a": {"credentials": "Unknown credentials #c-openai"}}


def test_optional_credentials_missing_means_skip_not_error():
    node = _text_node("a", metadata={"credentials_optional": True})
    check = validate_graph_credentials(USER, [_graph(node)], lookup=lookup)
    assert check.node_errors == {}
    assert check.nodes_to_skip == {"a"}
    assert should_skip_node(_block(), node.metadata, {"prompt": "p"}) is True
    assert should_skip_node(_block(), node.metadata, {"credentials": meta(OPENAI)}) is False
    assert should_skip_node(_block(), {}, {"prompt": "p"}) is False


def test_optional_credentials_present_but_wrong_is_still_an_error():
    node = _text_node(
        "a", metadata={"credentials_optional": True}, defaults={"credentials": meta(OPENAI, id="x")}
    )
    check = validate_graph_credentials(USER, [_graph(node)], lookup=lookup)
    assert check.node_errors == {"a": {"credentials": "Unknown credentials #x"}}
    assert check.nodes_to_skip == set()


def test_resolve_returns_the_credentials_as_kwargs():
    data = {"model": "gpt-4o", "credentials": meta(OPENAI)}
    assert resolve_node_credentials(USER, _block(), data, lookup=lookup) == {"credentials": OPENAI}


def test_resolve_raises_a_value_error_naming_the_field():
    with pytest.raises(CredentialsError) as raised:
        resolve_node_credentials(USER, _block(), {"model": "gpt-4o"}, lookup=lookup)
    assert str(raised.value) == (
        "credentials: These credentials are required: a stored openai credential (api_key)"
    )
    assert isinstance(raised.value, ValueError)
    with pytest.raises(CredentialsError, match="Unknown credentials #c-openai"):
        resolve_node_credentials("intruder", _block(), {"credentials": meta(OPENAI)}, lookup=lookup)


def test_resolve_through_the_encrypted_store(kms_key):
    from agentplatform.integrations.service import CredentialsService

    service = CredentialsService()
    created = service.create(USER, "openai", {"type": "api_key", "api_key": "sk-real-secret"})
    resolved = resolve_node_credentials(
        USER,
        _block(),
        {"model": "gpt-4o", "credentials": {"id": created.id, "provider": "openai", "type": "api_key"}},
    )
    assert resolved["credentials"].api_key.get_secret_value() == "sk-real-secret"
    with pytest.raises(CredentialsError, match=f"Unknown credentials #{created.id}"):
        resolve_node_credentials(
            "other-user",
            _block(),
            {"credentials": {"id": created.id, "provider": "openai", "type": "api_key"}},
        )
