"""Which stored credentials a node runs with, and the spec's validation messages.

Three entry points, all pure apart from the credential lookup (injectable):

- ``credentials_input_masks(graph, credentials_inputs)``: an execute request's
  ``credentials_inputs`` (keyed by aggregated field key, e.g.
  ``openai_api_key_credentials``) as per-node input masks;
- ``validate_graph_credentials(user_id, graph, masks)``: the per-node errors and the
  nodes to skip (``metadata.credentials_optional`` with credentials missing), checked
  when a run starts;
- ``resolve_node_credentials(user_id, block, input_data)``: the ``Credentials``
  objects to pass to the block as kwargs named after their fields;
  ``resolve_fresh_node_credentials`` (what ``run_node`` awaits) also refreshes OAuth2
  tokens that expire within five minutes (``integrations/oauth/refresh.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentplatform.blocks.credentials import credentials_field_key, node_credentials_schema

if TYPE_CHECKING:
    from agentplatform.blocks.block import Block
    from agentplatform.models.credentials import Credentials
    from agentplatform.models.graph import BaseGraph, Node

Lookup = Callable[[str, str], "Credentials | None"]

REQUIRED = "These credentials are required"


def required_message(schema: Mapping[str, Any], key: str | None = None) -> str:
    """The spec's message, then what to send: the ``credentials_inputs`` key and provider."""
    providers = " or ".join(schema.get("credentials_provider") or []) or "a matching"
    types = "/".join(schema.get("credentials_types") or [])
    what = f"a stored {providers} credential" + (f" ({types})" if types else "")
    if key is None:
        return f"{REQUIRED}: {what}"
    return f"{REQUIRED}: send credentials_inputs.{key} naming {what}"


MISMATCH = "Invalid credentials: type/provider mismatch"


