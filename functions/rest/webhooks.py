"""REST Lambda for the `webhooks` API domain: webhook ingress (no user token) and ping."""

from mangum import Mangum

from agentplatform.api.app import create_app
from agentplatform.observability import rest_handler

handler = rest_handler(Mangum(create_app("webhooks"), lifespan="off"))
