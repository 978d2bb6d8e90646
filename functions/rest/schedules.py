"""REST Lambda for the `schedules` API domain."""

from mangum import Mangum

from agentplatform.api.app import create_app
from agentplatform.observability import rest_handler

handler = rest_handler(Mangum(create_app("schedules"), lifespan="off"))
