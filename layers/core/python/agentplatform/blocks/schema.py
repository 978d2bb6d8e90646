"""Block input/output schemas: ``SchemaField`` and the ``BlockSchema`` base classes.

A schema is a pydantic model whose JSON schema is what clients see (``inputSchema`` /
``outputSchema`` in ``GET /api/blocks``) and what block inputs are validated against.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

# Keys every SchemaField writes; the registry uses them to tell a SchemaField from a
# bare pydantic Field.
_SCHEMA_FIELD_MARKERS = ("advanced", "secret")


def SchemaField(
    default: Any = PydanticUndefined,
    *,
    default_factory: Any = None,
    title: str | None = None,
    description: str | None = None,
    placeholder: str | None = None,
    advanced: bool | None = None,
    secret: bool = False,
    exclude: bool = False,
    hidden: bool | None = None,
    depends_on: list[str] | None = None,
    ge: float | None = None,
    le: float | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    discriminator: str | None = None,
    format: str | None = None,
    json_schema_extra: dict[str, Any] | None = None,
) -> Any:
    """A pydantic field carrying the UI hints AutoGPT clients read from the schema.

    ``advanced`` is False for required fields and defaults to True for optional ones.
    """
    required = default is PydanticUndefined and default_factory is None
    if required:
        advanced = False
    elif advanced is None:
        advanced = True
    hints: dict[str, Any] = {
        "placeholder": placeholder,
        "secret": secret,
        "advanced": advanced,
        "hidden": hidden,
        "depends_on": depends_on,
        "format": format,
    }
    extra: dict[str, Any] = {key: value for key, value in hints.items() if value is not None}
    extra.update(json_schema_extra or {})
    kwargs: dict[str, Any] = {}
    if default_factory is not None:
        kwargs["default_factory"] = default_factory
    else:
        kwargs["default"] = default
    return Field(
        title=title,
        description=description,
        exclude=exclude,
        ge=ge,
        le=le,
        min_length=min_length,
        max_length=max_length,
        discriminator=discriminator,
        json_schema_extra=extra,
        **kwargs,
    )


def is_schema_field(info: FieldInfo) -> bool:
    extra = info.json_schema_extra
    return isinstance(extra, dict) and all(key in extra for key in _SCHEMA_FIELD_MARKERS)


def _inline(node: Any, defs: dict[str, Any], depth: int = 0) -> Any:
    """Inline ``$ref``s and collapse single-item ``allOf``/``anyOf``/``oneOf``.

    Clients expect flat schemas (as upstream produces), and flat schemas validate
    without a ref resolver. Self-referencing models stop at a fixed depth.
    """
    if isinstance(node, list):
        return [_inline(item, defs, depth) for item in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)
    ref = node.pop("$ref", None)
    if isinstance(ref, str) and depth < 16:
        target = defs.get(ref.rsplit("/", 1)[-1], {})
        node = {**_inline(target, defs, depth + 1), **node}
    for combiner in ("allOf", "anyOf", "oneOf"):
        options = node.get(combiner)
        if isinstance(options, list) and len(options) == 1:
            del node[combiner]
            node = {**node, **_inline(options[0], defs, depth)}
    return {key: _inline(value, defs, depth) for key, value in node.items() if not key.startswith("$")}


class BlockSchema(BaseModel):
    """Base for block schemas. Unknown keys (flattened dynamic pins) are ignored."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    _jsonschema_cache: ClassVar[dict[type, dict[str, Any]]] = {}

    @classmethod
    def jsonschema(cls) -> dict[str, Any]:
        cached = BlockSchema._jsonschema_cache.get(cls)
        if cached is None:
            raw = cls.model_json_schema()
            cached = _inline(raw, raw.get("$defs", {}))
            BlockSchema._jsonschema_cache[cls] = cached
        return cached

    @classmethod
    def get_fields(cls) -> set[str]:
        return set(cls.model_fields)

    @classmethod
    def get_required_fields(cls) -> set[str]:
        return {name for name, info in cls.model_fields.items() if info.is_required()}

    @classmethod
    def get_field_schema(cls, name: str) -> dict[str, Any]:
        props = cls.jsonschema().get("properties", {})
        if name not in props:
            raise ValueError(f"Invalid property name {name}")
        return dict(props[name])

    @classmethod
    def validate_data(cls, data: dict[str, Any]) -> str | None:
        """Validate against the JSON schema, ignoring None values. Returns the error."""
        from agentplatform.blocks.validation import validation_error

        return validation_error({k: v for k, v in data.items() if v is not None}, cls.jsonschema())

    @classmethod
    def validate_field(cls, name: str, value: Any) -> str | None:
        from agentplatform.blocks.validation import validation_error

        return validation_error(value, cls.get_field_schema(name))

    @classmethod
    def get_credentials_fields(cls) -> dict[str, FieldInfo]:
        return {
            name: info
            for name, info in cls.model_fields.items()
            if name == "credentials" or name.endswith("_credentials")
        }

    @classmethod
    def get_input_defaults(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Defaults a node contributes before link data is merged (identity here)."""
        return data

    @classmethod
    def get_missing_links(cls, data: dict[str, Any], sink_names: set[str]) -> set[str]:
        return sink_names - set(data)

    @classmethod
    def get_missing_input(cls, data: dict[str, Any]) -> set[str]:
        return cls.get_required_fields() - set(data)


class BlockSchemaInput(BlockSchema):
    """Base for block inputs."""


class BlockSchemaOutput(BlockSchema):
    """Base for outputs of standard blocks: every one has an ``error`` pin."""

    error: str = SchemaField(description="Error message if the operation failed", default="")


class EmptySchema(BlockSchema):
    """For blocks with no inputs or outputs of their own."""
