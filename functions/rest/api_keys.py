"""REST Lambda for the `api_keys` API domain."""

from mangum import Mangum

from agentplatform.api.app import create_app
from agentplatform.observability import rest_handler

handler = rest_handler(Mangum(create_app("api_keys"), lifespan="off"))
