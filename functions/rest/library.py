"""REST Lambda for the `library` API domain (agents and presets)."""

from mangum import Mangum

from agentplatform.api.app import create_app
from agentplatform.observability import rest_handler

handler = rest_handler(Mangum(create_app("library"), lifespan="off"))
