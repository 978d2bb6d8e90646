"""REST Lambda for the `builder` API domain."""

from mangum import Mangum

from agentplatform.api.app import create_app

handler = Mangum(create_app("builder"), lifespan="off")
