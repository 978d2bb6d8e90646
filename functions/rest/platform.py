"""REST Lambda for the `platform` API domain."""

from mangum import Mangum

from agentplatform.api.app import create_app

handler = Mangum(create_app("platform"), lifespan="off")
