"""REST Lambda for the `integrations` API domain."""

from mangum import Mangum

from agentplatform.api.app import create_app
from agentplatform.observability import rest_handler

handler = rest_handler(Mangum(create_app("integrations"), lifespan="off"))
