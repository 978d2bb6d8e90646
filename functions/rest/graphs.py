"""REST Lambda for the `graphs` API domain."""

from agentplatform.api.app import create_app
from mangum import Mangum

handler = Mangum(create_app("graphs"), lifespan="off")
