"""REST Lambda for the `users` API domain."""

from agentplatform.api.app import create_app
from mangum import Mangum

handler = Mangum(create_app("users"), lifespan="off")
