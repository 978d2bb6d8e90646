"""REST Lambda for the `docs` API domain."""

from agentplatform.api.app import create_app
from mangum import Mangum

handler = Mangum(create_app("docs"), lifespan="off")
