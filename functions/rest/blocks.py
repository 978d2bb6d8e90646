"""REST Lambda for the `blocks` API domain."""

from mangum import Mangum

from agentplatform.api.app import create_app
from agentplatform.observability import rest_handler

handler = rest_handler(Mangum(create_app("blocks"), lifespan="off"))
