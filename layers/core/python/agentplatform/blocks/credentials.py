"""Declaring a block's credentials input.

    credentials: CredentialsMetaInput = CredentialsField(
        provider="openai", supported_types=["api_key"], description="OpenAI API key"
    )

The field name must be ``credentials`` or end with ``_credentials``. The JSON schema
gains ``credentials_provider``/``credentials_types`` (and ``credentials_scopes``), which
is what graphs aggregate into their ``credentials_input_schema``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agentplatform.blocks.schema import SchemaField
from agentplatform.models.credentials import CredentialsMetaInput

__all__ = ["CredentialsField", "CredentialsMetaInput"]


def CredentialsField(
    provider: str | Iterable[str],
    supported_types: Iterable[str],
    *,
    required_scopes: Iterable[str] = (),
    description: str | None = None,
    title: str | None = None,
    discriminator: str | None = None,
    discriminator_mapping: dict[str, str] | None = None,
) -> Any:
    providers = [provider] if isinstance(provider, str) else list(provider)
    if len(providers) > 1 and not discriminator:
        raise ValueError("A multi-provider credentials field needs a discriminator")
    extra: dict[str, Any] = {
        "credentials_provider": providers,
        "credentials_types": list(supported_types),
    }
    if required_scopes:
        extra["credentials_scopes"] = sorted(required_scopes)
    if discriminator:
        extra["discriminator"] = discriminator
    if discriminator_mapping:
        extra["discriminator_mapping"] = discriminator_mapping
    return SchemaField(title=title, description=description, json_schema_extra=extra)


def credentials_field_key(field_schema: dict[str, Any]) -> str:
    """The aggregated key a graph's ``credentials_inputs`` use, e.g. ``openai_api_key_credentials``."""
    providers = "-".join(sorted(field_schema.get("credentials_provider", [])))
    types = "-".join(sorted(field_schema.get("credentials_types", [])))
    return f"{providers}_{types}_credentials"


def node_credentials_schema(block: Any, field_name: str, input_default: dict[str, Any]) -> dict[str, Any]:
    """A credentials field's schema as one node uses it.

    A multi-provider field (the AI blocks' ``credentials``) names its provider through a
    discriminator, e.g. ``model``: a node running ``gpt-4o`` needs ``openai`` credentials
    only, so its schema narrows to that provider, as upstream aggregates it.
    """
    schema: dict[str, Any] = block.input_schema.get_field_schema(field_name)
    discriminator = schema.get("discriminator")
    mapping = schema.get("discriminator_mapping") or {}
    if not discriminator or not mapping:
        return schema
    value = input_default.get(discriminator)
    if value is None:
        value = block.input_schema.jsonschema().get("properties", {}).get(discriminator, {}).get("default")
    provider = mapping.get(value) if isinstance(value, str) else None
    if provider is None:
        return schema
    narrowed = {k: v for k, v in schema.items() if k not in ("discriminator_mapping",)}
    narrowed["credentials_provider"] = [provider]
    narrowed["discriminator_values"] = [value]
    return narrowed
