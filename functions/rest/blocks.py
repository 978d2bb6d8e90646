"""REST Lambda for the `blocks` API domain."""

from agentplatform.api.app import create_app
from mangum import Mangum

handler = Mangum(create_app("blocks"), lifespan="off")
