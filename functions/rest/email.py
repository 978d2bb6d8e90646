"""REST Lambda for the `email` API domain."""

from mangum import Mangum

from agentplatform.api.app import create_app

handler = Mangum(create_app("email"), lifespan="off")