class CredentialsError(ValueError):
    """A node's credentials cannot be used; ``errors`` maps field name to message."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


@dataclass
class GraphCredentialsCheck:
    node_errors: dict[str, dict[str, str]] = field(default_factory=dict)
    nodes_to_skip: set[str] = field(default_factory=set)


def default_lookup(user_id: str, credentials_id: str) -> Credentials | None:
    from agentplatform.integrations.service import CredentialsService

    return CredentialsService().resolve(user_id, credentials_id)


def _is_missing(value: Any) -> bool:
    return not value or (isinstance(value, dict) and not value.get("id"))


def _meta_error(value: Any, schema: dict[str, Any]) -> str | None:
    from pydantic import ValidationError

    from agentplatform.models.credentials import CredentialsMetaInput

    try:
        meta = CredentialsMetaInput.model_validate(value)
    except ValidationError as exc:
        problems = ", ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors())
        return f"Invalid credentials: {problems}"
    providers = schema.get("credentials_provider") or []
    types = schema.get("credentials_types") or []
    if (providers and meta.provider not in providers) or (types and meta.type not in types):
        return MISMATCH
    return None


def _check_one(
    user_id: str, value: Any, schema: dict[str, Any], lookup: Lookup
) -> tuple[Credentials | None, str | None]:
    """(credentials, None) when usable, else (None, the spec's error message)."""
    if error := _meta_error(value, schema):
        return None, error
    try:
        creds = lookup(user_id, value["id"])
    except Exception as exc:
        return None, f"Credentials not available: {type(exc).__name__}"
    if creds is None:
        return None, f"Unknown credentials #{value['id']}"
    if creds.provider != value["provider"] or creds.type != value["type"]:
        return None, MISMATCH
    return creds, None


def _node_values(block: Block, node: Node, mask: Mapping[str, Any]) -> dict[str, Any]:
    fields = block.input_schema.get_credentials_fields()
    return {name: mask[name] if name in mask else node.input_default.get(name) for name in fields}


def check_node_credentials(
    user_id: str,
    block: Block,
    node: Node,
    mask: Mapping[str, Any] | None = None,
    lookup: Lookup | None = None,
) -> tuple[dict[str, str], bool]:
    """(errors by field, whether the node is skipped for missing optional credentials)."""
    lookup = lookup or default_lookup
    optional = bool(node.metadata.get("credentials_optional"))
    errors: dict[str, str] = {}
    missing = False
    for name, value in _node_values(block, node, mask or {}).items():
        schema = node_credentials_schema(block, name, node.input_default)
        if _is_missing(value):
            missing = True
            if not optional:
                errors[name] = required_message(schema, credentials_field_key(schema))
            continue
        _, error = _check_one(user_id, value, schema, lookup)
        if error:
            errors[name] = error
    return errors, (optional and missing and not errors)


def validate_graph_credentials(
    user_id: str,
    graphs: Iterable[BaseGraph],
    masks: Mapping[str, Mapping[str, Any]] | None = None,
    lookup: Lookup | None = None,
) -> GraphCredentialsCheck:
    """Check every node of ``graphs`` (the graph and its sub-graphs)."""
    from agentplatform.blocks.registry import get_block

    result = GraphCredentialsCheck()
    for graph in graphs:
        for node in graph.nodes:
            block = get_block(node.block_id)
            if block is None or not block.input_schema.get_credentials_fields():
                continue
            errors, skip = check_node_credentials(user_id, block, node, (masks or {}).get(node.id), lookup)
            if errors:
                result.node_errors[node.id] = errors
            if skip:
                result.nodes_to_skip.add(node.id)
    return result


def credentials_input_masks(
    graphs: Iterable[BaseGraph], credentials_inputs: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """``{node_id: {field_name: meta}}`` for every aggregated key the request supplies."""
    from agentplatform.graphs.schema import credentials_fields

    masks: dict[str, dict[str, Any]] = {}
    if not credentials_inputs:
        return masks
    for key, uses in credentials_fields(graphs).items():
        if key not in credentials_inputs:
            continue
        meta = credentials_inputs[key]
        if hasattr(meta, "model_dump"):
            meta = meta.model_dump()
        for node, field_name, _ in uses:
            masks.setdefault(node.id, {})[field_name] = meta
    return masks


def merge_input_masks(
    credential_masks: Mapping[str, Mapping[str, Any]], explicit: Mapping[str, Mapping[str, Any]] | None
) -> dict[str, dict[str, Any]]:
    """Per node, explicit ``nodes_input_masks`` win over credentials masks (as upstream)."""
    merged = {node_id: dict(mask) for node_id, mask in credential_masks.items()}
    for node_id, mask in (explicit or {}).items():
        merged.setdefault(node_id, {}).update(mask)
    return merged


def should_skip_node(block: Block, node_metadata: Mapping[str, Any], input_data: Mapping[str, Any]) -> bool:
    """A ``credentials_optional`` node whose credentials are missing is skipped: it
    runs nothing, yields nothing, and ends COMPLETED."""
    if not node_metadata.get("credentials_optional"):
        return False
    return any(_is_missing(input_data.get(name)) for name in block.input_schema.get_credentials_fields())


def resolve_node_credentials(
    user_id: str,
    block: Block,
    input_data: Mapping[str, Any],
    lookup: Lookup | None = None,
) -> dict[str, Credentials]:
    """The decrypted credentials for each credentials field of ``block``.

    ``input_data`` is the node's input with defaults and masks merged. Raises
    ``CredentialsError`` (a ValueError: the node fails with that message) when any
    field is missing, malformed, unknown or of the wrong provider/type.
    """
    lookup = lookup or default_lookup
    resolved: dict[str, Credentials] = {}
    errors: dict[str, str] = {}
    for name in block.input_schema.get_credentials_fields():
        value = input_data.get(name)
        schema = node_credentials_schema(block, name, dict(input_data))
        if _is_missing(value):
            errors[name] = required_message(schema)
            continue
        creds, error = _check_one(user_id, value, schema, lookup)
        if creds is None:
            errors[name] = error or required_message(schema)
        else:
            resolved[name] = creds
    if errors:
        raise CredentialsError(errors)
    return resolved


async def resolve_fresh_node_credentials(
    user_id: str,
    block: Block,
    input_data: Mapping[str, Any],
    lookup: Lookup | None = None,
) -> dict[str, Credentials]:
    """``resolve_node_credentials``, with OAuth2 access tokens refreshed before use."""
    from agentplatform.integrations.oauth.refresh import fresh_credentials

    resolved = resolve_node_credentials(user_id, block, input_data, lookup)
    return {name: await fresh_credentials(user_id, creds) for name, creds in resolved.items()}
