"""Block discovery and lookup.

Every module in ``agentplatform.blocks.builtin`` is imported once per process; each
``Block`` subclass found there is checked and instantiated. A malformed block fails the
load with a ``BlockRegistryError`` naming the block and the rule it broke, so a bad
block is caught by the first test run rather than in production.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
import uuid
from functools import lru_cache

from pydantic.fields import FieldInfo

from agentplatform.blocks.block import Block
from agentplatform.blocks.schema import is_schema_field

BUILTIN_PACKAGE = "agentplatform.blocks.builtin"

_load_lock = threading.Lock()


class BlockRegistryError(Exception):
    """A block definition breaks one of the registry's rules."""


def _all_subclasses(cls: type) -> list[type]:
    found: list[type] = []
    sub: type
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


def _is_credentials_field(info: FieldInfo) -> bool:
    extra = info.json_schema_extra
    return isinstance(extra, dict) and "credentials_provider" in extra


def _check(block: Block) -> None:
    name = block.name
    try:
        parsed = uuid.UUID(block.id)
    except (ValueError, TypeError, AttributeError):
        raise BlockRegistryError(f"{name}: id {block.id!r} is not a valid UUID") from None
    if len(block.id) != 36 or str(parsed) != block.id.lower():
        raise BlockRegistryError(f"{name}: id {block.id!r} must be a 36-character UUID string")
    for schema in (block.input_schema, block.output_schema):
        for field_name, info in schema.model_fields.items():
            if not is_schema_field(info):
                raise BlockRegistryError(
                    f"{name}: field {schema.__name__}.{field_name} must be declared with SchemaField"
                )
            if schema is block.input_schema and info.annotation is bool and info.is_required():
                raise BlockRegistryError(f"{name}: boolean input {field_name!r} needs a default")
            if _is_credentials_field(info) and not (
                field_name == "credentials" or field_name.endswith("_credentials")
            ):
                raise BlockRegistryError(
                    f"{name}: credentials field {field_name!r} must be named 'credentials' "
                    "or end with '_credentials'"
                )


def discover(package: str = BUILTIN_PACKAGE) -> dict[str, Block]:
    """Import every module of ``package`` and return its blocks by id."""
    pkg = importlib.import_module(package)
    for module in pkgutil.iter_modules(pkg.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{package}.{module.name}")

    blocks: dict[str, Block] = {}
    for cls in _all_subclasses(Block):
        in_package = cls.__module__ == package or cls.__module__.startswith(f"{package}.")
        if cls.__name__.endswith("Base") or not in_package:
            continue
        if not cls.__name__.endswith("Block"):
            raise BlockRegistryError(f"{cls.__module__}.{cls.__name__}: class name must end with 'Block'")
        block = cls()
        _check(block)
        if block.id in blocks:
            raise BlockRegistryError(
                f"{cls.__name__}: id {block.id} is already used by {blocks[block.id].name}"
            )
        blocks[block.id] = block
    return blocks


@lru_cache(maxsize=1)
def _registry() -> dict[str, Block]:
    with _load_lock:
        return discover()


def get_blocks() -> dict[str, Block]:
    """All built-in blocks by id, disabled ones included."""
    return _registry()


def get_block(block_id: str) -> Block | None:
    return _registry().get(block_id)
