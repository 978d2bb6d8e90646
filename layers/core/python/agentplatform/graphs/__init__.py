"""Graph rules: computed schemas, validation, id re-minting and export cleaning."""

# GraphModel's computed fields (schemas) are provided by graphs.schema: loading the
# package registers it, so any code that works with graphs has them.
from agentplatform.graphs import schema as _schema  # noqa: F401
